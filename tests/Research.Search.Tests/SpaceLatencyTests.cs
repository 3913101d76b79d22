using Research.Models.LatencyTables;
using Research.Search.Darts;
using Research.Search.Latency;

namespace Research.Search.Tests;

/// <summary>DARTS's expected latency from a table: on the scale of the table's network predictions, i.e. multiplied by its calibration.</summary>
public class SpaceLatencyTests
{
    [Fact]
    public void TheExpectedLatencyTablesAreScaledByTheTablesCalibration()
    {
        var space = SearchSpace.Load(Path.Combine(TestPaths.Repo, "search-spaces", "quick.yaml"));
        var layout = space.Network with { InChannels = 1, Classes = 10, Resolution = 28 };
        // Every entry a probe network of the layout has, valued by its shape (no timing: the maths is under test).
        var entries = new Dictionary<LatencyKey, double>();
        foreach (var spec in SpaceLatency.ProbeSpecs(space, layout))
        {
            using var traced = TracedNetwork.Trace(spec);
            foreach (var p in traced.Parts) entries[p.Key] = p.Key.Channels * 0.01 + p.Key.Height * 0.001;
        }
        var machine = MachineKey.Here("libtorch", torch.version, Device.CPU, 1, 1);
        var plain = SpaceLatency.ForDarts(space, layout, new LatencyTable(machine, entries));
        Assert.True(plain.Fixed > 0);
        // Ratios 1.5 and 2.0: k = 1.75.
        var calibrated = SpaceLatency.ForDarts(space, layout, new LatencyTable(machine, entries, networks:
            [new NetworkLatency("a", "h1", 1, 28, 3.0, 2.0), new NetworkLatency("b", "h2", 1, 28, 4.0, 2.0)]));
        Assert.Equal(plain.Fixed * 1.75, calibrated.Fixed, 9);
        Assert.Contains(plain.Normal.Cast<double>(), v => v > 0);
        Assert.Equal(plain.Normal.Cast<double>().Select(v => v * 1.75), calibrated.Normal.Cast<double>(), (a, b) => Math.Abs(a - b) < 1e-9);
        Assert.Equal(plain.Reduce.Cast<double>().Select(v => v * 1.75), calibrated.Reduce.Cast<double>(), (a, b) => Math.Abs(a - b) < 1e-9);
    }
}
