using Research.Models.Blocks;
using Research.Models.Specs;

namespace Research.Models.Cost;

/// <summary>One weighted layer: its module path, kind (conv, bn, linear), parameters, MACs and output shape.</summary>
public sealed record LayerCost(string Name, string Kind, long Params, long Macs, int OutChannels, int OutHeight, int OutWidth);

/// <summary>A network's costs per layer and in total, at one resolution.</summary>
public sealed record NetworkCost(int Resolution, IReadOnlyList<LayerCost> Layers)
{
    public long Params => Layers.Sum(l => l.Params);

    /// <summary>Multiply-accumulates of convolutions and linear layers (SE included; BN, activations, pooling and additions not).</summary>
    public long Macs => Layers.Sum(l => l.Macs);
}

/// <summary>
/// Parameters and MACs from a spec, without building or running it. It follows the builder's
/// structure arithmetically, and names each layer by its module path, so a forward pass with
/// hooks can check it layer by layer.
/// </summary>
public static partial class CostModel
{
    public static NetworkCost Estimate(NetworkSpec spec, int? resolution = null)
    {
        spec.Validate();
        var w = new Walker(resolution ?? spec.Resolution, spec.InChannels);
        var stem = spec.EffectiveStem;
        if (stem.MaxPool)
        {
            w.ConvBn("stem.0", stem.OutChannels, stem.Kernel, stem.Stride, 1);
            w.Pool(3, 2, 1);
        }
        else
        {
            w.ConvBn("stem", stem.OutChannels, stem.Kernel, stem.Stride, 1);
        }
        if (spec.Cell is { } genotype) Cells(w, spec, genotype);
        else for (int s = 0; s < spec.Stages.Count; s++)
        {
            int i = 0;
            foreach (var b in spec.Stages[s])
                for (int r = 0; r < b.Repeats; r++, i++)
                    Block(w, $"stages.{s}.{i}", b, r, spec.ChannelDivisor);
        }
        var h = spec.Head;
        if (h.ConvChannels > 0) w.ConvBn("head_conv", h.ConvChannels, 1, 1, 1);
        w.GlobalPool();
        if (h.HiddenFeatures > 0)
        {
            if (h.HiddenAsConv) w.Conv("hidden", h.HiddenFeatures, 1, 1, 1, bias: true);
            else w.Linear("hidden", h.HiddenFeatures);
        }
        w.Linear("classifier", spec.Classes);
        return new NetworkCost(resolution ?? spec.Resolution, w.Layers);
    }

    private static void Block(Walker w, string p, BlockSpec b, int repeatIndex, int divisor)
    {
        int stride = repeatIndex == 0 ? b.Stride : 1;
        int inC = w.Channels;
        switch (b.Kind)
        {
            case BlockKind.Conv:
                if (b.MaxPool)
                {
                    w.ConvBn(p + ".0", b.OutChannels, b.Kernel, stride, 1);
                    w.Pool(3, 2, 1);
                }
                else w.ConvBn(p, b.OutChannels, b.Kernel, stride, 1);
                break;
            case BlockKind.DepthwiseSeparable:
                w.ConvBn(p + ".depthwise", inC, b.Kernel, stride, inC);
                if (b.SE is { } dse) w.SE(p + ".se", SqueezeExcitation.SqueezeChannels(dse, inC, inC, divisor));
                w.ConvBn(p + ".pointwise", b.OutChannels, 1, 1, 1);
                break;
            case BlockKind.InvertedResidual:
                {
                    int hidden = b.Hidden(inC, divisor);
                    if (hidden != inC) w.ConvBn(p + ".expand", hidden, 1, 1, 1);
                    w.ConvBn(p + ".depthwise", hidden, b.Kernel, stride, hidden);
                    if (b.SE is { } se) w.SE(p + ".se", SqueezeExcitation.SqueezeChannels(se, inC, hidden, divisor));
                    w.ConvBn(p + ".project", b.OutChannels, 1, 1, 1);
                    break;
                }
            case BlockKind.Sandglass:
                {
                    int outC = b.OutChannels;
                    int hidden = Sandglass.HiddenChannels(inC, outC, b.Reduction!.Value);
                    bool full = b.Reduction == 2 || inC == outC || Sandglass.KeepsBothDepthwise(b, repeatIndex);
                    if (full) w.ConvBn(p + ".depthwise_in", inC, b.Kernel, 1, inC);
                    w.ConvBn(p + ".reduce", hidden, 1, 1, 1);
                    w.ConvBn(p + ".expand", outC, 1, 1, 1);
                    if (full || stride > 1) w.ConvBn(p + ".depthwise_out", outC, b.Kernel, stride, outC);
                    break;
                }
            case BlockKind.GhostBottleneck:
                {
                    int mid = b.Hidden(inC, divisor);
                    var (h0, w0) = (w.Height, w.Width);
                    Ghost(w, p + ".ghost1", mid);
                    if (stride > 1) w.ConvBn(p + ".depthwise", mid, b.Kernel, stride, mid);
                    if (b.SE is { } gse) w.SE(p + ".se", SqueezeExcitation.SqueezeChannels(gse, inC, mid, divisor));
                    Ghost(w, p + ".ghost2", b.OutChannels);
                    if (!(stride == 1 && inC == b.OutChannels) && !b.NoSkip)
                    {
                        var (c1, h1, w1) = (w.Channels, w.Height, w.Width);
                        (w.Channels, w.Height, w.Width) = (inC, h0, w0);
                        w.ConvBn(p + ".shortcut.0", inC, b.Kernel, stride, inC);
                        w.ConvBn(p + ".shortcut.1", b.OutChannels, 1, 1, 1);
                        (w.Channels, w.Height, w.Width) = (c1, h1, w1);
                    }
                    break;
                }
            case BlockKind.ShuffleV2:
                {
                    int branch = b.OutChannels / 2;
                    var (h0, w0) = (w.Height, w.Width);
                    if (stride > 1)
                    {
                        w.ConvBn(p + ".left.0", inC, b.Kernel, stride, inC);
                        w.ConvBn(p + ".left.1", branch, 1, 1, 1);
                        (w.Channels, w.Height, w.Width) = (inC, h0, w0);
                    }
                    else w.Channels = branch;
                    w.ConvBn(p + ".right.0", branch, 1, 1, 1);
                    w.ConvBn(p + ".right.1", branch, b.Kernel, stride, branch);
                    w.ConvBn(p + ".right.2", branch, 1, 1, 1);
                    w.Channels = b.OutChannels;
                    break;
                }
        }
    }

    private static void Ghost(Walker w, string p, int outC)
    {
        int init = (outC + 1) / 2;
        w.ConvBn(p + ".primary", init, 1, 1, 1);
        w.ConvBn(p + ".cheap", init, 3, 1, init);
        w.Channels = outC;
    }

    /// <summary>Tracks the running (channels, height, width) and records each layer.</summary>
    private sealed class Walker(int resolution, int inChannels)
    {
        public readonly List<LayerCost> Layers = new();
        public int Channels = inChannels, Height = resolution, Width = resolution;

        private static int Out(int size, int k, int s, int pad) => (size + 2 * pad - k) / s + 1;

        public void Conv(string name, int outC, int k, int s, int groups, bool bias)
        {
            int pad = (k - 1) / 2;
            int oh = Out(Height, k, s, pad), ow = Out(Width, k, s, pad);
            long perOut = (long)(Channels / groups) * k * k;
            Layers.Add(new LayerCost(name, "conv", outC * perOut + (bias ? outC : 0), (long)oh * ow * outC * perOut, outC, oh, ow));
            (Channels, Height, Width) = (outC, oh, ow);
        }

        public void ConvBn(string prefix, int outC, int k, int s, int groups)
        {
            Conv(prefix + ".conv", outC, k, s, groups, bias: false);
            Layers.Add(new LayerCost(prefix + ".bn", "bn", 2L * outC, 0, outC, Height, Width));
        }

        public void SE(string prefix, int squeeze)
        {
            int c = Channels;
            Layers.Add(new LayerCost(prefix + ".fc1", "conv", (long)c * squeeze + squeeze, (long)c * squeeze, squeeze, 1, 1));
            Layers.Add(new LayerCost(prefix + ".fc2", "conv", (long)squeeze * c + c, (long)squeeze * c, c, 1, 1));
        }

        public void Pool(int k, int s, int pad) => (Height, Width) = (Out(Height, k, s, pad), Out(Width, k, s, pad));

        public void GlobalPool() => (Height, Width) = (1, 1);

        public void Linear(string name, int outF)
        {
            long inF = (long)Channels * Height * Width;
            Layers.Add(new LayerCost(name, "linear", inF * outF + outF, inF * outF, outF, 1, 1));
            (Channels, Height, Width) = (outF, 1, 1);
        }
    }
}
