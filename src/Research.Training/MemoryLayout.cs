using Research.Torch;

namespace Research.Training;

/// <summary>
/// The activation layout a run trains in: <c>contiguous</c> (NCHW, the default) or
/// <c>channels_last</c> (NHWC). Converting the model's conv weights is enough: libtorch's
/// convolutions follow the weight's layout, and the rest of the network follows theirs.
/// </summary>
/// <remarks>
/// Which is faster on CPU depends on the network, so it is the user's choice, not a guess.
/// Measured with libtorch 1.13 on 2 cores (training steps, batch 128, 28×28): NHWC is about 2×
/// for MobileNetV2-0.5 and for the mobile-blocks DARTS cell network (its pooling, depthwise and
/// pointwise kernels are 2-5× faster), but 0.6-0.9× for networks of narrow Ghost and ShuffleV2
/// blocks: in NHWC, libtorch's batch norm at 6-24 channels and channel concatenations are
/// 1.5-2.8x slower than in NCHW.
/// </remarks>
public static class MemoryLayout
{
    public const string Contiguous = "contiguous";
    public const string ChannelsLast = "channels_last";

    public static readonly string[] Names = [Contiguous, ChannelsLast];

    public const string Description =
        "activation layout: contiguous (NCHW) or channels_last (NHWC; about 2x faster on CPU for MobileNet-style networks, slower for narrow Ghost/ShuffleV2 ones)";

    public static MemoryFormat Resolve(string name) => name switch
    {
        Contiguous => MemoryFormat.Contiguous,
        ChannelsLast => MemoryFormat.ChannelsLast,
        _ => throw new ArgumentException($"memory format '{name}': expected {string.Join(", ", Names)}"),
    };
}
