namespace Research.Models.Blocks;

/// <summary>
/// ShuffleNet v1's unit as megvii's official code builds it (ShuffleNet-Series, ShuffleNetV1/blocks.py):
/// a grouped 1×1 to c/4 + BN + ReLU (ungrouped in the network's first unit: <c>densein</c>), a
/// depthwise k×k carrying the stride + BN, the channel shuffle, a grouped 1×1 + BN; stride 1:
/// ReLU(x + branch); stride 2: the 3×3/2 average-pooled input concatenated with ReLU(branch),
/// whose width is c − in. The paper's figure shuffles before the depthwise convolution; the code
/// (followed here) shuffles after it: the same counts, other logits. The code's shuffle views
/// the channels as (c/4 ÷ g, g) before swapping the axes.
/// </summary>
public sealed class ShuffleV1Unit : Module<Tensor, Tensor>
{
    private readonly DropRate _drop;

    public ShuffleV1Unit(BlockPlace place, BlockContext ctx) : base(nameof(ShuffleV1Unit))
    {
        var spec = place.Spec;
        var layout = ShuffleV1Layout.Of(place);
        (Groups, Stride, Mid) = (layout.Groups, place.Stride, layout.Mid);
        Reduce = new ConvBnAct(place.InChannels, layout.Mid, 1, 1, layout.FirstGroups, spec.Activation, ctx);
        Depthwise = new ConvBnAct(layout.Mid, layout.Mid, spec.Kernel, place.Stride, layout.Mid, Activation.None, ctx);
        Expand = new ConvBnAct(layout.Mid, layout.BranchOut, 1, 1, layout.Groups, Activation.None, ctx);
        Act = Activations.Create(spec.Activation);
        register_module("reduce", Reduce);
        register_module("depthwise", Depthwise);
        register_module("expand", Expand);
        if (Act is not null) register_module("act", Act);
        _drop = ctx.Drop;
    }

    public int Groups { get; }
    public int Stride { get; }
    public int Mid { get; }
    public ConvBnAct Reduce { get; }
    public ConvBnAct Depthwise { get; }
    public ConvBnAct Expand { get; }
    /// <summary>The activation after the join (ReLU in the paper).</summary>
    public Module<Tensor, Tensor>? Act { get; }

    public override Tensor forward(Tensor x)
    {
        var y = Depthwise.call(Reduce.call(x));
        if (Groups > 1) y = ShuffleV2Unit.ChannelShuffle(y, Mid / Groups);
        y = Expand.call(y);
        if (Stride == 1)
        {
            var sum = _drop.Apply(y, training) + x;
            return Act is null ? sum : Act.call(sum);
        }
        var shortcut = torch.nn.functional.avg_pool2d(x, 3, 2, 1, count_include_pad: true);
        return torch.cat([shortcut, Act is null ? y : Act.call(y)], 1);
    }
}

/// <summary>A ShuffleNet v1 unit's widths: c/4 in the middle, c − in out of the branch when striding, the first 1×1's groups.</summary>
public readonly record struct ShuffleV1Layout(int Groups, int FirstGroups, int Mid, int BranchOut)
{
    public static ShuffleV1Layout Of(BlockPlace place)
    {
        var spec = place.Spec;
        int g = spec.Groups ?? 1;
        return new ShuffleV1Layout(g, spec.DenseInput && place.RepeatIndex == 0 ? 1 : g, spec.OutChannels / 4,
            place.Stride > 1 ? spec.OutChannels - place.InChannels : spec.OutChannels);
    }
}

/// <summary>su: ShuffleNet v1's unit (grouped pointwise convolutions, channel shuffle, an average-pooled shortcut concatenated at stride 2).</summary>
public sealed class ShuffleV1Kind : BlockKind
{
    public override string Code => "su";
    public override string Description => "ShuffleNet v1 unit: grouped 1x1 (g) + depthwise + shuffle + grouped 1x1; stride 2 concatenates an avg-pooled shortcut";
    public override BlockTokens Accepts => BlockTokens.Kernel | BlockTokens.Activation | BlockTokens.Groups | BlockTokens.DenseInput;
    public override IReadOnlyList<string> Examples => ["su_r4_k3_s2_g3_c240_arelu_densein", "su_r2_k3_s2_g8_c384_arelu", "su_r2_k3_s2_g2_c200_arelu"];

    public override void Validate(BlockSpec spec, Action<string> fail)
    {
        int g = spec.Groups ?? 1, mid = spec.OutChannels / 4;
        if (spec.OutChannels % 4 != 0) fail($"output channels {spec.OutChannels} must be a multiple of 4 (the unit's middle width is c/4)");
        else if (mid % g != 0) fail($"the middle width c/4 = {mid} does not divide into g{g} groups");
    }

    public override int WidthMultiple(BlockSpec spec) => 4 * (spec.Groups ?? 1);

    /// <summary>At stride 2 the branch is c − in wide and grouped, so the input is a multiple of g too.</summary>
    public override int InputMultiple(BlockSpec spec) => spec.Groups ?? 1;

    public override string? CheckInput(BlockPlace place)
    {
        var layout = ShuffleV1Layout.Of(place);
        if (place.Stride == 1 && place.InChannels != place.Spec.OutChannels)
            return $"a stride-1 ShuffleNet v1 unit needs in = out channels, got {place.InChannels} -> {place.Spec.OutChannels}";
        if (layout.BranchOut < 1) return $"a stride-2 ShuffleNet v1 unit needs more output channels than input ({place.InChannels} -> {place.Spec.OutChannels})";
        if (layout.BranchOut % layout.Groups != 0) return $"the branch width {layout.BranchOut} (c - in at stride 2) does not divide into g{layout.Groups} groups";
        if (place.InChannels % layout.FirstGroups != 0) return $"input channels {place.InChannels} do not divide into g{layout.FirstGroups} groups (densein leaves the first unit's 1x1 ungrouped)";
        return null;
    }

    public override Module<Tensor, Tensor> Build(BlockPlace place, BlockContext ctx) => new ShuffleV1Unit(place, ctx);

    public override void Cost(CostWalker w, string p, BlockPlace place, int divisor)
    {
        var b = place.Spec;
        var layout = ShuffleV1Layout.Of(place);
        w.ConvBn(p + ".reduce", layout.Mid, 1, 1, layout.FirstGroups);
        w.ConvBn(p + ".depthwise", layout.Mid, b.Kernel, place.Stride, layout.Mid);
        w.ConvBn(p + ".expand", layout.BranchOut, 1, 1, layout.Groups);
        w.Channels = b.OutChannels;
    }

    public override IReadOnlyList<Type> ModuleTypes => [typeof(ShuffleV1Unit)];

    public override string Export(OnnxEmitter e, Module module, string x, string path)
    {
        var unit = (ShuffleV1Unit)module;
        var shape = e.OutputShape(unit, path);
        var y = e.Module(unit.Depthwise, e.Module(unit.Reduce, x, path + ".reduce"), path + ".depthwise");
        if (unit.Groups > 1) y = e.SwapChannelAxes(y, unit.Mid / unit.Groups, unit.Groups, shape[2], shape[3]);
        y = e.Module(unit.Expand, y, path + ".expand");
        if (unit.Stride == 1) return e.Activation(unit.Act, e.Add(y, x), path + ".act");
        return e.Concat(e.AveragePool(x, 3, 2, 1, countIncludePad: true), e.Activation(unit.Act, y, path + ".act"));
    }

    /// <summary>megvii's ShuffleNet-Series names: branch_main_1 [1×1, BN, ReLU, depthwise, BN], branch_main_2 [1×1, BN].</summary>
    public override IReadOnlyDictionary<string, BlockNames> WeightNames { get; } = new Dictionary<string, BlockNames>
    {
        ["official.shufflenet_v1"] = (names, block, ours, theirs) =>
        {
            names.ConvBn(ours + ".reduce", theirs + ".branch_main_1.0", theirs + ".branch_main_1.1");
            names.ConvBn(ours + ".depthwise", theirs + ".branch_main_1.3", theirs + ".branch_main_1.4");
            names.ConvBn(ours + ".expand", theirs + ".branch_main_2.0", theirs + ".branch_main_2.1");
        },
    };
}
