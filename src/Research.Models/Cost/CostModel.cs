namespace Research.Models.Cost;

/// <summary>A network's costs per layer and in total, at one resolution.</summary>
public sealed record NetworkCost(int Resolution, IReadOnlyList<LayerCost> Layers)
{
    /// <summary>Every parameter of the built network (an auxiliary head's included: the module has them).</summary>
    public long Params => Layers.Sum(l => l.Params);

    /// <summary>The parameters used at inference (without an auxiliary head): the count DARTS's train.py prints.</summary>
    public long InferenceParams => Layers.Where(l => !IsAuxiliary(l)).Sum(l => l.Params);

    /// <summary>Multiply-accumulates of convolutions and linear layers at inference (SE included; BN, activations, pooling, additions and an auxiliary head not).</summary>
    public long Macs => Layers.Where(l => !IsAuxiliary(l)).Sum(l => l.Macs);

    /// <summary>A layer of the auxiliary head (trained, never run at inference).</summary>
    public static bool IsAuxiliary(LayerCost layer) => layer.Name.StartsWith(AuxiliaryPrefix, StringComparison.Ordinal);

    public const string AuxiliaryPrefix = "auxiliary.";
}

/// <summary>
/// Parameters and MACs from a spec, without building or running it: each block is counted by
/// its kind's rule (its Cost method) and each cell op by its form's, and every layer
/// is named by its module path, so a forward pass with hooks can check it layer by layer.
/// </summary>
public static class CostModel
{
    public static NetworkCost Estimate(NetworkSpec spec, int? resolution = null)
    {
        spec.Validate();
        int size = resolution ?? spec.Resolution;
        var w = new CostWalker(size, size, spec.InChannels);
        var stem = new BlockPlace(spec.InChannels, spec.EffectiveStem, 0);
        stem.Spec.Kind.Cost(w, "stem", stem, spec.ChannelDivisor);
        if (spec.Cell is { } genotype) BlockKinds.Cell.CostStack(w, spec, genotype);
        else
            foreach (var slot in BlockSequence.Of(spec))
                slot.Place.Spec.Kind.Cost(w, slot.Path, slot.Place, spec.ChannelDivisor);
        var h = spec.Head;
        if (h.ConvChannels > 0) w.ConvBn("head_conv", h.ConvChannels, 1, 1, 1);
        w.GlobalPool();
        if (h.HiddenFeatures > 0)
        {
            if (h.HiddenAsConv) w.Conv("hidden", h.HiddenFeatures, 1, 1, 1, bias: true);
            else w.Linear("hidden", h.HiddenFeatures);
        }
        w.Linear("classifier", spec.Classes, h.ClassifierBias);
        return new NetworkCost(size, w.Layers);
    }

    /// <summary>Parameters and MACs of one op on an edge of width C from an H×W input (0 for none, identity and pools).</summary>
    public static (long Params, long Macs) OpCost(CellOp op, int channels, int stride, int height, int width, int divisor = 2)
    {
        var w = new CostWalker(height, width, channels);
        op.Form.Cost(w, "op", op, channels, stride, divisor);
        return (w.Layers.Sum(l => l.Params), w.Layers.Sum(l => l.Macs));
    }
}
