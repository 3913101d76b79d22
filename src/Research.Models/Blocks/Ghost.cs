namespace Research.Models.Blocks;

/// <summary>
/// GhostNet's module: a primary 1×1 conv makes ⌈out/2⌉ intrinsic maps, a cheap depthwise 3×3
/// makes as many "ghost" maps from them; both are concatenated and sliced to the output width.
/// </summary>
public sealed class GhostModule : Module<Tensor, Tensor>
{
    private readonly int _out;

    public GhostModule(int inChannels, int outChannels, bool relu, BlockContext ctx) : base(nameof(GhostModule))
    {
        _out = outChannels;
        int init = (outChannels + 1) / 2;
        var act = relu ? Activation.ReLU : Activation.None;
        Primary = new ConvBnAct(inChannels, init, 1, 1, 1, act, ctx);
        Cheap = new ConvBnAct(init, init, 3, 1, init, act, ctx);
        register_module("primary", Primary);
        register_module("cheap", Cheap);
    }

    public ConvBnAct Primary { get; }
    public ConvBnAct Cheap { get; }
    /// <summary>The output width (the concatenation is sliced to it).</summary>
    public int OutChannels => _out;

    public override Tensor forward(Tensor x)
    {
        var a = Primary.call(x);
        var y = torch.cat([a, Cheap.call(a)], 1);
        return y.size(1) == _out ? y : y.narrow(1, 0, _out);
    }
}

/// <summary>
/// GhostNet's bottleneck: Ghost module (with ReLU) to the mid width, a depthwise k×k with BN
/// when striding, optional squeeze-excite, Ghost module (linear) to the output width; the
/// shortcut is the identity when shapes match, else depthwise k×k + BN + 1×1 + BN.
/// </summary>
public sealed class GhostBottleneck : Module<Tensor, Tensor>
{
    private readonly DropRate _drop;

    public GhostBottleneck(int inChannels, BlockSpec spec, int stride, BlockContext ctx) : base(nameof(GhostBottleneck))
    {
        int mid = spec.Hidden(inChannels, ctx.ChannelDivisor);
        Ghost1 = new GhostModule(inChannels, mid, relu: true, ctx);
        register_module("ghost1", Ghost1);
        if (stride > 1)
        {
            Depthwise = new ConvBnAct(mid, mid, spec.Kernel, stride, mid, Activation.None, ctx);
            register_module("depthwise", Depthwise);
        }
        if (spec.SE is { } se)
        {
            SE = SqueezeExcitation.For(se, inChannels, mid, spec.Activation, ctx.ChannelDivisor);
            register_module("se", SE);
        }
        Ghost2 = new GhostModule(mid, spec.OutChannels, relu: false, ctx);
        register_module("ghost2", Ghost2);
        IdentityShortcut = stride == 1 && inChannels == spec.OutChannels;
        if (!IdentityShortcut && !spec.NoSkip)
        {
            Shortcut = torch.nn.Sequential(
                new ConvBnAct(inChannels, inChannels, spec.Kernel, stride, inChannels, Activation.None, ctx),
                new ConvBnAct(inChannels, spec.OutChannels, 1, 1, 1, Activation.None, ctx));
            register_module("shortcut", Shortcut);
        }
        if (spec.NoSkip) IdentityShortcut = false;
        _drop = ctx.Drop;
    }

    public GhostModule Ghost1 { get; }
    public ConvBnAct? Depthwise { get; }
    public SqueezeExcitation? SE { get; }
    public GhostModule Ghost2 { get; }
    public Sequential? Shortcut { get; }
    public bool IdentityShortcut { get; }

    public override Tensor forward(Tensor x)
    {
        var y = Ghost1.call(x);
        if (Depthwise is not null) y = Depthwise.call(y);
        if (SE is not null) y = SE.call(y);
        y = Ghost2.call(y);
        if (IdentityShortcut) return _drop.Apply(y, training) + x;
        return Shortcut is null ? y : y + Shortcut.call(x);
    }
}

/// <summary>gb: GhostNet's bottleneck.</summary>
public sealed class GhostBottleneckKind : BlockKind
{
    public override string Code => "gb";
    public override string Description => "Ghost bottleneck: Ghost module + [depthwise when striding] + [SE] + linear Ghost module (GhostNet)";
    public override BlockTokens Accepts =>
        BlockTokens.Kernel | BlockTokens.Activation | BlockTokens.Expansion | BlockTokens.ExpandedChannels | BlockTokens.SqueezeExcite | BlockTokens.NoSkip;
    public override BlockTokens Requires => BlockTokens.Expansion | BlockTokens.ExpandedChannels;
    public override IReadOnlyList<string> Examples => ["gb_r1_k5_s2_x72_c40_hse0.25_arelu", "gb_r2_k3_s1_e3_c16_arelu", "gb_r1_k3_s1_e2_c24_arelu_noskip"];

    public override Module<Tensor, Tensor> Build(BlockPlace place, BlockContext ctx) => new GhostBottleneck(place.InChannels, place.Spec, place.Stride, ctx);

    public override void Cost(CostWalker w, string p, BlockPlace place, int divisor)
    {
        var b = place.Spec;
        int inC = place.InChannels, stride = place.Stride, mid = place.Hidden(divisor);
        var input = w.Shape;
        Ghost(w, p + ".ghost1", mid);
        if (stride > 1) w.ConvBn(p + ".depthwise", mid, b.Kernel, stride, mid);
        if (b.SE is { } se) w.SE(p + ".se", SqueezeExcitation.SqueezeChannels(se, inC, mid, divisor));
        Ghost(w, p + ".ghost2", b.OutChannels);
        if (!(stride == 1 && inC == b.OutChannels) && !b.NoSkip)
        {
            var output = w.Shape;
            w.Shape = input;
            w.ConvBn(p + ".shortcut.0", inC, b.Kernel, stride, inC);
            w.ConvBn(p + ".shortcut.1", b.OutChannels, 1, 1, 1);
            w.Shape = output;
        }
    }

    private static void Ghost(CostWalker w, string p, int outC)
    {
        int init = (outC + 1) / 2;
        w.ConvBn(p + ".primary", init, 1, 1, 1);
        w.ConvBn(p + ".cheap", init, 3, 1, init);
        w.Channels = outC;
    }

    public override IReadOnlyList<Type> ModuleTypes => [typeof(GhostBottleneck), typeof(GhostModule)];

    public override string Export(OnnxEmitter e, Module module, string x, string path)
    {
        if (module is GhostModule gm) return Ghost(e, gm, x, path);
        var gb = (GhostBottleneck)module;
        var y = Ghost(e, gb.Ghost1, x, path + ".ghost1");
        if (gb.Depthwise is not null) y = e.Module(gb.Depthwise, y, path + ".depthwise");
        if (gb.SE is not null) y = SqueezeExcitation.Export(e, gb.SE, y, path + ".se");
        y = Ghost(e, gb.Ghost2, y, path + ".ghost2");
        if (gb.IdentityShortcut) return e.Add(y, x);
        return gb.Shortcut is null ? y : e.Add(y, e.Module(gb.Shortcut, x, path + ".shortcut"));
    }

    private static string Ghost(OnnxEmitter e, GhostModule gm, string x, string path)
    {
        var a = e.Module(gm.Primary, x, path + ".primary");
        var y = e.Concat(a, e.Module(gm.Cheap, a, path + ".cheap"));
        return gm.Primary.Conv.OutChannels * 2 == gm.OutChannels ? y : e.SliceChannels(y, 0, gm.OutChannels);
    }

    /// <summary>The official code's bottleneck (see OfficialGhostNetNames).</summary>
    public override IReadOnlyDictionary<string, BlockNames> WeightNames { get; } = new Dictionary<string, BlockNames>
    {
        ["official.ghostnet"] = (names, block, ours, theirs) =>
        {
            var g = (GhostBottleneck)block;
            foreach (var ghost in new[] { "ghost1", "ghost2" })
            {
                names.ConvBnSequential($"{ours}.{ghost}.primary", $"{theirs}.{ghost}.primary_conv");
                names.ConvBnSequential($"{ours}.{ghost}.cheap", $"{theirs}.{ghost}.cheap_operation");
            }
            if (g.Depthwise is not null) names.ConvBn(ours + ".depthwise", theirs + ".conv_dw", theirs + ".bn_dw");
            if (g.SE is not null)
            {
                names.Add(ours + ".se.fc1", theirs + ".se.conv_reduce");
                names.Add(ours + ".se.fc2", theirs + ".se.conv_expand");
            }
            if (g.Shortcut is not null)
            {
                names.ConvBn(ours + ".shortcut.0", theirs + ".shortcut.0", theirs + ".shortcut.1");
                names.ConvBn(ours + ".shortcut.1", theirs + ".shortcut.2", theirs + ".shortcut.3");
            }
        },
    };
}
