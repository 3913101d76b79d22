using System.CommandLine;
using Research.Torch;

namespace Research.Cli;

/// <summary>Options that mean the same in every command (DESIGN.md, CLI conventions).</summary>
public static class CommonOptions
{
    public static Option<string> Device() => new("--device")
    {
        Description = "auto, cpu, cuda or cuda:N (auto picks CUDA when present)",
        DefaultValueFactory = _ => "auto",
    };

    public static Option<int> Threads() => new("--threads")
    {
        Description = "libtorch CPU threads (0: all cores)",
        DefaultValueFactory = _ => 0,
    };

    public static Option<long> Seed() => new("--seed")
    {
        Description = "random seed",
        DefaultValueFactory = _ => 0,
    };

    public static Option<string> Format() => new Option<string>("--format")
    {
        Description = "output format",
        DefaultValueFactory = _ => "table",
    }.AcceptOnlyFromAmong("table", "csv", "json");

    /// <summary>Resolves --device: "auto" is CUDA when available, else CPU; CUDA asked for but absent is bad input.</summary>
    public static Device ResolveDevice(string text)
    {
        if (text.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase))
            return torch.cuda.is_available() ? Torch.Device.CUDA : Torch.Device.CPU;
        var d = Torch.Device.Parse(text);
        if (d.Type == DeviceType.CUDA && !torch.cuda.is_available())
            throw new ArgumentException($"--device {text}: no CUDA device is available (libtorch {torch.version}; try --device cpu)");
        if (d.Type == DeviceType.CUDA && d.Index >= torch.cuda.device_count())
            throw new ArgumentException($"--device {text}: only {torch.cuda.device_count()} CUDA device(s) present");
        return d;
    }

    public static void ApplyThreads(int threads)
    {
        if (threads < 0) throw new ArgumentException($"--threads {threads}: must be 0 (all cores) or positive");
        if (threads > 0) torch.set_num_threads(threads);
    }
}
