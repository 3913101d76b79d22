using System.Globalization;
using Research.Cli.Benchmarks;
using Research.Models.Inference;
using Research.Models.Networks;
using Research.Models.Specs;
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
        var mode = new Option<string>("--mode")
            {
                Description = "train (forward, backward, SGD step), eval (the network's forward under no_grad) or infer (the libtorch inference engine: " +
                              "the exported graph with batch norm folded, as eval, predict and latency tables run it)",
                DefaultValueFactory = _ => "train",
            }.AcceptOnlyFromAmong("train", "eval", "infer");
        var format = new Option<string>("--memory-format") { Description = "contiguous (NCHW) or channels_last (NHWC)", DefaultValueFactory = _ => MemoryLayout.Contiguous }
            .AcceptOnlyFromAmong(MemoryLayout.Contiguous, MemoryLayout.ChannelsLast);
        var top = new Option<int>("--top") { Description = "operators listed", DefaultValueFactory = _ => 15 };
        var fused = new Option<string?>("--fused-bn") { Description = "the fused batch norm + activation kernel on or off (default: on unless RESEARCH_FUSED_BN=0)" }
            .AcceptOnlyFromAmong("on", "off");
        var depthwise = new Option<string?>("--depthwise-grad") { Description = "the depthwise convolution weight-gradient kernel on or off (default: on unless RESEARCH_DEPTHWISE_GRAD=0)" }
            .AcceptOnlyFromAmong("on", "off");
        var threads = CommonOptions.Threads();
        var cmd = new Command("profile", "the operators with the most self time in a training or inference step (libtorch's profiler, CPU)")
            { bench.Model, bench.Batch, bench.Steps, bench.Warmup, mode, format, top, fused, depthwise, threads };
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
            string modeName = parse.GetValue(mode)!;
            bool eval = modeName != "train";
            string layout = parse.GetValue(format)!;
            bool fusedBefore = torch.fused_batch_norm_act_enabled;
            if (parse.GetValue(fused) is { } f) torch.fused_batch_norm_act_enabled = f == "on";
            bool depthwiseBefore = torch.depthwise_conv_kernel_enabled;
            if (parse.GetValue(depthwise) is { } dw) torch.depthwise_conv_kernel_enabled = dw == "on";

            var steps = new List<IReadOnlyList<OperatorTime>>();
            IDisposable AroundStep()
            {
                var profiler = OperatorProfiler.Start();
                return new Finally(() => steps.Add(profiler.Stop()));
            }
            bool fusedOn = torch.fused_batch_norm_act_enabled, depthwiseOn = torch.depthwise_conv_kernel_enabled;
            double msPerStep;
            string? plan = null;
            try
            {
                if (modeName == "infer") (msPerStep, plan) = InferSteps(spec, b, n, w, layout, AroundStep);
                else msPerStep = TrainStepBenchmark.Run(new TrainStepBenchmark.Settings(spec, b, n, w, "sgd", Device.CPU, MemoryLayout.Resolve(layout), Eval: eval,
                    AroundStep: AroundStep)).MsPerStep;
            }
            finally
            {
                torch.fused_batch_norm_act_enabled = fusedBefore;
                torch.depthwise_conv_kernel_enabled = depthwiseBefore;
            }

            var ops = OperatorTime.Sum(steps.SelectMany(x => x));
            double selfTotal = ops.Sum(x => x.SelfMs);
            if (ops.Count == 0 || selfTotal <= 0) throw new InvalidOperationException("libtorch's profiler recorded no operators");
            double wallMs = msPerStep * n;
            o.WriteLine($"libtorch {torch.version}");
            o.WriteLine($"threads {torch.get_num_threads()}");
            o.WriteLine($"model {spec.Name} resolution {spec.Resolution} batch {b} memory_format {layout} mode {modeName} steps {n}");
            if (plan is not null) o.WriteLine($"engine {plan}");
            o.WriteLine($"fused_batch_norm_act {(fusedOn ? "on" : "off")}");
            o.WriteLine($"depthwise_weight_grad {(depthwiseOn ? "on" : "off")}");
            o.WriteLine($"ms_per_step {Numbers.Fixed(msPerStep, 2)}");
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

    /// <summary>The libtorch inference engine's forward on one random batch: warm-up steps (the graph is built and libtorch's executor profiles its first calls), then the timed ones.</summary>
    private static (double MsPerStep, string Plan) InferSteps(NetworkSpec spec, long batch, int steps, int warmup, string layout, Func<IDisposable> aroundStep)
    {
        using var network = NetworkBuilder.Build(spec);
        network.eval();
        using var engine = new LibTorchEngine(network, Device.CPU);
        using var x0 = torch.randn([batch, spec.InChannels, spec.Resolution, spec.Resolution]);
        using var x = x0.contiguous(MemoryLayout.Resolve(layout));
        for (int i = 0; i < Math.Max(2, warmup); i++) engine.forward(x).Dispose();
        double ms = 0;
        for (int i = 0; i < steps; i++)
            using (aroundStep())
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                engine.forward(x).Dispose();
                ms += clock.Elapsed.TotalMilliseconds;
            }
        return (ms / steps, engine.Description);
    }

    private sealed class Finally(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
