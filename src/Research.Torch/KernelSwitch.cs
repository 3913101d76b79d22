namespace Research.Torch;

public static partial class torch
{
    /// <summary>
    /// A switch for one of the project's own CPU kernels read from the environment: on unless the
    /// variable says 0, off or false, so that a run can be repeated with libtorch's own ops.
    /// </summary>
    internal static bool KernelSwitch(string variable) =>
        Environment.GetEnvironmentVariable(variable)?.Trim().ToLowerInvariant() is not ("0" or "off" or "false");

    /// <summary>The project's own kernels and whether each is on now, in a fixed order (for run manifests and benchmark lines).</summary>
    public static IReadOnlyList<(string Name, bool On)> own_kernels =>
        [("fused_batch_norm_act", fused_batch_norm_act_enabled), ("depthwise_weight_grad", depthwise_conv_kernel_enabled)];
}
