using Research.Models.LatencyTables;
using Research.Search.Darts;
using Research.Search.Latency;

namespace Research.Search.Tests;

/// <summary>DARTS's expected latency from a table: on the scale of the table's network predictions, i.e. multiplied by its calibration factors.</summary>
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

        // Calibrated per cell op (networks whose time is 1.2 x the rest + 1.6 x the max pools + 0.3 x the skips): each op's
        // entries take its own factor, the fixed part the rest's, so the expectation stays on the scale of Predict.
        static NetworkLatency Cells(string name, double rest, double pool, double skip) =>
            new(name, name, 1, 28, 1.2 * rest + 1.6 * pool + 0.3 * skip, rest + pool + skip, new Dictionary<string, double> { ["max_pool_k3"] = pool, ["skip"] = skip });
        var perOp = SpaceLatency.ForDarts(space, layout, new LatencyTable(machine, entries, networks:
            [Cells("a", 1, 0.5, 0.1), Cells("b", 1, 0.1, 0.2), Cells("c", 2, 1.0, 0), Cells("d", 1.5, 0, 0.3), Cells("e", 1, 0.3, 0.3)]));
        Assert.Equal(plain.Fixed * 1.2, perOp.Fixed, 9);
        for (int o = 0; o < space.Ops.Count; o++)
        {
            double f = space.Ops[o].Definition switch { "max_pool_k3" => 1.6, "skip" => 0.3, _ => 1.2 };
            for (int e = 0; e < space.Edges; e++)
            {
                Assert.Equal(plain.Normal[e, o] * f, perOp.Normal[e, o], 9);
                Assert.Equal(plain.Reduce[e, o] * f, perOp.Reduce[e, o], 9);
            }
        }
    }
}
