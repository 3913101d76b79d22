using Research.Torch;

namespace Research.Cli.Benchmarks;

/// <summary>
/// The `kernels` line of a benchmark's output: which of the project's own CPU kernels were on, since
/// a figure means nothing without it (both are on by default; README "CPU speed").
/// </summary>
public static class KernelSwitches
{
    public static string Line() => "kernels " + string.Join(" ", torch.own_kernels.Select(k => $"{k.Name} {(k.On ? "on" : "off")}"));
}
