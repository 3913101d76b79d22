namespace Research.Models.Blocks;

/// <summary>
/// Squeeze-and-excitation: global pool → 1×1 conv (bias) → act → 1×1 conv (bias) → gate
/// (sigmoid, or hard-sigmoid), and the input scaled by the gate per channel.
/// </summary>
public sealed class SqueezeExcitation : Module<Tensor, Tensor>
{
    private readonly bool _hardGate;

    public SqueezeExcitation(int channels, int squeeze, Activation act, bool hardGate) : base(nameof(SqueezeExcitation))
    {
        Squeeze = squeeze;
        _hardGate = hardGate;
        Fc1 = torch.nn.Conv2d(channels, squeeze, 1);
        Fc2 = torch.nn.Conv2d(squeeze, channels, 1);
        Act = Activations.Create(act) ?? throw new ArgumentException("squeeze-excite needs an activation");
        register_module("fc1", Fc1);
        register_module("act", Act);
        register_module("fc2", Fc2);
    }

    public int Squeeze { get; }
    /// <summary>Hard-sigmoid gate (MobileNetV3, GhostNet) rather than sigmoid.</summary>
    public bool HardGate => _hardGate;
    public Torch.Modules.Conv2d Fc1 { get; }
    public Torch.Modules.Conv2d Fc2 { get; }
    public Module<Tensor, Tensor> Act { get; }

    /// <summary>
    /// The SE module a block spec asks for, on <paramref name="expanded"/> channels: plain SE uses the
    /// block's activation, hard SE uses ReLU and a hard-sigmoid gate.
    /// </summary>
    public static SqueezeExcitation For(SqueezeExcite se, int blockIn, int expanded, Activation blockActivation, int divisor) =>
        new(expanded, SqueezeChannels(se, blockIn, expanded, divisor), se.Hard ? Activation.ReLU : blockActivation, se.Hard);

    /// <summary>The squeeze width a spec asks for: plain SE from the block input, hard SE from the expanded width.</summary>
    public static int SqueezeChannels(SqueezeExcite se, int blockIn, int expanded, int divisor) =>
        se.Hard ? Rounding.MakeDivisible(Math.Floor(expanded * se.Ratio), divisor) : Math.Max(1, (int)Math.Floor(blockIn * se.Ratio));

    /// <summary>The ONNX nodes of a squeeze-excite module (shared by the kinds that use one).</summary>
    public static string Export(OnnxEmitter e, SqueezeExcitation se, string x, string path)
    {
        var s = e.GlobalAveragePool(x);
        s = e.Conv(s, se.Fc1, null, path + ".fc1");
        s = e.Activation(se.Act, s, path + ".act");
        s = e.Conv(s, se.Fc2, null, path + ".fc2");
        s = se.HardGate ? e.HardSigmoid(s) : e.Node("Sigmoid", [s]);
        return e.Mul(x, s);
    }

    public override Tensor forward(Tensor x)
    {
        var s = torch.nn.functional.adaptive_avg_pool2d(x, 1);
        s = Fc2.call(Act.call(Fc1.call(s)));
        s = _hardGate ? torch.nn.functional.hardsigmoid(s) : torch.nn.functional.sigmoid(s);
        return x * s;
    }
}
