namespace Research.Models.Blocks;

/// <summary>
/// cn: a plain convolution + BN + activation (stems, heads, plain layers), optionally grouped
/// (g) and followed by a 3×3/2 max-pool (mp). It builds from the shared units (ConvBnAct,
/// MaxPool2d), which the exporter knows, so it has no module class of its own.
/// </summary>
public sealed class ConvKind : BlockKind
{
    public override string Code => "cn";
    public override string Description => "convolution + BN + activation; g groups it, mp adds a 3x3/2 max-pool";
    public override BlockTokens Accepts => BlockTokens.Kernel | BlockTokens.Activation | BlockTokens.MaxPool | BlockTokens.Groups;
    public override IReadOnlyList<string> Examples => ["cn_r1_k3_s2_c24_arelu_mp", "cn_r2_k3_s1_c16_asilu", "cn_r1_k1_s1_g4_c32_anone"];

    public override void Validate(BlockSpec spec, Action<string> fail)
    {
        if (spec.Groups is { } g && spec.OutChannels % g != 0) fail($"output channels {spec.OutChannels} do not divide into g{g} groups");
    }

    public override int WidthMultiple(BlockSpec spec) => spec.Groups ?? 1;

    public override int InputMultiple(BlockSpec spec) => spec.Groups ?? 1;

    public override string? CheckInput(BlockPlace place) =>
        place.Spec.Groups is { } g && place.InChannels % g != 0 ? $"input channels {place.InChannels} do not divide into g{g} groups" : null;

    public override Module<Tensor, Tensor> Build(BlockPlace place, BlockContext ctx)
    {
        var b = place.Spec;
        var conv = new ConvBnAct(place.InChannels, b.OutChannels, b.Kernel, place.Stride, b.Groups ?? 1, b.Activation, ctx);
        return b.MaxPool ? torch.nn.Sequential(conv, torch.nn.MaxPool2d(3, 2, 1)) : conv;
    }

    public override void Cost(CostWalker w, string path, BlockPlace place, int channelDivisor)
    {
        var b = place.Spec;
        w.ConvBn(b.MaxPool ? path + ".0" : path, b.OutChannels, b.Kernel, place.Stride, b.Groups ?? 1);
        if (b.MaxPool) w.Pool(3, 2, 1);
    }

    public override IReadOnlyList<Type> ModuleTypes => [];

    public override string Export(OnnxEmitter emitter, Module module, string input, string path) => emitter.Module(module, input, path);
}
