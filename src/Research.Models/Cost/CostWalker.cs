namespace Research.Models.Cost;

/// <summary>One weighted layer: its module path, kind (conv, bn, linear), parameters, MACs and output shape.</summary>
public sealed record LayerCost(string Name, string Kind, long Params, long Macs, int OutChannels, int OutHeight, int OutWidth);

/// <summary>
/// Walks a network's layers arithmetically: holds the running (channels, height, width) and
/// records each weighted layer's parameters and MACs under its module path. Block kinds describe
/// their layers to it (a kind's Cost method); branches save and restore the shape.
/// </summary>
public sealed class CostWalker(int height, int width, int channels)
{
    private readonly List<LayerCost> _layers = new();

    public IReadOnlyList<LayerCost> Layers => _layers;
    public int Channels { get; set; } = channels;
    public int Height { get; set; } = height;
    public int Width { get; set; } = width;

    /// <summary>The running shape, to come back to after a branch.</summary>
    public (int Channels, int Height, int Width) Shape
    {
        get => (Channels, Height, Width);
        set => (Channels, Height, Width) = value;
    }

    private static int Out(int size, int k, int s, int pad, int dilation = 1) => (size + 2 * pad - dilation * (k - 1) - 1) / s + 1;

    /// <summary>A convolution, with "same" padding ((k−1)/2 × dilation) unless <paramref name="padding"/> is given.</summary>
    public void Conv(string name, int outC, int k, int s, int groups, bool bias, int dilation = 1, int? padding = null)
    {
        int pad = padding ?? (k - 1) / 2 * dilation;
        int oh = Out(Height, k, s, pad, dilation), ow = Out(Width, k, s, pad, dilation);
        long perOut = (long)(Channels / groups) * k * k;
        _layers.Add(new LayerCost(name, "conv", outC * perOut + (bias ? outC : 0), (long)oh * ow * outC * perOut, outC, oh, ow));
        Shape = (outC, oh, ow);
    }

    /// <summary>A batch norm over the current channels (affine: 2 parameters a channel; none otherwise).</summary>
    public void BatchNorm(string name, bool affine = true) =>
        _layers.Add(new LayerCost(name, "bn", affine ? 2L * Channels : 0, 0, Channels, Height, Width));

    /// <summary>Our ConvBnAct unit: <c>prefix.conv</c> and <c>prefix.bn</c>.</summary>
    public void ConvBn(string prefix, int outC, int k, int s, int groups, int dilation = 1, bool affine = true)
    {
        Conv(prefix + ".conv", outC, k, s, groups, bias: false, dilation);
        BatchNorm(prefix + ".bn", affine);
    }

    /// <summary>Squeeze-excite on the current channels: two biased 1×1 convolutions on the pooled map.</summary>
    public void SE(string prefix, int squeeze)
    {
        int c = Channels;
        _layers.Add(new LayerCost(prefix + ".fc1", "conv", (long)c * squeeze + squeeze, (long)c * squeeze, squeeze, 1, 1));
        _layers.Add(new LayerCost(prefix + ".fc2", "conv", (long)squeeze * c + c, (long)squeeze * c, c, 1, 1));
    }

    public void Pool(int k, int s, int pad) => (Height, Width) = (Out(Height, k, s, pad), Out(Width, k, s, pad));

    public void GlobalPool() => (Height, Width) = (1, 1);

    public void Linear(string name, int outF, bool bias = true)
    {
        long inF = (long)Channels * Height * Width;
        _layers.Add(new LayerCost(name, "linear", inF * outF + (bias ? outF : 0), inF * outF, outF, 1, 1));
        Shape = (outF, 1, 1);
    }
}
