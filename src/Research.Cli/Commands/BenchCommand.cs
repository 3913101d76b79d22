using System.Globalization;
using Research.Cli.Benchmarks;
using Research.Models.Networks;
using Research.Training;

namespace Research.Cli.Commands;

/// <summary>`research bench ...`: benchmarks that print `name value` lines, optionally beside PyTorch's.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "benchmarks (figures as `name value` lines)");
        bench.Subcommands.Add(Dispatch());
        bench.Subcommands.Add(Train());
        bench.Subcommands.Add(DartsMemory());
        bench.Subcommands.Add(BenchTimeToAccuracyCommand.Create());
        bench.Subcommands.Add(BenchLatencyTableCommand.Create());
        bench.Subcommands.Add(BenchProfileCommand.Create());
        return bench;
    }

    private static Option<string?> PyTorchScript(string file) => new("--pytorch")
    {
        Description = $"also run the PyTorch reference (bench/{file}, or the script given) with the same settings and print the ratio",
        Arity = ArgumentArity.ZeroOrOne,
    };

    /// <summary>The reference script to run: the one given, the project's own when --pytorch comes alone, or none.</summary>
    internal static string? ScriptOf(ParseResult parse, Option<string?> option, string file)
    {
        if (parse.GetResult(option) is not { } given) return null;
        string script = given.GetValueOrDefault<string?>() ?? PyTorchReference.DefaultScript(file);
        return File.Exists(script) ? script : throw new FileNotFoundException($"PyTorch reference script not found: {script}");
    }

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
            if (ScriptOf(parse, pytorch, "pytorch_dispatch.py") is { } script)
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

    private static Command DartsMemory()
    {
        var space = CommonOptions.SearchSpace();
        var partial = new Option<int>("--partial-channels") { Description = "PC-DARTS's K measured against the full supernet (K = 1)", DefaultValueFactory = _ => 4 };
        var steps = new Option<int>("--steps") { Description = "search steps per configuration", DefaultValueFactory = _ => 3 };
        var batch = new Option<int>("--batch") { Description = "batch size", DefaultValueFactory = _ => 64 };
        var order = new Option<string>("--order") { Description = "first or second", DefaultValueFactory = _ => Search.Darts.DartsConfig.Orders[0] }
            .AcceptOnlyFromAmong(Search.Darts.DartsConfig.Orders);
        var channels = new Option<int>("--in-channels") { Description = "image channels (Fashion-MNIST: 1)", DefaultValueFactory = _ => 1 };
        var resolution = new Option<int>("--resolution") { Description = "image size (Fashion-MNIST: 28)", DefaultValueFactory = _ => 28 };
        var threads = CommonOptions.Threads();
        var cmd = new Command("darts-memory", "peak memory of DARTS search steps: PC-DARTS partial channels against the full supernet, in one process")
            { space, partial, steps, batch, order, channels, resolution, threads };
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            var sp = Search.Darts.SearchSpace.Load(parse.GetValue(space)!);
            int k = parse.GetValue(partial), n = parse.GetValue(steps), b = parse.GetValue(batch);
            if (k < 2) throw new ArgumentException($"--partial-channels {k}: compare a K >= 2 against the full supernet");
            if (n < 1 || b < 2) throw new ArgumentException("--steps must be >= 1 and --batch >= 2");
            o.WriteLine($"space {sp.Name} supernet {sp.Supernet.Cells} cells C={sp.Supernet.Channels} batch {b} order {parse.GetValue(order)} steps {n} threads {torch.get_num_threads()}");
            var results = new List<DartsMemoryBenchmark.Result>();
            foreach (var kk in new[] { k, 1 })
            {
                var r = DartsMemoryBenchmark.Measure(sp, kk, n, b, parse.GetValue(channels), 10, parse.GetValue(resolution), parse.GetValue(order)!);
                string tag = kk == 1 ? "full" : $"pc{kk}";
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{tag}_baseline_mib {r.BaselineMiB:F0}"));
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{tag}_peak_mib {r.PeakMiB:F0}"));
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{tag}_growth_mib {r.GrowthMiB:F0}"));
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{tag}_seconds_per_step {r.SecondsPerStep:F2}"));
                results.Add(r);
            }
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"growth_ratio_full_over_pc{k} {results[1].GrowthMiB / results[0].GrowthMiB:F2}"));
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step_time_ratio_full_over_pc{k} {results[1].SecondsPerStep / results[0].SecondsPerStep:F2}"));
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command Train()
    {
        var bench = new TrainStepOptions("timed steps", 20, "untimed steps first");
        var repeats = new Option<int>("--repeats")
        {
            Description = "timed runs (with --pytorch: ours and PyTorch's alternate); figures are medians",
            DefaultValueFactory = _ => 1,
        };
        var optimizer = new Option<string>("--optimizer") { Description = "optimizer", DefaultValueFactory = _ => TrainConfig.Optimizers[0] }
            .AcceptOnlyFromAmong(TrainConfig.Optimizers);
        var execution = new SettingOptions<ExecutionConfig>(ExecutionConfig.Settings, except: ["seed", .. ExecutionConfig.DistributedKeys]);
        var threads = CommonOptions.Threads();
        var pytorch = PyTorchScript("pytorch_train_step.py");
        var format = new Option<string>("--memory-format")
        {
            Description = "contiguous (NCHW), channels_last (NHWC), or both: each measured and the faster named (both sides, with --pytorch)",
            DefaultValueFactory = _ => MemoryLayout.Contiguous,
        }.AcceptOnlyFromAmong(MemoryLayout.Contiguous, MemoryLayout.ChannelsLast, "both");
        var amp = new Option<string>("--amp") { Description = "none, or bf16 autocast of the forward pass", DefaultValueFactory = _ => "none" }
            .AcceptOnlyFromAmong("none", "bf16");
        var cudnnBenchmark = new Option<bool>("--cudnn-benchmark") { Description = "cuDNN picks its fastest kernels per shape (CUDA; both sides)" };
        var cudaGraphs = new Option<bool>("--cuda-graphs") { Description = "ours: capture one step as a CUDA graph and replay it (CUDA)" };
        var cmd = new Command("train", "training-step throughput on random data")
            { bench.Model, bench.Batch, bench.Steps, bench.Warmup, repeats, optimizer, threads, pytorch, format, amp, cudnnBenchmark, cudaGraphs };
        execution.AddTo(cmd);
        bench.Overrides.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var modelOverrides = bench.Overrides.Bind(parse);
            var spec = ModelSource.ResolveFor(parse.GetValue(bench.Model)!, modelOverrides, data: null);
            using var exec = ExecutionStart.Begin(parse, execution, threads: null); // --threads after the checks below
            var device = exec.Device;
            bool bf16 = parse.GetValue(amp) == "bf16";
            var s = new TrainStepBenchmark.Settings(spec, parse.GetValue(bench.Batch), parse.GetValue(bench.Steps), parse.GetValue(bench.Warmup), parse.GetValue(optimizer)!, device,
                Bf16: bf16, CudaGraphs: parse.GetValue(cudaGraphs));
            if (s.CudaGraphs && s.Optimizer != "sgd") throw new ArgumentException($"--cuda-graphs needs --optimizer sgd (its learning rate can live on the device), not {s.Optimizer}");
            int n = parse.GetValue(repeats);
            if (s.Batch < 1 || s.Steps < 1 || s.Warmup < 0 || n < 1)
                throw new ArgumentException($"--batch {s.Batch}, --steps {s.Steps}, --warmup {s.Warmup}, --repeats {n}: need batch >= 1, steps >= 1, warmup >= 0, repeats >= 1");
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            string? script = ScriptOf(parse, pytorch, "pytorch_train_step.py");
            if (script is not null && Models.Networks.ModelSource.IsSpecFile(parse.GetValue(bench.Model)!))
                throw new ArgumentException("--pytorch builds the zoo model in torchvision: it cannot be combined with a spec file");
            if (parse.GetValue(cudnnBenchmark)) torch.cuda.set_cudnn_benchmark(true);
            string chosen = parse.GetValue(format)!;
            string[] layouts = chosen == "both" ? [MemoryLayout.Contiguous, MemoryLayout.ChannelsLast] : [chosen];
            o.WriteLine($"libtorch {torch.version}");
            o.WriteLine($"threads {torch.get_num_threads()}");
            o.WriteLine(KernelSwitches.Line());
            o.WriteLine($"model {spec.Name} resolution {spec.Resolution} batch {s.Batch} device {s.Device} optimizer {s.Optimizer} amp {parse.GetValue(amp)} cuda_graphs {(s.CudaGraphs ? "on" : "off")} repeats {n}");
            var fastest = new Dictionary<string, double>();
            foreach (var layout in layouts)
            {
                var run = s with { Format = MemoryLayout.Resolve(layout) };
                string suffix = layouts.Length > 1 ? "_" + layout : "";
                string[] referenceArgs =
                [
                    "--model", spec.Name, "--resolution", $"{spec.Resolution}", "--batch", $"{s.Batch}", "--steps", $"{s.Steps}", "--warmup", $"{s.Warmup}",
                    "--in-channels", $"{spec.InChannels}", "--classes", $"{spec.Classes}", "--threads", $"{torch.get_num_threads()}",
                    "--device", s.Device.ToString(), "--optimizer", s.Optimizer, "--amp", parse.GetValue(amp)!,
                    "--width-mult", Numbers.RoundTrip(modelOverrides.WidthMult ?? 1.0),
                    .. spec.SmallInput ? ["--small-input"] : Array.Empty<string>(),
                    .. layout == MemoryLayout.ChannelsLast ? ["--channels-last"] : Array.Empty<string>(),
                    .. parse.GetValue(cudnnBenchmark) ? ["--cudnn-benchmark"] : Array.Empty<string>(),
                ];
                var ours = new List<TrainStepBenchmark.Result>();
                var theirs = new List<(double Ms, double Ips, double? PeakMiB)>();
                for (int i = 0; i < n; i++)
                {
                    ours.Add(TrainStepBenchmark.Run(run));
                    if (script is null) continue;
                    var figs = PyTorchReference.Run(script, referenceArgs);
                    theirs.Add((PyTorchReference.Number(figs, "ms_per_step"), PyTorchReference.Number(figs, "images_per_s"),
                        figs.ContainsKey("peak_memory_mib") ? PyTorchReference.Number(figs, "peak_memory_mib") : null));
                }
                var r = ours[^1];
                double ips = Median(ours.Select(x => x.ImagesPerSecond).ToList());
                fastest[layout] = ips;
                if (layout == layouts[0]) o.WriteLine($"params {r.Parameters}");
                o.WriteLine($"final_loss{suffix} {Numbers.Fixed(r.FinalLoss, 4)}");
                o.WriteLine($"ms_per_step{suffix} {Numbers.Fixed(Median(ours.Select(x => x.MsPerStep).ToList()), 2)}");
                if (r.PeakMemoryMiB is { } peak) o.WriteLine($"peak_memory_mib{suffix} {Numbers.Fixed(peak, 1)}");
                if (n > 1) o.WriteLine($"images_per_s_runs{suffix} {string.Join(",", ours.Select(x => Numbers.Fixed(x.ImagesPerSecond, 1)))}");
                if (script is not null)
                {
                    double pips = Median(theirs.Select(x => x.Ips).ToList());
                    o.WriteLine($"pytorch_ms_per_step{suffix} {Numbers.Fixed(Median(theirs.Select(x => x.Ms).ToList()), 2)}");
                    if (theirs[^1].PeakMiB is { } theirPeak) o.WriteLine($"pytorch_peak_memory_mib{suffix} {Numbers.Fixed(theirPeak, 1)}");
                    if (n > 1) o.WriteLine($"pytorch_images_per_s_runs{suffix} {string.Join(",", theirs.Select(x => Numbers.Fixed(x.Ips, 1)))}");
                    o.WriteLine($"pytorch_images_per_s{suffix} {Numbers.Fixed(pips, 1)}");
                    o.WriteLine($"ratio_vs_pytorch{suffix} {Numbers.Fixed(ips / pips, 3)}");
                }
                o.WriteLine($"images_per_s{suffix} {Numbers.Fixed(ips, 1)}");
            }
            if (layouts.Length > 1)
            {
                var best = fastest.MaxBy(kv => kv.Value);
                o.WriteLine($"faster_memory_format {best.Key}");
                o.WriteLine($"channels_last_speedup {Numbers.Fixed(fastest[MemoryLayout.ChannelsLast] / fastest[MemoryLayout.Contiguous], 3)}");
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static double Median(List<double> xs)
    {
        var a = xs.Order().ToArray();
        return a.Length % 2 == 1 ? a[a.Length / 2] : (a[a.Length / 2 - 1] + a[a.Length / 2]) / 2;
    }
}
