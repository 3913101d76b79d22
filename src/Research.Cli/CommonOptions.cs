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

        /// <summary>The spec for training on a dataset: its classes, channels and native resolution unless options say otherwise.</summary>
        public Models.Specs.NetworkSpec ResolveFor(ParseResult p, string model, Training.Data.ImageDataset train)
        {
            // A spec file keeps its own resolution and channels (a scaled member's resolution is the point);
            // a registered model adapts to the dataset unless told otherwise.
            bool file = Models.Networks.ModelSource.IsSpecFile(model);
            var spec = Models.Networks.ModelSource.Resolve(model, p.GetValue(Classes) ?? train.Classes,
                p.GetValue(InChannels) ?? (file ? null : train.Channels), p.GetValue(WidthMult),
                p.GetValue(Resolution) ?? (file ? null : train.Height), p.GetValue(SmallInput) ? true : null);
            if (spec.Classes < train.Classes)
                throw new ArgumentException($"--classes {spec.Classes}: {train.Name} has {train.Classes} classes");
            return spec;
        }

        public Models.Specs.NetworkSpec Resolve(ParseResult p, string model) =>
            Models.Networks.ModelSource.Resolve(model, p.GetValue(Classes), p.GetValue(InChannels), p.GetValue(WidthMult), p.GetValue(Resolution),
                p.GetValue(SmallInput) ? true : null);
    }

    /// <summary>The training recipe (train, search grid, search ablation share it).</summary>
    /// <summary>What the cell searches (search darts, search random) share: space, data, seed, device, threads, layout, output.</summary>
    public sealed class CellSearchOptionSet
    {
        public Option<string> Space { get; } = SearchSpace();
        public Option<string> Dataset { get; } = CommonOptions.Dataset();
        public Option<string?> DataDir { get; } = CommonOptions.DataDir();
        public Option<int?> Subset { get; } = CommonOptions.Subset();
        public Option<long> Seed { get; } = CommonOptions.Seed();
        public Option<string> Device { get; } = CommonOptions.Device();
        public Option<int> Threads { get; } = CommonOptions.Threads();
        public Option<string> MemoryFormat { get; } = MemoryFormatOption();
        public Option<string?> Out { get; } = CommonOptions.Out();

        public void AddTo(Command c)
        {
            foreach (var o in new Option[] { Space, Dataset, DataDir, Subset, Seed, Device, Threads, MemoryFormat, Out }) c.Options.Add(o);
        }

        /// <summary>Applies --threads, then resolves the device and loads the space (bad input throws, naming it).</summary>
        public (Search.Darts.SearchSpace space, Device device, int seed) Start(ParseResult p)
        {
            ApplyThreads(p.GetValue(Threads));
            var device = ResolveDevice(p.GetValue(Device)!);
            return (Search.Darts.SearchSpace.Load(p.GetValue(Space)!), device, (int)p.GetValue(Seed));
        }

        public Training.Data.DatasetPair LoadData(ParseResult p, int seed) =>
            Training.Data.DatasetCatalog.Load(p.GetValue(Dataset)!, p.GetValue(DataDir), p.GetValue(Subset), seed);

        /// <summary>--out, or runs/KIND/SPACE-DATASET-seedS.</summary>
        public string OutDir(ParseResult p, string kind, string space, int seed) =>
            p.GetValue(Out) ?? Path.Combine("runs", kind, $"{space}-{p.GetValue(Dataset)}-seed{seed}");
    }

    public sealed class RecipeOptionSet
    {
        public Option<int> Epochs { get; } = new("--epochs") { Description = "epochs", DefaultValueFactory = _ => 10 };
        public Option<int> Batch { get; } = new("--batch") { Description = "batch size", DefaultValueFactory = _ => 128 };
        public Option<double> Lr { get; } = new("--lr") { Description = "peak learning rate (after warmup)", DefaultValueFactory = _ => 0.1 };
        public Option<string> Optimizer { get; } = new Option<string>("--optimizer")
        {
            Description = "sgd (Nesterov momentum 0.9), rmsprop (EfficientNet's) or adamw", DefaultValueFactory = _ => "sgd",
        }.AcceptOnlyFromAmong("sgd", "rmsprop", "adamw");
        public Option<double> WeightDecay { get; } = new("--weight-decay") { Description = "on conv/linear weights (not BN or biases)", DefaultValueFactory = _ => 5e-5 };
        public Option<double> LabelSmoothing { get; } = new("--label-smoothing") { Description = "label smoothing", DefaultValueFactory = _ => 0.1 };
        public Option<double> Warmup { get; } = new("--warmup-epochs") { Description = "linear warmup before the cosine decay", DefaultValueFactory = _ => 1 };
        public Option<double> Clip { get; } = new("--clip") { Description = "global gradient-norm clip (0: off)", DefaultValueFactory = _ => 0 };
        public Option<double?> Ema { get; } = new("--ema") { Description = "weight EMA decay, e.g. 0.999 (off by default); evaluation uses the averaged weights" };
        public Option<int> CropPadding { get; } = new("--crop-padding") { Description = "random-crop padding in pixels (0: off)", DefaultValueFactory = _ => 2 };
        public Option<bool> NoFlip { get; } = new("--no-flip") { Description = "no random horizontal flips" };
        public Option<double> Cutout { get; } = new("--cutout") { Description = "cutout probability per image (0: off)", DefaultValueFactory = _ => 0 };
        public Option<bool> NoBf16 { get; } = new("--no-bf16") { Description = "no bf16 autocast on CUDA" };
        public Option<string> MemoryFormat { get; } = MemoryFormatOption();

        public void AddTo(Command c)
        {
            foreach (var o in new Option[] { Epochs, Batch, Lr, Optimizer, WeightDecay, LabelSmoothing, Warmup, Clip, Ema, CropPadding, NoFlip, Cutout, NoBf16, MemoryFormat })
                c.Options.Add(o);
        }

        public Training.Training.TrainConfig Resolve(ParseResult p, int seed) => new()
        {
            Epochs = p.GetValue(Epochs), BatchSize = p.GetValue(Batch), Optimizer = p.GetValue(Optimizer)!, LearningRate = p.GetValue(Lr),
            WeightDecay = p.GetValue(WeightDecay), LabelSmoothing = p.GetValue(LabelSmoothing), WarmupEpochs = p.GetValue(Warmup),
            ClipNorm = p.GetValue(Clip), EmaDecay = p.GetValue(Ema), Bf16 = !p.GetValue(NoBf16), MemoryFormat = p.GetValue(MemoryFormat)!, Seed = seed,
            Augment = new Training.Transforms.AugmentConfig
            {
                CropPadding = p.GetValue(CropPadding), HorizontalFlip = !p.GetValue(NoFlip), CutoutProbability = p.GetValue(Cutout),
            },
        };
    }

    public static Option<string> SearchSpace() =>
        new("--space") { Description = "a search space file (search-spaces/*.yaml)", Required = true };

    /// <summary>--memory-format: the activation layout a run trains in.</summary>
    public static Option<string> MemoryFormatOption() => new Option<string>("--memory-format")
    {
        Description = "activation layout: contiguous (NCHW) or channels_last (NHWC; about 2x faster on CPU for MobileNet-style networks, slower for narrow Ghost/ShuffleV2 ones)",
        DefaultValueFactory = _ => Training.Training.MemoryLayout.Contiguous,
    }.AcceptOnlyFromAmong(Training.Training.MemoryLayout.Names);

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
