using System.Globalization;
using Research.Cli.Benchmarks;
using Research.Models.Networks;
using Research.Training;

namespace Research.Cli.Commands;

/// <summary>
/// `research bench profile`: where a training (or inference) step's time goes. The steps of `bench
/// train` on random data, the timed ones under libtorch's operator profiler; the operators with the
/// most self time (their own, less their child operators'), each with its share of all operators'
/// self time, so the next optimisation is chosen from data.
/// </summary>
public static class BenchProfileCommand
{
    public static Command Create()
    {
        var bench = new TrainStepOptions("profiled steps", 10, "unprofiled steps first");
        var mode = new Option<string>("--mode") { Description = "train (forward, backward, SGD step) or eval (forward under no_grad)", DefaultValueFactory = _ => "train" }
            .AcceptOnlyFromAmong("train", "eval");
        var format = new Option<string>("--memory-format") { Description = "contiguous (NCHW) or channels_last (NHWC)", DefaultValueFactory = _ => MemoryLayout.Contiguous }
            .AcceptOnlyFromAmong(MemoryLayout.Contiguous, MemoryLayout.ChannelsLast);
        var top = new Option<int>("--top") { Description = "operators listed", DefaultValueFactory = _ => 15 };
        var fused = new Option<string?>("--fused-bn") { Description = "the fused batch norm + activation kernel on or off (default: RESEARCH_FUSED_BN)" }
            .AcceptOnlyFromAmong("on", "off");
        var threads = CommonOptions.Threads();
        var cmd = new Command("profile", "the operators with the most self time in a training or inference step (libtorch's profiler, CPU)")
            { bench.Model, bench.Batch, bench.Steps, bench.Warmup, mode, format, top, fused, threads };
        bench.Overrides.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var spec = ModelSource.ResolveFor(parse.GetValue(bench.Model)!, bench.Overrides.Bind(parse), data: null);
            long b = parse.GetValue(bench.Batch);
            int n = parse.GetValue(bench.Steps), w = parse.GetValue(bench.Warmup), k = parse.GetValue(top);
            if (b < 1 || n < 1 || w < 0 || k < 1)
                throw new ArgumentException($"--batch {b}, --steps {n}, --warmup {w}, --top {k}: need batch >= 1, steps >= 1, warmup >= 0, top >= 1");
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            bool eval = parse.GetValue(mode) == "eval";
            string layout = parse.GetValue(format)!;
            bool fusedBefore = torch.fused_batch_norm_act_enabled;
            if (parse.GetValue(fused) is { } f) torch.fused_batch_norm_act_enabled = f == "on";

            OperatorProfiler? profiler = null;
            IReadOnlyList<OperatorTime> ops = [];
            var settings = new TrainStepBenchmark.Settings(spec, b, n, w, "sgd", Device.CPU, MemoryLayout.Resolve(layout), Eval: eval,
                AroundTimed: () =>
                {
                    profiler = OperatorProfiler.Start();
                    return new Finally(() => ops = profiler.Stop());
                });
            bool fusedOn = torch.fused_batch_norm_act_enabled;
            TrainStepBenchmark.Result result;
            try { result = TrainStepBenchmark.Run(settings); }
            finally { torch.fused_batch_norm_act_enabled = fusedBefore; }

            double selfTotal = ops.Sum(x => x.SelfMs);
            if (ops.Count == 0 || selfTotal <= 0) throw new InvalidOperationException("libtorch's profiler recorded no operators");
            double wallMs = result.MsPerStep * n;
            o.WriteLine($"libtorch {torch.version}");
            o.WriteLine($"threads {torch.get_num_threads()}");
            o.WriteLine($"model {spec.Name} resolution {spec.Resolution} batch {b} memory_format {layout} mode {(eval ? "eval" : "train")} steps {n}");
            o.WriteLine($"fused_batch_norm_act {(fusedOn ? "on" : "off")}");
            o.WriteLine($"ms_per_step {Numbers.Fixed(result.MsPerStep, 2)}");
            o.WriteLine($"op_self_ms_per_step {Numbers.Fixed(selfTotal / n, 2)}");
            o.WriteLine($"outside_ops_pct {Numbers.Fixed(100 * Math.Max(0, wallMs - selfTotal) / wallMs, 1)}");
            o.WriteLine($"operators {ops.Count}");
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"rank",4}  {"self_pct",8}  {"self_ms_per_step",16}  {"calls_per_step",14}  {"total_ms_per_step",17}  op"));
            int rank = 0;
            foreach (var op in ops.Take(k))
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{++rank,4}  {100 * op.SelfMs / selfTotal,8:F1}  {op.SelfMs / n,16:F3}  {(double)op.Calls / n,14:0.##}  {op.TotalMs / n,17:F3}  {op.Name}"));
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private sealed class Finally(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
