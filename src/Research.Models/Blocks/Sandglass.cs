namespace Research.Models.Blocks;

/// <summary>
/// MobileNeXt's sandglass block, by the official code's rules: depthwise 3×3 + BN + ReLU6 on
/// the wide input, linear 1×1 reduction to the hidden width, 1×1 expansion + BN + ReLU6, and a
/// linear depthwise 3×3 carrying the stride; the shortcut joins the wide ends when stride = 1
/// and in = out. Which convolutions exist is <see cref="SandglassLayout"/>'s rule, shared with
/// the cost rule.
/// </summary>
public sealed class Sandglass : Module<Tensor, Tensor>
{
    private readonly DropRate _drop;

    public Sandglass(BlockPlace place, BlockContext ctx) : base(nameof(Sandglass))
    {
        var spec = place.Spec;
        int inChannels = place.InChannels, outChannels = spec.OutChannels;
        var layout = SandglassLayout.Of(place);
        Hidden = layout.Hidden;
        if (layout.DepthwiseIn)
        {
            DepthwiseIn = new ConvBnAct(inChannels, inChannels, spec.Kernel, 1, inChannels, spec.Activation, ctx);
            register_module("depthwise_in", DepthwiseIn);
        }
        Reduce = new ConvBnAct(inChannels, Hidden, 1, 1, 1, Activation.None, ctx);
        Expand = new ConvBnAct(Hidden, outChannels, 1, 1, 1, spec.Activation, ctx);
        register_module("reduce", Reduce);
        register_module("expand", Expand);
        if (layout.DepthwiseOut)
        {
            DepthwiseOut = new ConvBnAct(outChannels, outChannels, spec.Kernel, place.Stride, outChannels, Activation.None, ctx);
            register_module("depthwise_out", DepthwiseOut);
        }
        HasResidual = layout.Residual;
        _drop = ctx.Drop;
    }

    public int Hidden { get; }
    public ConvBnAct? DepthwiseIn { get; }
    public ConvBnAct Reduce { get; }
    public ConvBnAct Expand { get; }
    public ConvBnAct? DepthwiseOut { get; }
    public bool HasResidual { get; }

    /// <summary>Hidden = ⌊in/t⌋, raised to make_divisible(⌈out/6⌉, 16) when below out/6.</summary>
    public static int HiddenChannels(int inChannels, int outChannels, double t) => SandglassLayout.HiddenChannels(inChannels, outChannels, t);

    public override Tensor forward(Tensor x)
    {
        var y = DepthwiseIn is null ? x : DepthwiseIn.call(x);
        y = Expand.call(Reduce.call(y));
        if (DepthwiseOut is not null) y = DepthwiseOut.call(y);
        return HasResidual ? _drop.Apply(y, training) + x : y;
    }
}

/// <summary>
/// Which parts a sandglass block has, by the official code: the first depthwise is kept when
/// t = 2, in = out, or in the first block of a one-block stride-1 stage (which then has no
/// shortcut); the last also when the block strides.
/// </summary>
public readonly record struct SandglassLayout(int Hidden, bool DepthwiseIn, bool DepthwiseOut, bool Residual)
{
    public static SandglassLayout Of(BlockPlace place)
    {
        var spec = place.Spec;
        int inC = place.InChannels, outC = spec.OutChannels;
        double t = spec.Reduction ?? throw new ArgumentException($"block '{spec}': sandglass needs t");
        bool keepBoth = place.RepeatIndex == 0 && spec.Repeats == 1 && spec.Stride == 1;
        bool full = t == 2 || inC == outC || keepBoth;
        return new SandglassLayout(HiddenChannels(inC, outC, t), full, full || place.Stride > 1,
            place.Stride == 1 && inC == outC && !keepBoth && !spec.NoSkip);
    }

    public static int HiddenChannels(int inChannels, int outChannels, double t)
    {
        int h = (int)Math.Floor(inChannels / t);
        if (h < outChannels / 6.0) h = Rounding.MakeDivisible(Math.Ceiling(outChannels / 6.0), 16);
        return h;
    }
}

/// <summary>sg: MobileNeXt's sandglass block.</summary>
public sealed class SandglassKind : BlockKind
{
    public override string Code => "sg";
    public override string Description => "sandglass: depthwise + linear 1x1 reduce (t) + 1x1 expand + linear depthwise (MobileNeXt)";
    public override BlockTokens Accepts => BlockTokens.Kernel | BlockTokens.Activation | BlockTokens.Reduction | BlockTokens.NoSkip;
    public override BlockTokens Requires => BlockTokens.Reduction;
    public override IReadOnlyList<string> Examples => ["sg_r3_k3_s2_t6_c32_arelu6", "sg_r1_k3_s1_t2_c16_arelu6", "sg_r2_k3_s1_t2_c24_arelu6_noskip"];

    public override Module<Tensor, Tensor> Build(BlockPlace place, BlockContext ctx) => new Sandglass(place, ctx);

    public override void Cost(CostWalker w, string p, BlockPlace place, int divisor)
    {
        var b = place.Spec;
        var layout = SandglassLayout.Of(place);
        if (layout.DepthwiseIn) w.ConvBn(p + ".depthwise_in", place.InChannels, b.Kernel, 1, place.InChannels);
        w.ConvBn(p + ".reduce", layout.Hidden, 1, 1, 1);
        w.ConvBn(p + ".expand", b.OutChannels, 1, 1, 1);
        if (layout.DepthwiseOut) w.ConvBn(p + ".depthwise_out", b.OutChannels, b.Kernel, place.Stride, b.OutChannels);
    }

    public override IReadOnlyList<Type> ModuleTypes => [typeof(Sandglass)];

    public override string Export(OnnxEmitter e, Module module, string x, string path)
    {
        var sg = (Sandglass)module;
        var y = sg.DepthwiseIn is null ? x : e.Module(sg.DepthwiseIn, x, path + ".depthwise_in");
        y = e.Module(sg.Expand, e.Module(sg.Reduce, y, path + ".reduce"), path + ".expand");
        if (sg.DepthwiseOut is not null) y = e.Module(sg.DepthwiseOut, y, path + ".depthwise_out");
        return sg.HasResidual ? e.Add(y, x) : y;
    }

    /// <summary>The official code's `conv` Sequential in its three layouts (see OfficialMobileNeXtNames).</summary>
    public override IReadOnlyDictionary<string, BlockNames> WeightNames { get; } = new Dictionary<string, BlockNames>
    {
        ["official.mobilenext"] = (names, block, ours, theirs) =>
        {
            var sg = (Sandglass)block;
            if (sg.DepthwiseIn is not null)
            {
                names.ConvBn(ours + ".depthwise_in", theirs + ".0", theirs + ".1");
                names.ConvBn(ours + ".reduce", theirs + ".3", theirs + ".4");
                names.ConvBn(ours + ".expand", theirs + ".5", theirs + ".6");
                names.ConvBn(ours + ".depthwise_out", theirs + ".8", theirs + ".9");
            }
            else
            {
                names.ConvBn(ours + ".reduce", theirs + ".0", theirs + ".1");
                names.ConvBn(ours + ".expand", theirs + ".2", theirs + ".3");
                if (sg.DepthwiseOut is not null) names.ConvBn(ours + ".depthwise_out", theirs + ".5", theirs + ".6");
            }
        },
    };
}
