namespace Research.Models.Blocks;

/// <summary>
/// MBConv / inverted residual: 1×1 expansion (skipped when the hidden width equals the input),
/// depthwise k×k with the stride, optional squeeze-excite, linear 1×1 projection, and an
/// identity shortcut only when stride = 1 and in = out, with drop-connect on the branch.
/// </summary>
public sealed class InvertedResidual : Module<Tensor, Tensor>
{
    private readonly DropRate _drop;

    public InvertedResidual(int inChannels, BlockSpec spec, int stride, BlockContext ctx) : base(nameof(InvertedResidual))
    {
        int hidden = spec.Hidden(inChannels, ctx.ChannelDivisor);
        if (hidden != inChannels)
        {
            Expand = new ConvBnAct(inChannels, hidden, 1, 1, 1, spec.Activation, ctx);
            register_module("expand", Expand);
        }
        Depthwise = new ConvBnAct(hidden, hidden, spec.Kernel, stride, hidden, spec.Activation, ctx);
        register_module("depthwise", Depthwise);
        if (spec.SE is { } se)
        {
            SE = SqueezeExcitation.For(se, inChannels, hidden, spec.Activation, ctx.ChannelDivisor);
            register_module("se", SE);
        }
        Project = new ConvBnAct(hidden, spec.OutChannels, 1, 1, 1, Activation.None, ctx);
        register_module("project", Project);
        HasResidual = HasShortcut(inChannels, spec, stride);
        _drop = ctx.Drop;
    }

    public ConvBnAct? Expand { get; }
    public ConvBnAct Depthwise { get; }
    public SqueezeExcitation? SE { get; }
    public ConvBnAct Project { get; }
    public bool HasResidual { get; }

    public static bool HasShortcut(int inChannels, BlockSpec spec, int stride) => stride == 1 && inChannels == spec.OutChannels && !spec.NoSkip;

    public override Tensor forward(Tensor x)
    {
        var y = Expand is null ? x : Expand.call(x);
        y = Depthwise.call(y);
        if (SE is not null) y = SE.call(y);
        y = Project.call(y);
        return HasResidual ? _drop.Apply(y, training) + x : y;
    }
}

/// <summary>ir: the inverted residual / MBConv (MobileNetV2, EfficientNet, MobileNetV3's bneck).</summary>
public sealed class InvertedResidualKind : BlockKind
{
    public override string Code => "ir";
    public override string Description => "inverted residual / MBConv: [1x1 expand] + depthwise kxk + [SE] + linear 1x1 (MobileNetV2, EfficientNet)";
    public override BlockTokens Accepts =>
        BlockTokens.Kernel | BlockTokens.Activation | BlockTokens.Expansion | BlockTokens.ExpandedChannels | BlockTokens.SqueezeExcite | BlockTokens.NoSkip;
    public override IReadOnlyList<string> Examples =>
        ["ir_r2_k3_s2_e6_c24_se0.25_asilu", "ir_r2_k5_s1_x72_c16_hse0.25_ahswish", "ir_r1_k3_s1_e1_c16_arelu6", "ir_r2_k3_s1_e3_c16_arelu_noskip"];

    public override Module<Tensor, Tensor> Build(BlockPlace place, BlockContext ctx) => new InvertedResidual(place.InChannels, place.Spec, place.Stride, ctx);

    public override void Cost(CostWalker w, string p, BlockPlace place, int divisor)
    {
        var b = place.Spec;
        int inC = place.InChannels, hidden = place.Hidden(divisor);
        if (hidden != inC) w.ConvBn(p + ".expand", hidden, 1, 1, 1);
        w.ConvBn(p + ".depthwise", hidden, b.Kernel, place.Stride, hidden);
        if (b.SE is { } se) w.SE(p + ".se", SqueezeExcitation.SqueezeChannels(se, inC, hidden, divisor));
        w.ConvBn(p + ".project", b.OutChannels, 1, 1, 1);
    }

    public override IReadOnlyList<Type> ModuleTypes => [typeof(InvertedResidual)];

    public override string Export(OnnxEmitter e, Module module, string x, string path)
    {
        var ir = (InvertedResidual)module;
        var y = ir.Expand is null ? x : e.Module(ir.Expand, x, path + ".expand");
        y = e.Module(ir.Depthwise, y, path + ".depthwise");
        if (ir.SE is not null) y = SqueezeExcitation.Export(e, ir.SE, y, path + ".se");
        y = e.Module(ir.Project, y, path + ".project");
        return ir.HasResidual ? e.Add(y, x) : y;
    }

    /// <summary>torchvision's EfficientNet/MobileNetV3 (`block` Sequential), torchvision's MobileNetV2 (`conv`), timm's EfficientNet.</summary>
    public override IReadOnlyDictionary<string, BlockNames> WeightNames { get; } = new Dictionary<string, BlockNames>
    {
        ["torchvision.efficientnet"] = (names, block, ours, theirs) =>
        {
            var ir = (InvertedResidual)block;
            int j = 0;
            if (ir.Expand is not null) names.ConvBnSequential(ours + ".expand", $"{theirs}.{j++}");
            names.ConvBnSequential(ours + ".depthwise", $"{theirs}.{j++}");
            if (ir.SE is not null)
            {
                names.Add(ours + ".se.fc1", $"{theirs}.{j}.fc1");
                names.Add(ours + ".se.fc2", $"{theirs}.{j++}.fc2");
            }
            names.ConvBnSequential(ours + ".project", $"{theirs}.{j}");
        },
        ["torchvision.mobilenet_v2"] = (names, block, ours, theirs) =>
        {
            var ir = (InvertedResidual)block;
            int j = 0;
            if (ir.Expand is not null) names.ConvBnSequential(ours + ".expand", $"{theirs}.{j++}");
            names.ConvBnSequential(ours + ".depthwise", $"{theirs}.{j++}");
            names.ConvBn(ours + ".project", $"{theirs}.{j}", $"{theirs}.{j + 1}");
        },
        ["timm.efficientnet"] = (names, block, ours, theirs) =>
        {
            var ir = (InvertedResidual)block;
            if (ir.Expand is null)
            {
                names.ConvBn(ours + ".depthwise", theirs + ".conv_dw", theirs + ".bn1");
                names.ConvBn(ours + ".project", theirs + ".conv_pw", theirs + ".bn2");
            }
            else
            {
                names.ConvBn(ours + ".expand", theirs + ".conv_pw", theirs + ".bn1");
                names.ConvBn(ours + ".depthwise", theirs + ".conv_dw", theirs + ".bn2");
                names.ConvBn(ours + ".project", theirs + ".conv_pwl", theirs + ".bn3");
            }
            if (ir.SE is not null)
            {
                names.Add(ours + ".se.fc1", theirs + ".se.conv_reduce");
                names.Add(ours + ".se.fc2", theirs + ".se.conv_expand");
            }
        },
    };
}
