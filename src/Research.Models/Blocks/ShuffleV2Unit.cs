namespace Research.Models.Blocks;

/// <summary>
/// ShuffleNetV2's unit. Stride 1: split the channels in half, transform one half
/// (1×1 + BN + act, depthwise k×k + BN, 1×1 + BN + act), concatenate, shuffle. Stride 2:
/// both branches see the whole input (the left one: depthwise k×k + BN, 1×1 + BN + act),
/// doubling the width while halving the resolution.
/// </summary>
public sealed class ShuffleV2Unit : Module<Tensor, Tensor>
{
    public ShuffleV2Unit(int inChannels, BlockSpec spec, int stride, BlockContext ctx) : base(nameof(ShuffleV2Unit))
    {
        int branch = spec.OutChannels / 2;
        Stride = stride;
        if (stride == 1 && inChannels != spec.OutChannels)
            throw new ArgumentException($"block '{spec}': a stride-1 ShuffleNetV2 unit needs in = out channels, got {inChannels} → {spec.OutChannels}");
        if (stride > 1)
        {
            Left = torch.nn.Sequential(
                new ConvBnAct(inChannels, inChannels, spec.Kernel, stride, inChannels, Activation.None, ctx),
                new ConvBnAct(inChannels, branch, 1, 1, 1, spec.Activation, ctx));
            register_module("left", Left);
        }
        Right = torch.nn.Sequential(
            new ConvBnAct(stride > 1 ? inChannels : branch, branch, 1, 1, 1, spec.Activation, ctx),
            new ConvBnAct(branch, branch, spec.Kernel, stride, branch, Activation.None, ctx),
            new ConvBnAct(branch, branch, 1, 1, 1, spec.Activation, ctx));
        register_module("right", Right);
    }

    public int Stride { get; }
    public Sequential? Left { get; }
    public Sequential Right { get; }

    public override Tensor forward(Tensor x)
    {
        Tensor y;
        if (Left is null)
        {
            var halves = x.chunk(2, 1);
            y = torch.cat([halves[0], Right.call(halves[1])], 1);
        }
        else
        {
            y = torch.cat([Left.call(x), Right.call(x)], 1);
        }
        return ChannelShuffle(y, 2);
    }

    /// <summary>
    /// Interleaves channel groups: (N, g·c, H, W) viewed as (N, g, c, H, W), transposed to
    /// (N, c, g, H, W), flattened back. Applying it repeatedly cycles back to the input.
    /// </summary>
    public static Tensor ChannelShuffle(Tensor x, int groups)
    {
        var s = x.shape;
        if (s.Length != 4) throw new ArgumentException($"channel shuffle needs (N, C, H, W) input, got rank {s.Length}");
        if (s[1] % groups != 0) throw new ArgumentException($"channel shuffle: {s[1]} channels do not split into {groups} groups");
        if (x.is_channels_last() && s[1] > 1 && s[2] * s[3] > 1)
        {
            // The same permutation on NHWC memory, so the result stays NHWC: flattening the NCHW
            // view would hand every later op an NCHW tensor and a layout conversion.
            using var nhwc = x.permute(0, 2, 3, 1);
            using var g = nhwc.view(s[0], s[2], s[3], groups, s[1] / groups);
            using var gt = g.transpose(3, 4);
            using var gc = gt.contiguous();
            using var flat = gc.view(s[0], s[2], s[3], s[1]);
            return flat.permute(0, 3, 1, 2);
        }
        using var v = x.view(s[0], groups, s[1] / groups, s[2], s[3]);
        using var t = v.transpose(1, 2);
        using var c = t.contiguous();
        return c.view(s);
    }
}

/// <summary>sh: ShuffleNetV2's unit (its kernel is written only when it is not 3).</summary>
public sealed class ShuffleV2Kind : BlockKind
{
    public override string Code => "sh";
    public override string Description => "ShuffleNetV2 unit: split (stride 1) or two branches (stride 2), concat, channel shuffle";
    public override BlockTokens Accepts => BlockTokens.Kernel | BlockTokens.Activation;
    public override BlockTokens AlwaysWritten => BlockTokens.Activation;
    public override IReadOnlyList<string> Examples => ["sh_r4_s2_c48_arelu", "sh_r1_k5_s2_c32_arelu"];

    public override void Validate(BlockSpec spec, Action<string> fail)
    {
        if (spec.OutChannels % 2 != 0) fail("ShuffleNetV2 units need an even number of output channels");
    }

    public override int WidthMultiple(BlockSpec spec) => 2;

    public override string? CheckInput(BlockPlace place) =>
        place.Stride == 1 && place.InChannels != place.Spec.OutChannels
            ? $"a stride-1 ShuffleNetV2 unit needs in = out channels, got {place.InChannels} -> {place.Spec.OutChannels}"
            : null;

    public override Module<Tensor, Tensor> Build(BlockPlace place, BlockContext ctx) => new ShuffleV2Unit(place.InChannels, place.Spec, place.Stride, ctx);

    public override void Cost(CostWalker w, string p, BlockPlace place, int divisor)
    {
        var b = place.Spec;
        int inC = place.InChannels, stride = place.Stride, branch = b.OutChannels / 2;
        var input = w.Shape;
        if (stride > 1)
        {
            w.ConvBn(p + ".left.0", inC, b.Kernel, stride, inC);
            w.ConvBn(p + ".left.1", branch, 1, 1, 1);
            w.Shape = input;
        }
        else w.Channels = branch;
        w.ConvBn(p + ".right.0", branch, 1, 1, 1);
        w.ConvBn(p + ".right.1", branch, b.Kernel, stride, branch);
        w.ConvBn(p + ".right.2", branch, 1, 1, 1);
        w.Channels = b.OutChannels;
    }

    public override IReadOnlyList<Type> ModuleTypes => [typeof(ShuffleV2Unit)];

    public override string Export(OnnxEmitter e, Module module, string x, string path)
    {
        var unit = (ShuffleV2Unit)module;
        var shape = e.OutputShape(unit, path);
        long channels = shape[1], half = channels / 2;
        string y = unit.Left is null
            ? e.Concat(e.SliceChannels(x, 0, half), e.Module(unit.Right, e.SliceChannels(x, half, channels), path + ".right"))
            : e.Concat(e.Module(unit.Left, x, path + ".left"), e.Module(unit.Right, x, path + ".right"));
        // ChannelShuffle(y, 2): (N, 2, C/2, H, W) with the two channel axes swapped.
        return e.SwapChannelAxes(y, 2, half, shape[2], shape[3]);
    }

    /// <summary>torchvision's units: branch1 (stride 2 only) and branch2, ReLUs at indices 2 and 7.</summary>
    public override IReadOnlyDictionary<string, BlockNames> WeightNames { get; } = new Dictionary<string, BlockNames>
    {
        ["torchvision.shufflenet_v2"] = (names, block, ours, theirs) =>
        {
            var unit = (ShuffleV2Unit)block;
            if (unit.Left is not null)
            {
                names.ConvBn(ours + ".left.0", theirs + ".branch1.0", theirs + ".branch1.1");
                names.ConvBn(ours + ".left.1", theirs + ".branch1.2", theirs + ".branch1.3");
            }
            names.ConvBn(ours + ".right.0", theirs + ".branch2.0", theirs + ".branch2.1");
            names.ConvBn(ours + ".right.1", theirs + ".branch2.3", theirs + ".branch2.4");
            names.ConvBn(ours + ".right.2", theirs + ".branch2.5", theirs + ".branch2.6");
        },
    };
}
