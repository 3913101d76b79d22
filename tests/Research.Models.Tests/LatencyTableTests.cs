using Research.Models.Cells;
using Research.Models.LatencyTables;
using Research.Models.Networks;
using Research.Models.Specs;

namespace Research.Models.Tests;

/// <summary>
/// Latency tables: a traced network's parts are the stem, every block as built (first repeats strided, later ones not, each with
/// its input shape), the head, and for cell networks each cell's preprocessing, edge ops and node sums; a prediction is the sum
/// of entries; the file keeps the machine; a missing entry names the part and its shape.
/// </summary>
public class LatencyTableTests
{
    private static NetworkSpec MobileNet => ModelSource.Resolve("mobilenet_v2", classes: 10, widthMultiplier: 0.35, resolution: 32, smallInput: true);

    [Fact]
    public void ABlockNetworkIsItsStemItsBlocksAsBuiltAndItsHead()
    {
        var spec = MobileNet;
        using var traced = TracedNetwork.Trace(spec);
        var parts = traced.Parts;
        Assert.Equal(PartRole.Stem, parts[0].Role);
        Assert.Equal((spec.EffectiveStem with { Repeats = 1 }).ToString(), parts[0].Key.Op);
        Assert.Equal((3, 32, 32), (parts[0].Key.Channels, parts[0].Key.Height, parts[0].Key.Width));
        Assert.Equal(PartRole.Head, parts[^1].Role);
        Assert.Equal("head_conv1280_arelu6_classes10", parts[^1].Key.Op);
        var blocks = parts.Where(p => p.Role == PartRole.Block).ToList();
        Assert.Equal(spec.BlockCount, blocks.Count);
        // A repeated strided block (mobilenet_v2's ir_r2_k3_s2_e6_c24): its first instance strides, the later ones take its own width.
        var stage = spec.Blocks.First(b => b.Repeats >= 2 && b.Stride == 2);
        Assert.Contains(blocks, b => b.Key.Op == (stage with { Repeats = 1 }).ToString());
        Assert.Contains(blocks, b => b.Key.Op == (stage with { Repeats = 1, Stride = 1 }).ToString() && b.Key.Channels == stage.OutChannels);
        // Every part's input shape is what the module received: running each alone on it works.
        using var noGrad = torch.no_grad();
        foreach (var p in parts)
        {
            using var scope = torch.NewDisposeScope();
            p.Forward(torch.zeros([2, p.Key.Channels, p.Key.Height, p.Key.Width]));
        }
    }

    [Fact]
    public void ACellNetworkIsCutIntoPreprocessingOpsAndNodeSums()
    {
        var layout = new CellNetworkLayout { Cells = 3, Channels = 8, StemMultiplier = 2, InChannels = 1, Classes = 10, Resolution = 28 };
        using var traced = TracedNetwork.Trace(layout.ToSpec(CellNetworkTests.Sample, "cells"));
        var parts = traced.Parts;
        Assert.Equal(2 * 3, parts.Count(p => p.Role == PartRole.CellPreprocess));
        Assert.Equal(6 * 3, parts.Count(p => p.Role == PartRole.CellOp));
        Assert.Equal(3, parts.Count(p => p.Role == PartRole.CellGlue));
        // The reduction cell (index 1) strides its edges from the inputs: max_pool on input 0 at 28×28, 16 channels.
        Assert.Contains(parts, p => p.Key.Op == "max_pool_k3_s2_c16" && p.Key.Height == 28);
        Assert.Contains(parts, p => p.Key.Op == "FactorizedReduce_c16" || p.Key.Op.StartsWith("FactorizedReduce_c", StringComparison.Ordinal));
        Assert.Equal("cell_glue_n3_k3", parts.First(p => p.Role == PartRole.CellGlue).Key.Op);
    }

    private static LatencyTable TableFor(NetworkSpec spec, Func<LatencyKey, double> ms)
    {
        using var traced = TracedNetwork.Trace(spec);
        var machine = MachineKey.Here("libtorch", torch.version, Device.CPU, 1, 1);
        return new LatencyTable(machine, traced.Counts.ToDictionary(c => c.Key, c => ms(c.Key)), "t.csv");
    }

    [Fact]
    public void APredictionIsTheSumOfEntriesAndTheFileKeepsTheMachine()
    {
        var spec = MobileNet;
        var table = TableFor(spec, k => k.Channels * 0.001 + k.Height * 1e-5);
        using var traced = TracedNetwork.Trace(spec);
        double expected = traced.Parts.Sum(p => p.Key.Channels * 0.001 + p.Key.Height * 1e-5);
        Assert.Equal(expected, table.Predict(spec), 10);
        var path = Path.Combine(Directory.CreateTempSubdirectory("latency").FullName, "t.csv");
        table.Save(path);
        Assert.StartsWith("# research latency table", File.ReadLines(path).First());
        var back = LatencyTable.Load(path);
        Assert.Equal(table.Entries.Count, back.Entries.Count);
        Assert.Equal(table.Predict(spec), back.Predict(spec), 12);
        Assert.Equal(table.Machine["cpu"], back.Machine["cpu"]);
        Assert.Empty(back.Mismatches(table.Machine));
        var elsewhere = new Dictionary<string, string>(table.Machine) { ["threads"] = "4", ["engine"] = "onnxruntime" };
        var differ = back.Mismatches(elsewhere);
        Assert.Equal(2, differ.Count);
        Assert.Contains("engine: table 'libtorch', here 'onnxruntime'", differ);
        Assert.Contains("threads: table '1', here '4'", differ);
        // Another CPU of the same model name (other vector extensions) is another machine; a table written before that key is
        // not refused for lacking it, and a measurement without it does not refuse a table that has it.
        Assert.Equal(MachineKey.VectorExtensions(), back.Machine["cpu_extensions"]);
        var otherIsa = new Dictionary<string, string>(table.Machine) { ["cpu_extensions"] = "sse4_2 avx" };
        Assert.Equal([$"cpu_extensions: table '{table.Machine["cpu_extensions"]}', here 'sse4_2 avx'"], back.Mismatches(otherIsa));
        var older = new Dictionary<string, string>(table.Machine);
        older.Remove("cpu_extensions");
        Assert.Empty(back.Mismatches(older));
        Assert.Empty(new LatencyTable(older, table.Entries).Mismatches(table.Machine));
        Assert.Single(new LatencyTable(older, table.Entries).Mismatches(new Dictionary<string, string>(table.Machine) { ["cpu"] = "Another CPU" }));
    }

    [Fact]
    public void AMissingEntryNamesThePartAndItsShape()
    {
        var table = TableFor(MobileNet, _ => 1);
        var wider = ModelSource.Resolve("mobilenet_v2", classes: 10, widthMultiplier: 0.5, resolution: 32, smallInput: true);
        using var traced = TracedNetwork.Trace(wider);
        var missing = traced.Parts.First(p => !table.Entries.ContainsKey(p.Key)).Key;
        var e = Assert.Throws<InvalidDataException>(() => table.Predict(wider));
        Assert.Contains($"t.csv: no entry for {missing.Op} at {missing.Shape}", e.Message);
    }

    [Fact]
    public void AMalformedTableIsRefusedNamingTheFile()
    {
        var dir = Directory.CreateTempSubdirectory("latency").FullName;
        var noMachine = Path.Combine(dir, "a.csv");
        File.WriteAllText(noMachine, "op,structure,in_channels,height,width,ms\nx,abc,3,8,8,1\n");
        Assert.Contains("no '# engine: ...' line", Assert.Throws<InvalidDataException>(() => LatencyTable.Load(noMachine)).Message);
        var badMs = Path.Combine(dir, "b.csv");
        File.WriteAllText(badMs, "# engine: libtorch\nop,structure,in_channels,height,width,ms\nx,abc,3,8,8,-1\n");
        Assert.Contains("entry 1: ms -1 must be", Assert.Throws<InvalidDataException>(() => LatencyTable.Load(badMs)).Message);
    }

    private static NetworkLatency Measured(string name, double measured, double parts) => new(name, name + "hash", 3, 32, measured, parts);

    [Fact]
    public void APredictionIsTheSumOfPartsTimesTheMedianRatioOfTheMeasuredNetworks()
    {
        var spec = MobileNet;
        var plain = TableFor(spec, k => k.Channels * 0.001 + 0.01);
        double parts = plain.PredictParts(TracedCounts(spec));
        // Without a measured network: k = 1, the prediction is the plain sum.
        Assert.Equal(1.0, plain.Calibration);
        Assert.Equal(parts, plain.Predict(spec), 12);
        // Ratios 1.5, 1.1, 1.25 (odd count): k is the middle one, 1.25.
        var odd = new LatencyTable(plain.Machine, plain.Entries, "t.csv", [Measured("a", 3.0, 2.0), Measured("b", 2.2, 2.0), Measured("c", 5.0, 4.0)]);
        Assert.Equal(1.25, odd.Calibration, 12);
        Assert.Equal(parts * 1.25, odd.Predict(spec), 10);
        Assert.Equal(parts, odd.PredictParts(TracedCounts(spec)), 12);
        // Ratios 1.1, 1.2, 1.4, 2.0 (even count): k is the mean of the middle two, 1.3.
        var even = new LatencyTable(plain.Machine, plain.Entries, "t.csv",
            [Measured("a", 2.2, 2.0), Measured("b", 1.2, 1.0), Measured("c", 2.8, 2.0), Measured("d", 8.0, 4.0)]);
        Assert.Equal(1.3, even.Calibration, 12);
        Assert.Equal(parts * 1.3, even.Predict(spec), 10);
    }

    private static IReadOnlyList<LatencyPartCount> TracedCounts(NetworkSpec spec)
    {
        using var traced = TracedNetwork.Trace(spec);
        return traced.Counts;
    }

    [Fact]
    public void NetworkRowsSurviveSavingLoadingAndMergingAndKeepTheMachineKey()
    {
        var spec = MobileNet;
        var plain = TableFor(spec, k => k.Channels * 0.001 + 0.01);
        var table = new LatencyTable(plain.Machine, plain.Entries, "t.csv", [Measured("a", 3.0, 2.0), Measured("b", 2.5, 2.0)]);
        var path = Path.Combine(Directory.CreateTempSubdirectory("latency").FullName, "t.csv");
        table.Save(path);
        var lines = File.ReadAllLines(path);
        Assert.Contains("# calibration: 1.375 (median over 2 measured network(s) of measured / sum of parts; predicted = sum of parts x calibration)", lines);
        Assert.Equal("op,structure,in_channels,height,width,ms,kind,parts_ms,op_parts", lines.First(l => !l.StartsWith('#')));
        Assert.Equal(["a,ahash,3,32,32,3,network,2,", "b,bhash,3,32,32,2.5,network,2,"], lines[^2..]);
        var back = LatencyTable.Load(path);
        Assert.Equal(table.Entries.Count, back.Entries.Count);
        Assert.Equal(table.Networks.OrderBy(n => n.Name), back.Networks.OrderBy(n => n.Name));
        Assert.Equal(1.375, back.Calibration, 12);
        Assert.Equal(table.Predict(spec), back.Predict(spec), 12);
        // The calibration is not a machine key: it is not read back as one, and tables of other calibrations still compare equal.
        Assert.False(back.Machine.ContainsKey(LatencyTable.CalibrationKey));
        Assert.Empty(back.Mismatches(plain.Machine));

        // Merging keeps both tables' networks; a network measured again (same name and spec hash) is replaced.
        var more = new LatencyTable(plain.Machine, plain.Entries, "more.csv", [Measured("b", 3.0, 2.0), Measured("c", 5.0, 2.0)]);
        var merged = back.Merge(more);
        Assert.Equal(["a", "b", "c"], merged.Networks.Select(n => n.Name).Order(StringComparer.Ordinal));
        Assert.Equal(3.0, merged.Networks.Single(n => n.Name == "b").MeasuredMs);
        Assert.Equal(1.5, merged.Calibration, 12);
        // A table without networks merged into one with networks keeps them.
        Assert.Equal(2, back.Merge(plain).Networks.Count);
    }

    [Fact]
    public void ATableWrittenBeforeCalibrationLoadsWithKOne()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("latency").FullName, "old.csv");
        File.WriteAllText(path, "# research latency table: milliseconds per part (median of timed runs), predicted network latency = sum of its parts\n" +
            "# batch: 1\n# engine: libtorch\n# threads: 1\nop,structure,in_channels,height,width,ms\nx,abc,3,8,8,1.5\ny,def,16,4,4,0.25\n");
        var old = LatencyTable.Load(path);
        Assert.Equal(2, old.Entries.Count);
        Assert.Empty(old.Networks);
        Assert.Equal(1.0, old.Calibration);
        Assert.Equal(1.5 + 2 * 0.25, old.Predict([new(new LatencyKey("x", "abc", 3, 8, 8), 1), new(new LatencyKey("y", "def", 16, 4, 4), 2)]), 12);
    }

    /// <summary>A cell network's measured time made to be 1.2 x its other parts + 1.6 x its max pools + 0.3 x its skips.</summary>
    private static NetworkLatency Cells(string name, double rest, double pool, double skip, double fPool = 1.6, double fSkip = 0.3) =>
        new(name, name + "hash", 1, 28, 1.2 * rest + fPool * pool + fSkip * skip, rest + pool + skip,
            new Dictionary<string, double> { ["max_pool_k3"] = pool, ["skip"] = skip });

    [Fact]
    public void ACellTableIsCalibratedPerCellOpWhenItsNetworksTellTheOpsApart()
    {
        NetworkLatency[] nets = [Cells("a", 1, 0.5, 0.1), Cells("b", 1, 0.1, 0.2), Cells("c", 2, 1.0, 0), Cells("d", 1.5, 0, 0.3), Cells("e", 1, 0.3, 0.3)];
        var fit = LatencyCalibration.Fit(nets);
        Assert.True(fit.PerOp);
        Assert.Null(fit.NotFitted);
        Assert.Equal(1.2, fit.Rest, 9);
        Assert.Equal(1.6, fit.Ops["max_pool_k3"], 9);
        Assert.Equal(0.3, fit.Ops["skip"], 9);
        // An op no measured network had, and every part that is not a cell op, take the rest's factor.
        Assert.Equal(1.2, fit.Factor("ir_k3_e3_arelu_noskip"), 9);
        Assert.Equal(1.2, fit.Factor(""), 9);
        var ratios = nets.Select(n => n.Ratio).Order().ToList();
        Assert.Equal(ratios[2], fit.Median, 12);

        // A prediction multiplies each part's entry by its group's factor.
        var machine = MachineKey.Here("libtorch", torch.version, Device.CPU, 1, 1);
        var stem = new LatencyKey("cn_r1_k3_s2_c24", "s", 1, 28, 28);
        var pool = new LatencyKey("max_pool_k3_s1_c12", "p", 12, 7, 7);
        var table = new LatencyTable(machine, new Dictionary<LatencyKey, double> { [stem] = 2, [pool] = 0.5 }, "t.csv", nets);
        Assert.Equal(2 * 1.2 + 3 * 0.5 * 1.6, table.Predict([new(stem, 1), new(pool, 3, "max_pool_k3")]), 9);
        Assert.Equal(2 + 3 * 0.5, table.PredictParts([new(stem, 1), new(pool, 3, "max_pool_k3")]), 12);

        // The op_parts column keeps each network's shares: the table read back has the same factors.
        var path = Path.Combine(Directory.CreateTempSubdirectory("latency").FullName, "t.csv");
        table.Save(path);
        var lines = File.ReadAllLines(path);
        Assert.Contains(lines, l => l.StartsWith("a,ahash,1,28,28,", StringComparison.Ordinal) && l.EndsWith(",network,1.6,max_pool_k3=0.5;skip=0.1", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("# calibration: ", StringComparison.Ordinal) && l.Contains("per cell op: max_pool_k3 1.6000, skip 0.3000"));
        var back = LatencyTable.Load(path);
        Assert.Equal(nets.Select(n => n.Ops["max_pool_k3"]), back.Networks.OrderBy(n => n.Name).Select(n => n.Ops["max_pool_k3"]));
        Assert.Equal(1.2, back.Calibration, 9);
        Assert.Equal(fit.Ops.OrderBy(o => o.Key).Select(o => o.Value), back.Factors.Ops.OrderBy(o => o.Key).Select(o => o.Value), (x, y) => Math.Abs(x - y) < 1e-9);
    }

    [Fact]
    public void WithoutEnoughDistinctNetworksTheTableFallsBackToTheMedianAndANegativeOpFactorBecomesZero()
    {
        // Three networks for three factors: k alone, and the reason is said.
        NetworkLatency[] three = [Cells("a", 1, 0.5, 0.1), Cells("b", 1, 0.1, 0.2), Cells("c", 2, 1.0, 0)];
        var few = LatencyCalibration.Fit(three);
        Assert.False(few.PerOp);
        Assert.Equal(three.Select(n => n.Ratio).Order().ElementAt(1), few.Rest, 12);
        Assert.Contains("3 measured network(s) for 3 factors", few.NotFitted);
        Assert.Contains("not fitted per cell op", few.ToString());
        // Pools always twice the skips: their factors cannot be told apart.
        NetworkLatency[] tied = [Cells("a", 1, 0.2, 0.1), Cells("b", 2, 0.4, 0.2), Cells("c", 1, 0.6, 0.3), Cells("d", 3, 0.2, 0.1), Cells("e", 1, 1.0, 0.5)];
        Assert.Contains("do not tell the cell ops apart", LatencyCalibration.Fit(tied).NotFitted);
        // Skips that make a network faster than its other parts: the unconstrained factor is negative, so it is set to 0 and the rest refitted.
        NetworkLatency[] faster = [Cells("a", 1, 0.5, 0.1, fSkip: -0.8), Cells("b", 1, 0.1, 0.2, fSkip: -0.8), Cells("c", 2, 1.0, 0, fSkip: -0.8),
            Cells("d", 1.5, 0, 0.3, fSkip: -0.8), Cells("e", 1, 0.3, 0.3, fSkip: -0.8)];
        var clamped = LatencyCalibration.Fit(faster);
        Assert.True(clamped.PerOp);
        Assert.Equal(0.0, clamped.Ops["skip"]);
        Assert.True(clamped.Rest > 0 && clamped.Ops["max_pool_k3"] > 0);
        // Without cell ops (block networks) the median is the factor of every part, as before.
        Assert.Null(LatencyCalibration.Fit([Measured("x", 3.0, 2.0), Measured("y", 5.0, 4.0)]).NotFitted);
        Assert.Equal(1.375, LatencyCalibration.Fit([Measured("x", 3.0, 2.0), Measured("y", 5.0, 4.0)]).Rest, 12);
    }

    [Fact]
    public void ABadNetworkRowIsRefusedNamingTheFileAndRow()
    {
        var dir = Directory.CreateTempSubdirectory("latency").FullName;
        const string Head = "# engine: libtorch\nop,structure,in_channels,height,width,ms,kind,parts_ms\nx,abc,3,8,8,1,part,\n";
        var zero = Path.Combine(dir, "zero.csv");
        File.WriteAllText(zero, Head + "net,h,3,32,32,4,network,0\n");
        Assert.Contains("zero.csv: entry 2: parts_ms 0 must be > 0", Assert.Throws<InvalidDataException>(() => LatencyTable.Load(zero)).Message);
        var kind = Path.Combine(dir, "kind.csv");
        File.WriteAllText(kind, Head + "net,h,3,32,32,4,whole,2\n");
        Assert.Contains("kind.csv: entry 2: kind 'whole' is neither 'part' nor 'network'", Assert.Throws<InvalidDataException>(() => LatencyTable.Load(kind)).Message);
        const string WithOps = "# engine: libtorch\nop,structure,in_channels,height,width,ms,kind,parts_ms,op_parts\nx,abc,3,8,8,1,part,,\n";
        var over = Path.Combine(dir, "over.csv");
        File.WriteAllText(over, WithOps + "net,h,3,32,32,4,network,2,max_pool_k3=1.5;skip=1\n");
        Assert.Contains("over.csv: entry 2: op_parts sum to 2.5 ms, more than parts_ms 2", Assert.Throws<InvalidDataException>(() => LatencyTable.Load(over)).Message);
        var noEquals = Path.Combine(dir, "noequals.csv");
        File.WriteAllText(noEquals, WithOps + "net,h,3,32,32,4,network,2,max_pool_k3\n");
        Assert.Contains("noequals.csv: entry 2: op_parts item 'max_pool_k3' is not definition=ms", Assert.Throws<InvalidDataException>(() => LatencyTable.Load(noEquals)).Message);
        var twice = Path.Combine(dir, "twice.csv");
        File.WriteAllText(twice, WithOps + "net,h,3,32,32,4,network,2,skip=0.5;skip=0.25\n");
        Assert.Contains("twice.csv: entry 2: op_parts names skip twice", Assert.Throws<InvalidDataException>(() => LatencyTable.Load(twice)).Message);
    }

    [Fact]
    public void TheLibtorchEngineMeasuresEveryPartAndTheWholeNetwork()
    {
        var spec = MobileNet;
        var engine = new LibtorchEngine(Device.CPU);
        var table = LatencyTableBuilder.Measure([spec, spec], engine, 1, 2, new LatencyTiming(1, 3));
        using var traced = TracedNetwork.Trace(spec);
        Assert.Equal(traced.Counts.Count, table.Entries.Count);
        Assert.All(table.Entries.Values, ms => Assert.True(ms > 0));
        Assert.Equal("2", table.Machine["batch"]);
        Assert.True(engine.MeasureNetwork(traced, 2, new LatencyTiming(1, 3)) > 0);
        // Whole networks are measured only when asked, once per distinct network, beside the sum of their parts as measured.
        Assert.Empty(table.Networks);
        var calibrated = LatencyTableBuilder.Measure([spec, spec], engine, 1, 2, new LatencyTiming(1, 3), whole: _ => true);
        var network = Assert.Single(calibrated.Networks);
        Assert.Equal((spec.Name, NetworkLatency.HashOf(spec), spec.InChannels, spec.Resolution), (network.Name, network.SpecHash, network.Channels, network.Resolution));
        Assert.Equal(traced.Parts.Sum(p => calibrated.Entries[p.Key]), network.PartsMs, 9);
        Assert.True(network.MeasuredMs > 0);
        Assert.Equal(network.MeasuredMs / network.PartsMs, calibrated.Calibration, 12);
        Assert.Matches(@"^warm-up 1, median of 3, median of 5 interleaved rounds over \d+ s, process warm-up 2 s$", calibrated.Machine["timing"]);
    }

    /// <summary>A deterministic engine: a part takes 0.001 ms per input channel (twice that with a 5x5 kernel); a whole network its parts' sum times 1.5 if its name starts with "held", else 1.25.</summary>
    private sealed class FixedEngine : ILatencyEngine
    {
        public List<string> Measured { get; } = [];
        public int PartsMeasured { get; set; }
        public string Name => "libtorch";
        public string Version => torch.version;
        public Device Device => Device.CPU;
        public double MeasurePart(TracedNetwork network, TracedPart part, int batch, LatencyTiming timing)
        {
            PartsMeasured++;
            return Ms(part.Key);
        }
        public double MeasureNetwork(TracedNetwork network, int batch, LatencyTiming timing)
        {
            Measured.Add(network.Spec.Name);
            return network.Parts.Sum(p => Ms(p.Key)) * (network.Spec.Name.StartsWith("held", StringComparison.Ordinal) ? 1.5 : 1.25);
        }
        private static double Ms(LatencyKey key) => 0.001 * key.Channels * (key.Op.Contains("_k5_", StringComparison.Ordinal) ? 2 : 1);
    }

    /// <summary>The spec under another name with the first block of each given stage at kernel 5: the same shapes, other parts there.</summary>
    private static NetworkSpec Kernel5(NetworkSpec spec, string name, params int[] stages) => spec with
    {
        Name = name,
        Stages = spec.Stages.Select((stage, s) => stage.Select((b, i) => i == 0 && stages.Contains(s) ? b with { Kernel = 5 } : b).ToEquatableList()).ToEquatableList(),
    };

    [Fact]
    public void AHeldOutNetworkIsMeasuredInTheTablesRoundsButNeitherEntersNorCalibratesIt()
    {
        // Two probes (k3 everywhere; k5 at the first block of stages 2 and 4) and a network that mixes them (k5 at stage 2 only).
        var spec = MobileNet;
        var probe5 = Kernel5(spec, "probe-k5", 2, 4);
        var held = Kernel5(spec, "held-mix", 2);
        var engine = new FixedEngine();
        var alone = LatencyTableBuilder.Measure([spec, probe5], engine, 1, 1, new LatencyTiming(0, 1, Rounds: 2), whole: _ => true);
        engine.Measured.Clear();
        var table = LatencyTableBuilder.Measure([spec, probe5], [held, held], engine, 1, 1, new LatencyTiming(0, 1, Rounds: 2), out var heldOut, whole: _ => true);
        // Measured once per round (given twice, measured once), interleaved with the calibration networks, and kept out of the table:
        // the same entries, the same k, no row, not counted among its networks.
        Assert.Equal(["mobilenet_v2", "probe-k5", "held-mix", "mobilenet_v2", "probe-k5", "held-mix"], engine.Measured);
        Assert.Equal(alone.Entries, table.Entries);
        Assert.Equal(["mobilenet_v2", "probe-k5"], table.Networks.Select(n => n.Name));
        Assert.Equal("2", table.Machine["networks"]);
        Assert.Equal(1.25, table.Calibration, 12);
        var measured = Assert.Single(heldOut);
        Assert.Equal(("held-mix", NetworkLatency.HashOf(held)), measured.Key);
        using var traced = TracedNetwork.Trace(held);
        Assert.Equal(traced.Parts.Sum(p => table.Entries[p.Key]), measured.PartsMs, 12);
        Assert.NotEqual(table.Networks[0].PartsMs, measured.PartsMs, 6);
        Assert.Equal(1.5 * measured.PartsMs, measured.MeasuredMs, 12);
        // Predicted from the table as any network is: k x parts here; the error is |1.25 - 1.5| / 1.5.
        var compared = Assert.Single(HeldOutLatency.Compare(table, heldOut));
        Assert.Equal(table.Predict(traced.Counts), compared.PredictedMs, 9);
        Assert.Equal(0.25 / 1.5, compared.Error, 9);
        Assert.Equal(0.5 / 1.5, compared.UncalibratedError, 9);
        Assert.Equal(HeldOutLatency.Columns.Length, compared.Row().Length);
        Assert.Equal(("held-mix", "0.1667", "0.3333"), (compared.Row()[0], compared.Row()[6], compared.Row()[8]));

        // A held-out network with a part this run does not measure, a calibration network, or one under another name: refused before
        // anything is measured.
        engine.Measured.Clear();
        engine.PartsMeasured = 0;
        var wider = ModelSource.Resolve("mobilenet_v2", classes: 10, widthMultiplier: 0.5, resolution: 32, smallInput: true) with { Name = "held-wider" };
        var e = Assert.Throws<ArgumentException>(() => LatencyTableBuilder.Measure([spec], [wider], engine, 1, 1, new LatencyTiming(0, 1), out _, whole: _ => true));
        Assert.Matches(@"^held-out network held-wider: its part \S+ at \d+x\d+x\d+ \(structure [0-9a-f]{8}\) is not among the parts this run measures", e.Message);
        e = Assert.Throws<ArgumentException>(() => LatencyTableBuilder.Measure([spec], [spec], engine, 1, 1, new LatencyTiming(0, 1), out _, whole: _ => true));
        Assert.Contains("held-out network mobilenet_v2 is also measured whole to calibrate the table", e.Message);
        e = Assert.Throws<ArgumentException>(() => LatencyTableBuilder.Measure([spec], [spec with { Name = "held-copy" }], engine, 1, 1, new LatencyTiming(0, 1), out _, whole: _ => true));
        Assert.Contains("held-out network held-copy is also measured whole to calibrate the table (as itself or under another name)", e.Message);
        Assert.Empty(engine.Measured);
        Assert.Equal(0, engine.PartsMeasured);
    }

    [Fact]
    public void AMeasuredNetworksPredictionFromItsSharesIsThePredictionFromItsParts()
    {
        NetworkLatency[] nets = [Cells("a", 1, 0.5, 0.1), Cells("b", 1, 0.1, 0.2), Cells("c", 2, 1.0, 0), Cells("d", 1.5, 0, 0.3), Cells("e", 1, 0.3, 0.3)];
        var fit = LatencyCalibration.Fit(nets);
        var z = Cells("z", 0.7, 0.4, 0.2, fPool: 2.0);
        Assert.Equal(1.2 * 0.7 + 1.6 * 0.4 + 0.3 * 0.2, fit.Predict(z), 9);
        // Without per-op factors, k times the parts.
        var k = LatencyCalibration.Fit([Measured("x", 3.0, 2.0), Measured("y", 5.0, 4.0)]);
        Assert.Equal(1.375 * 2.0, k.Predict(Measured("w", 9.0, 2.0)), 12);
        // The same for a table's parts: each group's entries times its factor, the parts that are not cell ops times the rest's.
        var machine = MachineKey.Here("libtorch", torch.version, Device.CPU, 1, 1);
        var stem = new LatencyKey("cn_r1_k3_s2_c24", "s", 1, 28, 28);
        var pool = new LatencyKey("max_pool_k3_s1_c12", "p", 12, 7, 7);
        var skip = new LatencyKey("skip_c12", "k", 12, 7, 7);
        var table = new LatencyTable(machine, new Dictionary<LatencyKey, double> { [stem] = 0.4, [pool] = 0.05, [skip] = 0.01 }, "t.csv", nets);
        LatencyPartCount[] parts = [new(stem, 2), new(pool, 3, "max_pool_k3"), new(skip, 5, "skip")];
        var shares = new NetworkLatency("w", "whash", 1, 28, 1.0, 0.4 * 2 + 0.05 * 3 + 0.01 * 5, new Dictionary<string, double> { ["max_pool_k3"] = 0.15, ["skip"] = 0.05 });
        Assert.Equal(table.Predict(parts), table.Factors.Predict(shares), 12);
        Assert.Equal(table.Predict(parts), Assert.Single(HeldOutLatency.Compare(table, [shares])).PredictedMs, 12);
        // Percentiles as numpy's default (linear between order statistics), which bench/latency_heldout.py also uses.
        Assert.Equal(2.5, HeldOutLatency.Percentile([4, 1, 3, 2], 0.5), 12);
        Assert.Equal(3.7, HeldOutLatency.Percentile([4, 1, 3, 2], 0.9), 12);
        Assert.Equal(5, HeldOutLatency.Percentile([5], 0.9), 12);
    }

    /// <summary>Interleaved rounds: every measurement once per round in the order given, each result the median of its rounds.</summary>
    [Fact]
    public void InterleavedRoundsRunEveryMeasurementOncePerRoundAndKeepTheMedian()
    {
        var calls = new List<string>();
        var a = new Queue<double>([5, 1, 3]);
        var b = new Queue<double>([10, 40, 20]);
        var rounds = new List<int>();
        var ms = new LatencyTiming(Rounds: 3).Interleaved([() => { calls.Add("a"); return a.Dequeue(); }, () => { calls.Add("b"); return b.Dequeue(); }], rounds.Add);
        Assert.Equal([3.0, 20.0], ms);
        Assert.Equal(["a", "b", "a", "b", "a", "b"], calls);
        Assert.Equal([1, 2, 3], rounds);
        var even = new Queue<double>([4, 1, 2, 8]);
        Assert.Equal([3.0], new LatencyTiming(Rounds: 4).Interleaved([() => even.Dequeue()]));
        Assert.Contains("rounds 0", Assert.Throws<ArgumentException>(() => new LatencyTiming(Rounds: 0).Validate()).Message);
        Assert.Contains("span -1 s", Assert.Throws<ArgumentException>(() => new LatencyTiming(SpanSeconds: -1).Validate()).Message);
    }

    /// <summary>A span: rounds go on past the count until they span that long, every measurement once in each.</summary>
    [Fact]
    public void RoundsGoOnUntilTheySpanTheirSeconds()
    {
        int a = 0, b = 0;
        // 0.3 s: two rounds take that long only on a machine stalled for a third of a second.
        var ms = new LatencyTiming(Rounds: 2, SpanSeconds: 0.3).Interleaved(
            [() => { a++; Thread.Sleep(2); return a; }, () => { b++; return 10; }], out int rounds, out double seconds);
        Assert.True(rounds >= 3, $"{rounds} rounds");
        Assert.True(seconds >= 0.3, $"{seconds} s"); // 2 ms a round at least: the span ends before the cap of 200 rounds
        Assert.Equal(rounds, a);
        Assert.Equal(rounds, b);
        Assert.Equal((rounds + 1) / 2.0, ms[0]); // the median of 1..rounds
        Assert.Equal(10, ms[1]);
        // No span: the count alone.
        new LatencyTiming(Rounds: 2).Interleaved([() => 1.0], out int plain, out _);
        Assert.Equal(2, plain);
        // A cap, so a table of a few tiny parts does not run forever.
        new LatencyTiming(Rounds: 1, SpanSeconds: 3600).Interleaved([() => 1.0], out int capped, out _);
        Assert.Equal(LatencyTiming.MaxRounds, capped);
    }
}
