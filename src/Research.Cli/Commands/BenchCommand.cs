using System.CommandLine;
using System.Globalization;
using Research.Cli.Benchmarks;
using Research.Torch;

namespace Research.Cli.Commands;

/// <summary>`research bench ...`: benchmarks that print `name value` lines, optionally beside PyTorch's.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "benchmarks (figures as `name value` lines)");
        bench.Subcommands.Add(Dispatch());
        bench.Subcommands.Add(Train());
        return bench;
    }

    private static Option<string?> PyTorchScript(string file) => new("--pytorch")
    {
        Description = $"also run this PyTorch reference script (e.g. ../shared/bench/{file}) with the same settings and print the ratio",
    };

    private static Command Dispatch()
    {
        var ops = new Option<int>("--ops") { Description = "operations to time", DefaultValueFactory = _ => 100_000 };
        var autograd = new Option<bool>("--autograd") { Description = "time (x*w).sum().backward() instead of x+y" };
        var threads = CommonOptions.Threads();
        threads.DefaultValueFactory = _ => 1;
        var pytorch = PyTorchScript("pytorch_dispatch.py");
        var cmd = new Command("dispatch", "per-op dispatch overhead on 1x1 tensors") { ops, autograd, threads, pytorch };
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            int n = parse.GetValue(ops);
            if (n < 1) throw new ArgumentException($"--ops {n}: must be at least 1");
            int t = parse.GetValue(threads);
            CommonOptions.ApplyThreads(t);
            bool ag = parse.GetValue(autograd);
            double ours = DispatchBenchmark.NanosecondsPerOp(n, ag);
            o.WriteLine($"libtorch {torch.version}");
            o.WriteLine($"case {(ag ? "autograd" : "add")} ops {n} threads {torch.get_num_threads()}");
            if (parse.GetValue(pytorch) is { } script)
            {
                var args = new List<string> { "--ops", n.ToString(CultureInfo.InvariantCulture), "--threads", Math.Max(t, 1).ToString(CultureInfo.InvariantCulture) };
                if (ag) args.Add("--autograd");
                var figs = PyTorchReference.Run(script, args);
                double theirs = PyTorchReference.Number(figs, "ns_per_op");
                o.WriteLine($"pytorch_ns_per_op {theirs:F0}");
                o.WriteLine($"speedup_vs_pytorch {theirs / ours:F2}");
            }
            o.WriteLine($"ns_per_op {ours:F0}");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command Train()
    {
        var model = new Option<string>("--model") { Description = $"model: {string.Join(", ", BenchModels.Names)}", Required = true };
        var resolution = new Option<long>("--resolution") { Description = "input height and width", DefaultValueFactory = _ => 32 };
        var batch = new Option<long>("--batch") { Description = "batch size", DefaultValueFactory = _ => 64 };
        var steps = new Option<int>("--steps") { Description = "timed steps", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { Description = "untimed steps first", DefaultValueFactory = _ => 3 };
        var inChannels = new Option<long>("--in-channels") { Description = "input channels", DefaultValueFactory = _ => 3 };
        var classes = new Option<long>("--classes") { Description = "output classes", DefaultValueFactory = _ => 10 };
        var optimizer = new Option<string>("--optimizer") { Description = "optimizer", DefaultValueFactory = _ => "sgd" }
            .AcceptOnlyFromAmong("sgd", "rmsprop", "adamw");
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var pytorch = PyTorchScript("pytorch_train_step.py");
        var cmd = new Command("train", "training-step throughput on random data")
            { model, resolution, batch, steps, warmup, inChannels, classes, optimizer, device, threads, pytorch };
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var s = new TrainStepBenchmark.Settings(parse.GetValue(model)!, parse.GetValue(resolution), parse.GetValue(batch), parse.GetValue(steps),
                parse.GetValue(warmup), parse.GetValue(inChannels), parse.GetValue(classes), parse.GetValue(optimizer)!,
                CommonOptions.ResolveDevice(parse.GetValue(device)!));
            if (s.Resolution < 8 || s.Batch < 1 || s.Steps < 1 || s.Warmup < 0 || s.InChannels < 1 || s.Classes < 2)
                throw new ArgumentException("--resolution >= 8, --batch >= 1, --steps >= 1, --warmup >= 0, --in-channels >= 1 and --classes >= 2 are required");
            if (!BenchModels.Names.Contains(s.Model))
                throw new ArgumentException($"--model {s.Model}: unknown model; known: {string.Join(", ", BenchModels.Names)}");
            int t = parse.GetValue(threads);
            CommonOptions.ApplyThreads(t);
            string? script = parse.GetValue(pytorch);
            if (script is not null && !File.Exists(script)) throw new FileNotFoundException($"PyTorch reference script not found: {script}");
            var r = TrainStepBenchmark.Run(s);
            string I(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
            o.WriteLine($"libtorch {torch.version}");
            o.WriteLine($"threads {torch.get_num_threads()}");
            o.WriteLine($"model {s.Model} resolution {s.Resolution} batch {s.Batch} device {s.Device} optimizer {s.Optimizer}");
            o.WriteLine($"params {r.Parameters}");
            o.WriteLine($"final_loss {r.FinalLoss.ToString("F4", CultureInfo.InvariantCulture)}");
            o.WriteLine($"ms_per_step {r.MsPerStep.ToString("F2", CultureInfo.InvariantCulture)}");
            if (script is not null)
            {
                var figs = PyTorchReference.Run(script,
                [
                    "--model", s.Model, "--resolution", $"{s.Resolution}", "--batch", $"{s.Batch}", "--steps", $"{s.Steps}", "--warmup", $"{s.Warmup}",
                    "--in-channels", $"{s.InChannels}", "--classes", $"{s.Classes}", "--threads", $"{torch.get_num_threads()}",
                    "--device", s.Device.ToString(), "--optimizer", s.Optimizer,
                ]);
                double theirs = PyTorchReference.Number(figs, "images_per_s");
                o.WriteLine($"pytorch_ms_per_step {PyTorchReference.Number(figs, "ms_per_step").ToString("F2", CultureInfo.InvariantCulture)}");
                o.WriteLine($"pytorch_images_per_s {I(theirs)}");
                o.WriteLine($"ratio_vs_pytorch {(r.ImagesPerSecond / theirs).ToString("F3", CultureInfo.InvariantCulture)}");
            }
            o.WriteLine($"images_per_s {I(r.ImagesPerSecond)}");
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
