using Research.Torch;
using Research.Torch.Modules;
using static Research.Torch.torch;

namespace Research.Cli.Benchmarks;

/// <summary>
/// Models for `bench train` until the model zoo exists: a tiny CNN, and MobileNetV2
/// built layer for layer as torchvision's (3,504,872 parameters at 1000 classes), so the
/// benchmark runs the same network as shared/bench/pytorch_train_step.py.
/// </summary>
public static class BenchModels
{
    public static readonly string[] Names = ["tiny_cnn", "mobilenet_v2"];

    public static Module<Tensor, Tensor> Create(string name, long inChannels, long classes) => name switch
    {
        "tiny_cnn" => TinyCnn(inChannels, classes),
        "mobilenet_v2" => MobileNetV2(inChannels, classes),
        _ => throw new ArgumentException($"--model {name}: unknown model; known: {string.Join(", ", Names)}"),
    };

    private static Sequential ConvBn(long cin, long cout, long k, long stride, long groups, bool relu6)
    {
        var s = nn.Sequential(nn.Conv2d(cin, cout, k, stride, (k - 1) / 2, groups: groups, bias: false), nn.BatchNorm2d(cout));
        if (relu6) s.append(nn.ReLU6());
        return s;
    }

    public static Sequential TinyCnn(long inChannels, long classes) => nn.Sequential(
        ConvBn(inChannels, 32, 3, 1, 1, true),
        ConvBn(32, 64, 3, 2, 1, true),
        ConvBn(64, 128, 3, 2, 1, true),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(128, classes));

    public static Sequential MobileNetV2(long inChannels, long classes)
    {
        var features = nn.Sequential(ConvBn(inChannels, 32, 3, 2, 1, true));
        long cin = 32;
        (long t, long c, long n, long s)[] settings = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)];
        foreach (var (t, c, n, s) in settings)
            for (long i = 0; i < n; i++)
            {
                features.append(new InvertedResidual(cin, c, i == 0 ? s : 1, t));
                cin = c;
            }
        features.append(ConvBn(cin, 1280, 1, 1, 1, true));
        var model = nn.Sequential(("features", features), ("pool", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()),
            ("classifier", nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, classes))));
        // torchvision's init: conv kaiming_normal(fan_out), BN (1, 0), linear N(0, 0.01) with zero bias.
        foreach (var (_, m) in model.named_modules())
            switch (m)
            {
                case Torch.Modules.Conv2d conv:
                    nn.init.kaiming_normal_(conv.weight, mode: nn.FanMode.FanOut, nonlinearity: "relu");
                    break;
                case Torch.Modules.Linear lin:
                    nn.init.normal_(lin.weight, 0, 0.01);
                    if (lin.bias is not null) nn.init.zeros_(lin.bias);
                    break;
            }
        return model;
    }

    private sealed class InvertedResidual : Module<Tensor, Tensor>
    {
        private readonly Sequential _conv;
        private readonly bool _residual;

        public InvertedResidual(long cin, long cout, long stride, long expand) : base(nameof(InvertedResidual))
        {
            long hidden = cin * expand;
            _residual = stride == 1 && cin == cout;
            _conv = nn.Sequential();
            if (expand != 1) _conv.append(ConvBn(cin, hidden, 1, 1, 1, true));
            _conv.append(ConvBn(hidden, hidden, 3, stride, hidden, true));
            _conv.append(ConvBn(hidden, cout, 1, 1, 1, false));
            register_module("conv", _conv);
        }

        public override Tensor forward(Tensor x) => _residual ? x + _conv.call(x) : _conv.call(x);
    }
}
