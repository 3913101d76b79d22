using Research.Models.Cost;
using Research.Models.Networks;
using Research.Torch.Modules;

namespace Research.Models.Tests;

public class BuiltModelTests
{
    public static TheoryData<string> Models() => new(ModelRegistry.Default.Entries.Select(e => e.Name));

    [Theory]
    [MemberData(nameof(Models))]
    public void ForwardBackwardGivesTheRightShapeAndGradients(string name)
    {
        torch.manual_seed(0);
        var spec = ModelRegistry.Default.Create(name, new ModelOptions { Classes = 7, InChannels = 1, Resolution = 64 });
        using var net = NetworkBuilder.Build(spec);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 1, 64, 64);
        var y = net.call(x);
        Assert.Equal(new long[] { 2, 7 }, y.shape);
        y.sum().backward();
        Assert.All(net.parameters(), p => Assert.NotNull(p.grad));
    }

    /// <summary>The cost model, counted from the spec, equals counting the built modules with forward hooks, layer by layer.</summary>
    [Theory]
    [MemberData(nameof(Models))]
    public void CostModelMatchesHooksOnARealForwardPass(string name)
    {
        var spec = ModelRegistry.Default.Create(name, new ModelOptions { Classes = 10, Resolution = 96 });
        var estimate = CostModel.Estimate(spec);
        using var net = NetworkBuilder.Build(spec);
        net.eval();
        var counted = new Dictionary<string, long>();
        var hooks = new List<IDisposable>();
        foreach (var (path, m) in net.named_modules())
        {
            switch (m)
            {
                case Torch.Modules.Conv2d conv:
                    hooks.Add(conv.register_forward_hook((_, _, o) =>
                    {
                        var s = o.shape;
                        counted[path] = s[1] * s[2] * s[3] * (conv.InChannels / conv.Groups) * conv.KernelSize.h * conv.KernelSize.w;
                    }));
                    break;
                case Torch.Modules.Linear lin:
                    hooks.Add(lin.register_forward_hook((_, _, _) => counted[path] = lin.InFeatures * lin.OutFeatures));
                    break;
            }
        }
        using (torch.no_grad())
        using (torch.NewDisposeScope())
            net.call(torch.zeros(1, 3, 96, 96));
        foreach (var h in hooks) h.Dispose();

        var expected = estimate.Layers.Where(l => l.Kind is "conv" or "linear").ToDictionary(l => l.Name, l => l.Macs);
        Assert.Equal(expected.Keys.Order(), counted.Keys.Order());
        foreach (var (layer, macs) in expected) Assert.True(macs == counted[layer], $"{layer}: cost model {macs}, hooks {counted[layer]}");
        Assert.Equal(estimate.Params, net.parameters().Sum(p => p.numel()));
        var perLayer = net.named_parameters().GroupBy(p => p.name[..p.name.LastIndexOf('.')]).ToDictionary(g => g.Key, g => g.Sum(p => p.parameter.numel()));
        foreach (var l in estimate.Layers) Assert.True(perLayer[l.Name] == l.Params, $"{l.Name}: cost model {l.Params}, module {perLayer[l.Name]}");
    }

    [Fact]
    public void SmallInputKeepsFullResolutionThroughTheStem()
    {
        var spec = ModelRegistry.Default.Create("shufflenet_v2_x0_5", new ModelOptions { Classes = 10, InChannels = 1, Resolution = 28, SmallInput = true });
        var cost = CostModel.Estimate(spec);
        var stem = cost.Layers.First(l => l.Name.StartsWith("stem"));
        Assert.Equal(28, stem.OutHeight);
        using var net = NetworkBuilder.Build(spec);
        using var scope = torch.NewDisposeScope();
        Assert.Equal(new long[] { 3, 10 }, net.call(torch.randn(3, 1, 28, 28)).shape);
        var big = CostModel.Estimate(spec with { SmallInput = false });
        Assert.True(cost.Macs > 10 * big.Macs, "stride-1 stem without pooling should cost ~16x more at the same resolution");
        Assert.Equal(big.Params, cost.Params);
    }

    [Fact]
    public void WidthMultiplierFollowsTorchvisionRounding()
    {
        // torchvision.models.mobilenet_v2(width_mult=0.5): 1,968,680 parameters (head stays 1280).
        Assert.Equal(1_968_680, CostModel.Estimate(ModelRegistry.Default.Create("mobilenet_v2", new ModelOptions { WidthMultiplier = 0.5 })).Params);
        // torchvision.models.mobilenet_v3_large(width_mult=0.75): 3,377,576; efficientnet_b0(num_classes=10): 4,020,358.
        Assert.Equal(3_377_576, CostModel.Estimate(ModelRegistry.Default.Create("mobilenet_v3_large", new ModelOptions { WidthMultiplier = 0.75 })).Params);
        Assert.Equal(4_020_358, CostModel.Estimate(ModelRegistry.Default.Create("efficientnet_b0", new ModelOptions { Classes = 10 })).Params);
        // GhostNet 0.5x from the official code: 2,587,292 parameters.
        Assert.Equal(2_587_292, CostModel.Estimate(ModelRegistry.Default.Create("ghostnet_1_0", new ModelOptions { WidthMultiplier = 0.5 })).Params);
        Assert.Throws<ArgumentException>(() => ModelRegistry.Default.Create("shufflenet_v2_x1_0", new ModelOptions { WidthMultiplier = 0.5 }));
    }

    [Fact]
    public void RegistryThrowsOnDuplicatesAndUnknownNames()
    {
        var r = new ModelRegistry();
        var e = ModelRegistry.Default.Get("mobilenet_v2");
        r.Register(e);
        var dup = Assert.Throws<ArgumentException>(() => r.Register(e));
        Assert.Contains("mobilenet_v2", dup.Message);
        var unknown = Assert.Throws<ArgumentException>(() => ModelRegistry.Default.Create("mobilenet"));
        Assert.Contains("'mobilenet'", unknown.Message);
    }
}
