using Research.Models.Blocks;
using Research.Models.Cost;
using Research.Models.Networks;

namespace Research.Models.Tests;

/// <summary>
/// Walks the block-kind registry: every kind's examples round-trip their text, build, are
/// counted by the kind's rule exactly as the built module's parameters and run-time MACs, and
/// export to ONNX graphs that ONNX Runtime runs to the module's eval logits.
/// </summary>
public class BlockKindRegistryTests
{
    public static TheoryData<string, string> Examples()
    {
        var data = new TheoryData<string, string>();
        foreach (var kind in BlockKindRegistry.Default.Kinds)
            foreach (var example in kind.Examples)
                data.Add(kind.Code, example);
        return data;
    }

    /// <summary>A small network around one block: the stem gives the first width the block accepts.</summary>
    public static NetworkSpec Around(string blockText)
    {
        var block = BlockSpec.Parse(blockText);
        foreach (int width in new[] { 16, 24, 12, 32, 48, 8, 40, 64 })
        {
            var spec = new NetworkSpec
            {
                Name = "probe",
                Stem = BlockSpec.Parse($"cn_r1_k3_s1_c{width}_arelu"),
                Stages = new EquatableList<EquatableList<BlockSpec>>([new EquatableList<BlockSpec>([block])]),
                Head = new HeadSpec { Dropout = 0.1 },
                Classes = 10,
                Resolution = 32,
                ChannelDivisor = 4,
            };
            try
            {
                return spec.Validate();
            }
            catch (SpecFormatException)
            {
            }
        }
        throw new InvalidOperationException($"no stem width fits '{blockText}'");
    }

    [Fact]
    public void EveryKindHasExamplesAndAnExporterForWhatItBuilds()
    {
        foreach (var kind in BlockKindRegistry.Default.Kinds.Where(k => k.Code != "dc"))
        {
            Assert.NotEmpty(kind.Examples);
            foreach (var example in kind.Examples)
            {
                var spec = BlockSpec.Parse(example);
                Assert.Same(kind, spec.Kind);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void ExampleRoundTripsBuildsCountsAndExports(string code, string text)
    {
        var block = BlockSpec.Parse(text);
        Assert.Equal(code, block.Code);
        Assert.Equal(text, block.ToString());
        Assert.Equal(block, BlockSpec.Parse(block.ToString()));

        var spec = Around(text);
        var cost = CostModel.Estimate(spec);
        using var net = OnnxExportTests.Randomised(spec, 7);
        Assert.Equal(cost.Params, net.parameters().Sum(p => p.numel()));
        Assert.Equal(cost.Macs, RunTimeMacs(net, spec.Resolution));
        var (ours, runtime) = OnnxExportTests.Compare(net, 2, spec.Resolution, dynamicBatch: false);
        Assert.True(OnnxExportTests.MaxAbsDifference(ours, runtime) < 1e-4, $"{text}: ONNX Runtime differs by {OnnxExportTests.MaxAbsDifference(ours, runtime)}");
    }

    /// <summary>MACs counted from the built module's convolutions and linears during a real forward pass (batch 1).</summary>
    public static long RunTimeMacs(Network net, int resolution)
    {
        long macs = 0;
        var hooks = new List<IDisposable>();
        foreach (var (_, m) in net.named_modules())
            switch (m)
            {
                case Torch.Modules.Conv2d conv:
                    hooks.Add(conv.register_forward_hook((_, _, o) =>
                        macs += o.shape[1] * o.shape[2] * o.shape[3] * (conv.InChannels / conv.Groups) * conv.KernelSize.h * conv.KernelSize.w));
                    break;
                case Torch.Modules.Linear lin:
                    hooks.Add(lin.register_forward_hook((_, _, _) => macs += lin.InFeatures * lin.OutFeatures));
                    break;
            }
        bool training = net.training;
        net.eval();
        try
        {
            using (torch.no_grad())
            using (torch.NewDisposeScope())
                net.call(torch.randn(1, net.Spec.InChannels, resolution, resolution));
        }
        finally
        {
            foreach (var h in hooks) h.Dispose();
            net.train(training);
        }
        return macs;
    }

    [Fact]
    public void RegistrationIsExplicitAndCodesAreUnique()
    {
        var registry = new BlockKindRegistry();
        registry.Register(BlockKinds.InvertedResidual);
        var duplicate = Assert.Throws<ArgumentException>(() => registry.Register(BlockKinds.InvertedResidual));
        Assert.Contains("'ir'", duplicate.Message);
        Assert.Contains("already registered", duplicate.Message);
        var unknown = Assert.Throws<SpecFormatException>(() => BlockSpec.Parse("sg_r1_k3_s1_t2_c16", registry));
        Assert.Contains("unknown block type 'sg'", unknown.Message);
        Assert.Equal(BlockKinds.InvertedResidual, BlockSpec.Parse("ir_r1_k3_s1_e6_c16", registry).Kind);
    }

    [Fact]
    public void AKindRefusesTheTokensItDoesNotTake()
    {
        var e = Assert.Throws<SpecFormatException>(() => BlockSpec.Parse("ds_r1_k3_s1_t2_c16"));
        Assert.Contains("'ds' blocks take no t token", e.Message);
        e = Assert.Throws<SpecFormatException>(() => BlockSpec.Parse("ir_r1_k3_s1_d2_c16"));
        Assert.Contains("'ir' blocks take no d token", e.Message);
        e = Assert.Throws<SpecFormatException>(() => BlockSpec.Parse("dc_r1_k3_s2_c16"));
        Assert.Contains("'dc' blocks take no k token", e.Message);
    }
}

/// <summary>The cell kind is built, counted and exported as a stack: DARTS's published cells, small, with the auxiliary head.</summary>
public class PublishedCellTests
{
    public static TheoryData<string> Genotypes() => new("darts_v1", "darts_v2", "pc_darts");

    private static NetworkSpec Small(string genotype)
    {
        var path = Path.Combine(Research.Search.Tests.TestPaths.Repo, "search-spaces", "genotypes", genotype + ".json");
        var file = Cells.GenotypeFile.Load(path);
        return (file.Network with { Cells = 5, Channels = 8, Reductions = null }).ToSpec(file.Genotype, genotype);
    }

    [Theory]
    [MemberData(nameof(Genotypes))]
    public void CountsAndExportsEqualTheBuiltNetwork(string genotype)
    {
        var spec = Small(genotype);
        Assert.NotNull(spec.Auxiliary);
        var cost = CostModel.Estimate(spec);
        using var net = OnnxExportTests.Randomised(spec, 3);
        Assert.Equal(cost.Params, net.parameters().Sum(p => p.numel()));
        Assert.Equal(cost.InferenceParams, net.named_parameters().Where(p => !p.name.StartsWith("auxiliary.")).Sum(p => p.parameter.numel()));
        Assert.Equal(cost.Macs, BlockKindRegistryTests.RunTimeMacs(net, spec.Resolution));
        var (ours, runtime) = OnnxExportTests.Compare(net, 2, spec.Resolution, dynamicBatch: true);
        Assert.True(OnnxExportTests.MaxAbsDifference(ours, runtime) < 1e-4);
    }

    [Fact]
    public void TheAuxiliaryHeadRunsInTrainingOnlyAndTheEpochScheduleScalesDropPath()
    {
        var spec = Small("darts_v2") with { Classes = 7 };
        torch.manual_seed(0);
        using var net = NetworkBuilder.Build(spec);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(3, 3, 32, 32);
        net.train();
        net.SetEpoch(0, 10);
        var a = net.call(x);
        Assert.NotNull(net.AuxiliaryLogits);
        Assert.Equal(new long[] { 3, 7 }, net.AuxiliaryLogits!.shape);
        Assert.Equal(0.4, net.AuxiliaryWeight);
        // Epoch 0 of DARTS's schedule drops nothing, so two training passes (BN in batch mode) agree.
        var b = net.call(x);
        Assert.True(torch.allclose(a, b));
        net.SetEpoch(9, 10);
        var c = net.call(x);
        Assert.False(torch.allclose(a, c), "at epoch 9 of 10 the drop rate is 0.18 and paths are dropped");
        net.eval();
        net.call(x);
        Assert.Null(net.AuxiliaryLogits);
    }
}
