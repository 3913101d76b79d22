namespace Research.Models.Blocks;

/// <summary>
/// DARTS's stage of activation, depthwise k×k (dilation d, "same" padding d·(k−1)/2, carrying the
/// stride), 1×1 and BN: dil_conv is one, sep_conv two. Not a module of its own: its parts register
/// in the owning block as act{n}, depthwise{n} and pointwise{n}, the names DilConv and SepConv
/// have always had, so weights and ONNX graphs keep their names.
/// </summary>
internal sealed class ActDepthwisePointwise
{
    private readonly string _suffix;

    /// <param name="suffix">what follows the part names in the owner ("" for dil_conv, "1" and "2" for sep_conv)</param>
    public ActDepthwisePointwise(Module owner, string suffix, int inChannels, int outChannels, int kernel, int stride, int dilation,
        Activation activation, BlockContext ctx)
    {
        _suffix = suffix;
        Act = Activations.Create(activation);
        Depthwise = torch.nn.Conv2d(inChannels, inChannels, kernel, stride, dilation * (kernel - 1) / 2, dilation: dilation, groups: inChannels, bias: false);
        Pointwise = new ConvBnAct(inChannels, outChannels, 1, 1, 1, Activation.None, ctx);
        if (Act is not null) owner.register_module("act" + suffix, Act);
        owner.register_module("depthwise" + suffix, Depthwise);
        owner.register_module("pointwise" + suffix, Pointwise);
    }

    public Module<Tensor, Tensor>? Act { get; }
    public Torch.Modules.Conv2d Depthwise { get; }
    public ConvBnAct Pointwise { get; }

    public Tensor Forward(Tensor x) => Pointwise.call(Depthwise.call(Act is null ? x : Act.call(x)));

    /// <summary>The stage's parameters and MACs, from the spec alone (as <see cref="BlockKind.Cost"/> counts without building).</summary>
    public static void Cost(CostWalker w, string path, string suffix, int inChannels, int outChannels, int kernel, int stride, int dilation)
    {
        w.Conv(path + ".depthwise" + suffix, inChannels, kernel, stride, inChannels, bias: false, dilation: dilation);
        w.ConvBn(path + ".pointwise" + suffix, outChannels, 1, 1, 1);
    }

    public string Export(OnnxEmitter e, string x, string path)
    {
        var y = e.Conv(e.Activation(Act, x, path + ".act" + _suffix), Depthwise, null, path + ".depthwise" + _suffix);
        return e.Module(Pointwise, y, path + ".pointwise" + _suffix);
    }
}
