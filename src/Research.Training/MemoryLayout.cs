using Research.Torch;

namespace Research.Training;

/// <summary>
/// The activation layout a run trains in: <c>contiguous</c> (NCHW, the default) or
/// <c>channels_last</c> (NHWC). Converting the model's conv weights is enough: libtorch's
/// convolutions follow the weight's layout, and the rest of the network follows theirs.
/// </summary>
/// <remarks>
/// Which is faster on CPU depends on the network, so it is the user's choice, or <c>auto</c>:
/// a short probe of both layouts on the run's own network and batch (<see cref="MemoryLayoutProbe"/>).
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
    public const string Auto = "auto";

    public static readonly string[] Names = [Contiguous, ChannelsLast, Auto];
    /// <summary>The layouts a caller without a probe takes (the DARTS supernet).</summary>
    public static readonly string[] Fixed = [Contiguous, ChannelsLast];

    public const string FixedDescription = "activation layout: contiguous (NCHW) or channels_last (NHWC; about 2x faster on CPU for MobileNet-style cells)";

    public const string Description =
        "activation layout: contiguous (NCHW), channels_last (NHWC; about 2x faster on CPU for MobileNet-style networks, slower for narrow Ghost/ShuffleV2 ones), " +
        "or auto (a few timed steps of each on the run's network pick one; train.json and the checkpoint keep the choice)";

    public static MemoryFormat Resolve(string name) => name switch
    {
        Contiguous => MemoryFormat.Contiguous,
        ChannelsLast => MemoryFormat.ChannelsLast,
        Auto => throw new ArgumentException("memory format auto is chosen by a probe (MemoryLayoutProbe) before it can be used"),
        _ => throw new ArgumentException($"memory format '{name}': expected {string.Join(", ", Names)}"),
    };
}
