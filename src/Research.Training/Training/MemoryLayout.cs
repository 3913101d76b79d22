using Research.Torch;

namespace Research.Training.Training;

/// <summary>
/// The activation layout a run trains in: <c>auto</c> (NHWC on CPU, NCHW on CUDA),
/// <c>contiguous</c> (NCHW) or <c>channels_last</c> (NHWC). Converting the model's conv weights
/// is enough: libtorch's convolutions follow the weight's layout, and the rest of the network
/// follows theirs.
/// </summary>
public static class MemoryLayout
{
    public const string Auto = "auto";
    public const string Contiguous = "contiguous";
    public const string ChannelsLast = "channels_last";

    public static readonly string[] Names = [Auto, Contiguous, ChannelsLast];

    /// <summary>
    /// libtorch 1.13's CPU pooling and depthwise kernels are 2-5x faster on NHWC (whole training steps:
    /// 2x for MobileNetV2-0.5 and a searched cell network); on CUDA it is not measured yet, so NCHW stays.
    /// </summary>
    public static MemoryFormat Resolve(string name, Device device) => name switch
    {
        Auto => device.Type == DeviceType.CPU ? MemoryFormat.ChannelsLast : MemoryFormat.Contiguous,
        Contiguous => MemoryFormat.Contiguous,
        ChannelsLast => MemoryFormat.ChannelsLast,
        _ => throw new ArgumentException($"memory format '{name}': expected {string.Join(", ", Names)}"),
    };
}
