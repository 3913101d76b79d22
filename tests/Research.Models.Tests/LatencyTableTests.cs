using Research.Models.Cells;
using Research.Models.LatencyTables;
using Research.Models.Networks;

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
    }
}
