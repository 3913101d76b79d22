using Research.Models.Cells;
using Research.Models.Specs;
using Research.Search.Darts;
using Research.Training.Data;
using Research.Training;

// Searches and training runs share torch's global generator (manual_seed), so these tests must not run side by side.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Research.Search.Tests;

public class DartsTests
{
    public const string TinySpace = """
        name: tiny
        ops:
          none: none
          skip_connect: skip
          max_pool_3x3: max_pool_k3
          mbconv_k3_e2: ir_k3_e2_arelu_noskip
          shuffle_v2: sh_k3_arelu
        nodes: 2
        supernet: {cells: 2, channels: 4, stem_multiplier: 1, stem_stride: 2, reductions: [1]}
        network: {cells: 3, channels: 4, stem_multiplier: 2, reductions: [1]}
        """;

    private static SearchSpace Space => SearchSpace.Parse(TinySpace, "tiny.yaml");

    // Smooth ops (SiLU, average pooling) so the loss is differentiable around the test point:
    // central differences only match the exact product where no ReLU or max-pool kink is crossed.
    private static SearchSpace SmoothSpace => SearchSpace.Parse(TinySpace.Replace("max_pool_k3", "avg_pool_k3").Replace("arelu", "asilu"), "smooth.yaml");

    private static double RelativeError(Tensor?[] a, Tensor?[] b)
    {
        double num = 0, den = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] is null && b[i] is null) continue;
            using var d = a[i]! - b[i]!;
            num += d.pow(2).sum().item<double>();
            den += b[i]!.pow(2).sum().item<double>();
        }
        return Math.Sqrt(num / den);
    }

    [Fact]
    public void FiniteDifferenceHessianVectorProductMatchesAutograd()
    {
        torch.manual_seed(3);
        using var net = new Supernet(SmoothSpace, 1, 3, 8);
        net.to(ScalarType.Float64);
        using var architect = new Architect(net, new DartsConfig());
        using var scope = torch.NewDisposeScope();
        var x = torch.randn([2, 1, 8, 8], ScalarType.Float64);
        var y = torch.tensor(new long[] { 0, 2 });
        var weights = net.WeightParameters.ToList();
        var v = weights.Select(p => torch.randn(p.shape, ScalarType.Float64)).ToList();
        var before = weights.Select(p => p.detach().clone()).ToList();

        var fd = architect.FiniteDifferenceHvp(x, y, v);

        // Exact: ∇α (∇w L · v), differentiating through the gradient (create_graph).
        var loss = architect.Loss(x, y);
        var gw = torch.autograd.grad([loss], weights, create_graph: true, allow_unused: true);
        Tensor? dot = null;
        for (int i = 0; i < gw.Length; i++)
            if (gw[i] is { } g) dot = dot is null ? (g * v[i]).sum() : dot + (g * v[i]).sum();
        var exact = torch.autograd.grad([dot!], architect.Arch, allow_unused: true);

        Assert.NotNull(exact[0]);
        Assert.NotNull(exact[1]);
        double err = RelativeError(fd.Take(2).ToArray(), exact.Take(2).ToArray());
        Assert.True(err < 1e-3, $"relative error {err}");
        Assert.True(exact[0]!.abs().sum().item<double>() > 0);
        for (int i = 0; i < weights.Count; i++) Assert.True(weights[i].equal(before[i]), $"weight {i} was not restored");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void GradientsReachEveryArchitectureParameter(int partialChannels)
    {
        torch.manual_seed(1);
        using var net = new Supernet(Space, 1, 3, 8, partialChannels);
        using var architect = new Architect(net, new DartsConfig { PartialChannels = partialChannels });
        using var scope = torch.NewDisposeScope();
        var (loss, correct) = architect.StepFirstOrder(torch.randn([8, 1, 8, 8]), torch.tensor(new long[] { 0, 1, 2, 0, 1, 2, 0, 1 }));
        Assert.True(double.IsFinite(loss));
        Assert.InRange(correct, 0, 8);
        var names = net.Arch.named_parameters().ToList();
        Assert.Equal(["alphas_normal", "alphas_reduce", "betas_normal", "betas_reduce"], names.Select(n => n.name).ToArray());
        foreach (var (name, p) in names)
        {
            bool used = partialChannels > 1 || name.StartsWith("alphas", StringComparison.Ordinal);
            var g = p.grad;
            if (!used) { Assert.Null(g); continue; }
            Assert.NotNull(g);
            Assert.True(g!.abs().sum().item<float>() > 0, $"{name} got a zero gradient");
        }
        // The two groups are disjoint: no architecture parameter among the weights.
        var arch = net.ArchParameters.ToHashSet(ReferenceEqualityComparer.Instance);
        Assert.DoesNotContain(net.WeightParameters, p => arch.Contains(p));
        Assert.All(net.named_parameters().Where(p => p.name.StartsWith("arch.", StringComparison.Ordinal)), p => Assert.Contains(p.parameter, arch));
    }

    [Fact]
    public void SecondOrderStepMovesAlphasAndRestoresWeightsEvenWhenItThrows()
    {
        torch.manual_seed(2);
        using var net = new Supernet(Space, 1, 3, 8);
        using var architect = new Architect(net, new DartsConfig { Order = "second" });
        using var sgd = new Torch.Optim.SGD(net.WeightParameters, 0.025, momentum: 0.9, weight_decay: 3e-4);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn([8, 1, 8, 8]);
        var y = torch.tensor(new long[] { 0, 1, 2, 0, 1, 2, 0, 1 });
        var weights = net.WeightParameters.ToList();
        var before = weights.Select(p => p.detach().clone()).ToList();
        var alphas = net.Arch.AlphasNormal.detach().clone();

        architect.StepSecondOrder(x, y, x, y, 0.025, sgd);
        Assert.False(net.Arch.AlphasNormal.equal(alphas));
        for (int i = 0; i < weights.Count; i++) Assert.True(weights[i].equal(before[i]), $"weight {i} changed");

        var badLabels = torch.tensor(new long[] { 0, 1 }); // wrong batch size: fails after the virtual step
        Assert.Throws<TorchException>(() => architect.StepSecondOrder(x, y, x, badLabels, 0.025, sgd));
        for (int i = 0; i < weights.Count; i++) Assert.True(weights[i].equal(before[i]), $"weight {i} not restored after the failure");
    }

    private static readonly CellOp[] HandOps =
        [CellOp.Parse("none", "none"), CellOp.Parse("skip", "skip"), CellOp.Parse("pool", "max_pool_k3"), CellOp.Parse("conv", "ir_k3_e3_arelu")];

    // Two nodes: edges 0,1 into node 2 (from states 0, 1); edges 2,3,4 into node 3 (from 0, 1, 2). Ops: none, skip, pool, conv.
    private static readonly double[,] Hand =
    {
        { 0.7, 0.05, 0.05, 0.2 },
        { 0.1, 0.5, 0.3, 0.1 },
        { 0.5, 0.1, 0.3, 0.1 },
        { 0.2, 0.1, 0.1, 0.6 },
        { 0.05, 0.9, 0.03, 0.02 },
    };

    [Fact]
    public void DerivationKeepsTheTwoStrongestNonZeroEdgesPerNode()
    {
        var cell = GenotypeDerivation.DeriveCell(Hand, null, HandOps, 2);
        Assert.Equal("conv@0 skip@1 | conv@1 skip@2 ; concat 2,3", cell.ToString());
    }

    [Fact]
    public void SkipCapReplacesTheWeakestSkipByItsEdgesNextOp()
    {
        Assert.Equal("conv@0 pool@1 | conv@1 skip@2 ; concat 2,3", GenotypeDerivation.DeriveCell(Hand, null, HandOps, 2, skipCap: 1).ToString());
        Assert.Equal("conv@0 pool@1 | pool@0 conv@1 ; concat 2,3", GenotypeDerivation.DeriveCell(Hand, null, HandOps, 2, skipCap: 0).ToString());
    }

    [Fact]
    public void EdgeNormalisationWeighsTheEdgeChoice()
    {
        var cell = GenotypeDerivation.DeriveCell(Hand, [1, 1, 1, 0.1, 1], HandOps, 2);
        Assert.Equal("conv@0 skip@1 | pool@0 skip@2 ; concat 2,3", cell.ToString());
    }

    [Fact]
    public void RandomGenotypesAreSeededAndValid()
    {
        var a = GenotypeDerivation.Random(HandOps, 3, new Random(5));
        var b = GenotypeDerivation.Random(HandOps, 3, new Random(5));
        Assert.Equal(a, b);
        Assert.DoesNotContain(a.Normal.Edges.Concat(a.Reduce.Edges), e => e.Op == "none");
    }

    [Fact]
    public void ShippedSpacesLoad()
    {
        string root = TestPaths.Repo;
        foreach (var f in Directory.GetFiles(Path.Combine(root, "search-spaces"), "*.yaml"))
        {
            var s = SearchSpace.Load(f);
            Assert.Contains(s.Ops, o => o.IsZero);
            Assert.Contains(s.Ops, o => o.IsSkip);
        }
        var mobile = SearchSpace.Load(Path.Combine(root, "search-spaces", "mobile-blocks.yaml"));
        foreach (var code in new[] { "ir", "sg", "gb", "sh" })
            Assert.Contains(mobile.Ops, o => o.Template is { } t && t.Code == code);
    }

    [Theory]
    [InlineData("nodes: 2", "nodes: 2\nnodez: 3", "tiny.yaml:9: nodez: unknown key")]
    [InlineData("channels: 4, stem_multiplier: 1", "channels: four, stem_multiplier: 1", "supernet.channels: must be an integer")]
    [InlineData("ir_k3_e2_arelu_noskip", "ir_k3_e2_arelu_noskip_c8", "ops.mbconv_k3_e2")]
    [InlineData("ir_k3_e2_arelu_noskip", "ir_k3_q2", "unknown token")]
    [InlineData("reductions: [1]}\nnetwork", "reductions: [5]}\nnetwork", "reductions [5]")]
    public void BadSpaceFilesNameTheKey(string from, string to, string expected)
    {
        var e = Assert.Throws<SpecFormatException>(() => SearchSpace.Parse(TinySpace.Replace(from, to), "tiny.yaml"));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith("tiny.yaml", e.Message);
    }

    private static string[] Rows(string csv, int dropLast) =>
        File.ReadAllLines(csv).Select(l => string.Join(",", l.Split(',')[..^dropLast])).ToArray();

    [Fact]
    public void SearchWritesItsFilesAndResumesAfterAKillMidEpoch()
    {
        var data = Synthetic.Load(seed: 4, trainCount: 160, testCount: 20);
        var cfg = new DartsConfig { Epochs = 2, EvalImages = 32, PartialChannels = 2, Recipe = new() { BatchSize = 16, Seed = 7 } };
        var whole = Directory.CreateTempSubdirectory().FullName;
        var r = DartsSearch.Run(Space, data, "synthetic", cfg, new DartsOptions { OutDir = whole, MaxStepsPerEpoch = 3 });
        Assert.Equal(2, r.History.Count);
        Assert.True(File.Exists(Path.Combine(whole, "genotype.json")));
        Assert.Equal("epoch,train_loss,train_acc,val_loss,val_acc,alpha_entropy,expected_mmacs,expected_latency_ms,genotype_latency_ms,genotype,seconds,peak_memory_mib",
            File.ReadLines(Path.Combine(whole, "darts_epochs.csv")).First());
        var alphas = File.ReadAllLines(Path.Combine(whole, "alphas.csv"));
        Assert.Equal(1 + 2 * 2 * Space.Edges * Space.Ops.Count, alphas.Length); // epochs × cells × edges × ops
        var file = GenotypeFile.Load(Path.Combine(whole, "genotype.json"));
        Assert.Equal(r.Genotype, file);
        Assert.Equal(1, file.Network.InChannels);

        // Killed in epoch 2 (after its last step, before its checkpoint), then resumed.
        var killed = Directory.CreateTempSubdirectory().FullName;
        var kill = new Progress(p => { if (p.Epoch == 2 && p.Step == 3) throw new OperationCanceledException("killed"); });
        Assert.Throws<OperationCanceledException>(() =>
            DartsSearch.Run(Space, data, "synthetic", cfg, new DartsOptions { OutDir = killed, MaxStepsPerEpoch = 3, Progress = kill }));
        Assert.Single(File.ReadAllLines(Path.Combine(killed, "darts_epochs.csv")).Skip(1));
        Assert.Throws<ArgumentException>(() => DartsSearch.Run(Space, data, "synthetic", cfg, new DartsOptions { OutDir = killed, MaxStepsPerEpoch = 3 }));
        var resumed = DartsSearch.Run(Space, data, "synthetic", cfg, new DartsOptions { OutDir = killed, MaxStepsPerEpoch = 3, Resume = true });
        Assert.Equal(r.Genotype, resumed.Genotype);
        Assert.Equal(Rows(Path.Combine(whole, "darts_epochs.csv"), 2), Rows(Path.Combine(killed, "darts_epochs.csv"), 2));
        Assert.Equal(File.ReadAllLines(Path.Combine(whole, "alphas.csv")), File.ReadAllLines(Path.Combine(killed, "alphas.csv")));

        // Other settings cannot resume this search.
        Assert.Throws<ArgumentException>(() => DartsSearch.Run(Space, data, "synthetic", cfg with { MacsLambda = 0.1 },
            new DartsOptions { OutDir = killed, MaxStepsPerEpoch = 3, Resume = true }));
    }

    [Fact]
    public void MacsPenaltyPullsTowardsCheaperOps()
    {
        torch.manual_seed(5);
        using var net = new Supernet(Space, 1, 3, 8);
        using var scope = torch.NewDisposeScope();
        double before = net.ExpectedMacs().item<float>();
        using var architect = new Architect(net, new DartsConfig { MacsLambda = 1000, ArchLearningRate = 0.05 });
        var x = torch.randn([8, 1, 8, 8]);
        var y = torch.tensor(new long[] { 0, 1, 2, 0, 1, 2, 0, 1 });
        for (int i = 0; i < 5; i++) architect.StepFirstOrder(x, y);
        Assert.True(net.ExpectedMacs().item<float>() < before * 0.9, "expected MACs did not fall");
        // The table: the zero op, skip and pools cost nothing; the block does.
        int block = Space.OpNames.ToList().IndexOf("mbconv_k3_e2");
        Assert.Equal(0, net.NormalMacs[0, 0]);
        Assert.Equal(0, net.NormalMacs[0, 1]);
        Assert.True(net.NormalMacs[0, block] > 0);
    }

    private sealed class Progress(Action<TrainProgress> f) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value) => f(value);
    }
}
