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

    public static Option<string> Dataset() => new Option<string>("--dataset")
    {
        Description = "fashion-mnist (Debian's dataset-fashion-mnist), cifar10, cifar100 (binary files in --data-dir) or synthetic",
        DefaultValueFactory = _ => "fashion-mnist",
    }.AcceptOnlyFromAmong("fashion-mnist", "cifar10", "cifar100", "synthetic");

    public static Option<string?> DataDir() => new("--data-dir") { Description = "where the dataset's files are (default: the dataset's usual place)" };
    public static Option<int?> Subset() => new("--subset") { Description = "use only the first N training images (quick runs)" };
    public static Option<string?> Out() => new("--out") { Description = "output directory" };
    public static Option<bool> Resume() => new("--resume") { Description = "continue the run in --out from its last checkpoint" };

    public static Option<string> Format() => new Option<string>("--format")
    {
        Description = "output format",
        DefaultValueFactory = _ => "table",
    }.AcceptOnlyFromAmong("table", "csv", "json");

    public static Option<int?> Classes() => new("--classes") { Description = "output classes (default: the model's, 1000 for the zoo)" };
    public static Option<int?> InChannels() => new("--in-channels") { Description = "input channels (default: the model's, 3 for the zoo)" };
    public static Option<int?> Resolution() => new("--resolution") { Description = "input height and width (default: the model's)" };
    public static Option<double?> WidthMult() => new("--width-mult") { Description = "width multiplier (registered families that have one)" };
    public static Option<bool> SmallInput() => new("--small-input") { Description = "stride-1 stem without max-pool, for 28x28/32x32 images" };

    /// <summary>The model options every model-taking command shares, and how to resolve them into a spec.</summary>
    public sealed class ModelOptionSet
    {
        public Option<int?> Classes { get; } = CommonOptions.Classes();
        public Option<int?> InChannels { get; } = CommonOptions.InChannels();
        public Option<int?> Resolution { get; } = CommonOptions.Resolution();
        public Option<double?> WidthMult { get; } = CommonOptions.WidthMult();
        public Option<bool> SmallInput { get; } = CommonOptions.SmallInput();

        public void AddTo(Command c)
        {
            c.Options.Add(Classes);
            c.Options.Add(InChannels);
            c.Options.Add(Resolution);
            c.Options.Add(WidthMult);
            c.Options.Add(SmallInput);
        }

        public Models.Specs.NetworkSpec Resolve(ParseResult p, string model) =>
            Models.Networks.ModelSource.Resolve(model, p.GetValue(Classes), p.GetValue(InChannels), p.GetValue(WidthMult), p.GetValue(Resolution),
                p.GetValue(SmallInput) ? true : null);
    }

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
