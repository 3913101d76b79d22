using System.Globalization;
using Research.Cli.Benchmarks;
using Research.Models.Networks;
using Research.Training;
using Research.Training.Data;

namespace Research.Cli.Commands;

/// <summary>
/// `research bench time-to-accuracy`: what a researcher waits for. Our training run, then the PyTorch
/// reference run (bench/pytorch_train.py: the same model, recipe and data pipeline, written as a
/// PyTorch user would) on the same Fashion-MNIST images and thread count, in one call; the wall time
/// from the start of training to the first epoch at or above each target, each run's final accuracy,
/// and the ratios.
/// </summary>
public static class BenchTimeToAccuracyCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "a registered model (the reference builds it with torchvision)", Required = true };
        var overrides = new SettingOptions<ModelOverrides>(ModelOverrides.Settings);
        var recipe = new SettingOptions<TrainConfig>(TrainConfig.Settings);
        var subset = new Option<int?>("--subset") { Description = "first N training images (both runs)" };
        var targets = new Option<string>("--target") { Description = "test top-1 targets in %, e.g. 92,93", Required = true };
        var seed = new Option<int>("--seed") { Description = "random seed (both runs)", DefaultValueFactory = _ => 0 };
        var threads = CommonOptions.Threads();
        var outDir = CommonOptions.Out();
        var pytorch = new Option<string?>("--pytorch")
        {
            Description = "the reference script (default: bench/pytorch_train.py beside the program)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var cmd = new Command("time-to-accuracy", "our training run and PyTorch's on Fashion-MNIST, one after the other: wall time to each target accuracy")
            { model, subset, targets, seed, threads, outDir, pytorch };
        overrides.AddTo(cmd);
        recipe.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var goals = parse.GetValue(targets)!.Split(',').Select(t => Numbers.ParseDouble(t.Trim(), "--target")).ToArray();
            if (goals.Any(g => g is <= 0 or > 100)) throw new ArgumentException($"--target {parse.GetValue(targets)}: percentages in (0, 100]");
            string name = parse.GetValue(model)!;
            if (ModelSource.IsSpecFile(name) || name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException("--model: a registered model (the PyTorch reference builds the same one with torchvision)");
            var cfg = recipe.Bind(parse) with { Seed = parse.GetValue(seed) };
            if (cfg.InitFrom is not null) throw new ArgumentException("--init-from: the reference run starts from random weights");
            string script = parse.GetResult(pytorch)?.GetValueOrDefault<string?>() ?? PyTorchReference.DefaultScript("pytorch_train.py");
            if (!File.Exists(script)) throw new FileNotFoundException($"PyTorch reference script not found: {script}");
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            var data = new DataConfig { Subset = parse.GetValue(subset) }.Load(cfg.Seed, parse.InvocationConfiguration.Error);
            var modelOverrides = overrides.Bind(parse);
            var spec = ModelSource.ResolveFor(name, modelOverrides, data.Shape);
            string dir = parse.GetValue(outDir) ?? Directory.CreateTempSubdirectory("research-tta-").FullName;
            o.WriteLine($"threads {torch.get_num_threads()}");
            o.WriteLine(KernelSwitches.Line());
            o.WriteLine($"model {spec.Name} input {spec.InChannels}x{spec.Resolution}x{spec.Resolution}{(spec.SmallInput ? " small-input" : "")} train {data.Train.Count} epochs {cfg.Epochs}");

            var ours = new List<(int Epoch, double Top1, double Wall)>();
            var result = Trainer.Run(spec, data, "fashion-mnist", cfg, new TrainerOptions
            {
                OutDir = Path.Combine(dir, "ours"), Device = Device.CPU,
                EpochEnded = (r, wall) =>
                {
                    ours.Add((r.Epoch, r.ValTop1, wall.TotalSeconds));
                    o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ours_epoch {r.Epoch} val_top1 {r.ValTop1:F2} wall_seconds {wall.TotalSeconds:F1}"));
                },
            });
            // The reference trains in the layout ours trained in (auto: the probe's choice).
            string[] args =
            [
                "--model", name, "--width-mult", Numbers.RoundTrip(modelOverrides.WidthMult ?? 1.0), .. spec.SmallInput ? ["--small-input"] : Array.Empty<string>(),
                "--in-channels", $"{spec.InChannels}", "--resolution", $"{spec.Resolution}",
                .. parse.GetValue(subset) is { } n ? ["--subset", $"{n}"] : Array.Empty<string>(),
                "--epochs", $"{cfg.Epochs}", "--batch", $"{cfg.BatchSize}", "--optimizer", cfg.Optimizer, "--lr", Numbers.RoundTrip(cfg.LearningRate),
                "--momentum", Numbers.RoundTrip(cfg.Momentum), .. cfg.Nesterov ? Array.Empty<string>() : ["--no-nesterov"],
                "--weight-decay", Numbers.RoundTrip(cfg.WeightDecay), "--label-smoothing", Numbers.RoundTrip(cfg.LabelSmoothing),
                "--warmup-epochs", Numbers.RoundTrip(cfg.WarmupEpochs), "--clip", Numbers.RoundTrip(cfg.ClipNorm),
                .. cfg.EmaDecay is { } ema ? ["--ema", Numbers.RoundTrip(ema)] : Array.Empty<string>(),
                "--crop-padding", $"{cfg.Augment.CropPadding}", .. cfg.Augment.HorizontalFlip ? Array.Empty<string>() : ["--no-flip"],
                "--cutout", Numbers.RoundTrip(cfg.Augment.CutoutProbability), "--memory-format", result.MemoryFormat,
                "--seed", $"{cfg.Seed}", "--threads", $"{torch.get_num_threads()}", "--device", "cpu",
            ];
            var text = PyTorchReference.RunText(script, args);
            var theirs = new List<(int Epoch, double Top1, double Wall)>();
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var f = line.Split(' ');
                if (f.Length < 6 || f[0] != "epoch" || f[2] != "val_top1" || f[4] != "wall_seconds") continue;
                theirs.Add((int.Parse(f[1], CultureInfo.InvariantCulture), double.Parse(f[3], CultureInfo.InvariantCulture), double.Parse(f[5], CultureInfo.InvariantCulture)));
                o.WriteLine($"pytorch_epoch {f[1]} val_top1 {f[3]} wall_seconds {f[5]}");
            }
            if (theirs.Count == 0) throw new InvalidDataException($"{script} printed no `epoch N val_top1 A wall_seconds S` lines");
            foreach (var goal in goals)
            {
                string tag = Numbers.RoundTrip(goal);
                double? a = ours.FirstOrDefault(e => e.Top1 >= goal) is { Epoch: > 0 } x ? x.Wall : null;
                double? b = theirs.FirstOrDefault(e => e.Top1 >= goal) is { Epoch: > 0 } y ? y.Wall : null;
                o.WriteLine($"ours_seconds_to_{tag} {(a is { } va ? Numbers.Fixed(va, 1) : "not_reached")}");
                o.WriteLine($"pytorch_seconds_to_{tag} {(b is { } vb ? Numbers.Fixed(vb, 1) : "not_reached")}");
                if (a is { } sa && b is { } sb) o.WriteLine($"speedup_to_{tag} {Numbers.Fixed(sb / sa, 3)}");
            }
            o.WriteLine($"ours_final_top1 {Numbers.Fixed(ours[^1].Top1, 2)}");
            o.WriteLine($"pytorch_final_top1 {Numbers.Fixed(theirs[^1].Top1, 2)}");
            o.WriteLine($"ours_wall_seconds {Numbers.Fixed(ours[^1].Wall, 1)}");
            o.WriteLine($"pytorch_wall_seconds {Numbers.Fixed(theirs[^1].Wall, 1)}");
            o.WriteLine($"memory_format {result.MemoryFormat}");
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
