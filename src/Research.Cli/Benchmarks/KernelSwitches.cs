using Research.Torch;

namespace Research.Cli.Benchmarks;

/// <summary>
/// The `kernels` line of a benchmark's output: which of the project's own CPU kernels were on, since
/// a figure means nothing without it (both are off by default; README "CPU speed").
/// </summary>
public static class KernelSwitches
{
    public static string Line() =>
        $"kernels fused_batch_norm_act {(torch.fused_batch_norm_act_enabled ? "on" : "off")} depthwise_weight_grad {(torch.depthwise_conv_kernel_enabled ? "on" : "off")}";
}
