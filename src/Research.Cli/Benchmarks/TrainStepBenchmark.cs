using System.Diagnostics;
using Research.Models.Networks;
using Research.Models.Specs;
using Research.Torch.Optim;

namespace Research.Cli.Benchmarks;

/// <summary>
/// Training-step throughput on random data: zero_grad, forward, cross entropy, backward,
/// optimizer step — the loop of bench/pytorch_train_step.py, with its optimizer settings.
/// </summary>
public static class TrainStepBenchmark
{
    /// <param name="Bf16">the forward pass under bf16 autocast on the device (as the trainer on CUDA)</param>
    /// <param name="CudaGraphs">replay one captured step (CUDA; the warm-up steps run eagerly on a side stream first, then one is captured)</param>
    /// <param name="Eval">an inference step instead: eval mode, no gradients, forward and loss only</param>
    /// <param name="AroundStep">opened before each timed step and disposed after it (e.g. a profiler: libtorch's legacy
    /// profiler keeps every step's memory until it stops, so one session per step keeps the process's footprint, and with it
    /// the page faults that fresh memory costs, as an unprofiled run has them)</param>
    public sealed record Settings(NetworkSpec Model, long Batch, int Steps, int Warmup, string Optimizer, Device Device,
        MemoryFormat Format = MemoryFormat.Contiguous, bool Bf16 = false, bool CudaGraphs = false, bool Eval = false,
        Func<IDisposable>? AroundStep = null);

    /// <param name="PeakMemoryMiB">the device's peak allocated memory over the timed steps (CUDA; null elsewhere)</param>
    public sealed record Result(double MsPerStep, double ImagesPerSecond, long Parameters, double FinalLoss, double? PeakMemoryMiB = null);

    public static Optimizer CreateOptimizer(string name, IEnumerable<Parameter> parameters) => name switch
    {
        "sgd" => new SGD(parameters, lr: 0.01, momentum: 0.9, weight_decay: 1e-5),
        "rmsprop" => new RMSprop(parameters, lr: 0.01, alpha: 0.9, momentum: 0.9, eps: 1e-3),
        "adamw" => new AdamW(parameters, lr: 1e-3),
        _ => throw new ArgumentException($"--optimizer {name}: expected sgd, rmsprop or adamw"),
    };

    public static Result Run(Settings s)
    {
        torch.manual_seed(0);
        using var model = NetworkBuilder.Build(s.Model);
        model.to(s.Device).to(s.Format).train(!s.Eval);
        using var opt = CreateOptimizer(s.Optimizer, model.parameters());
        using var x0 = torch.randn([s.Batch, s.Model.InChannels, s.Model.Resolution, s.Model.Resolution], device: s.Device);
        using var x = x0.contiguous(s.Format);
        using var y = torch.randint(0, s.Model.Classes, [s.Batch], device: s.Device);
        using var lastLoss = torch.zeros([], ScalarType.Float32, s.Device);
        bool cuda = s.Device.Type == DeviceType.CUDA;
        if (s.CudaGraphs)
        {
            if (!cuda || !torch.cuda.is_built()) throw new ArgumentException("--cuda-graphs needs a CUDA device and a shim built against a CUDA libtorch");
            opt.UseLearningRateTensors(s.Device);
        }
        // The step only launches device work (the loss stays on the device), so it can be captured as it is.
        void Step()
        {
            using var scope = torch.NewDisposeScope();
            if (s.Eval)
            {
                using (torch.no_grad())
                using (torch.autocast(s.Device.Type, enabled: s.Bf16))
                    lastLoss.copy_(torch.nn.functional.cross_entropy(model.call(x).to(ScalarType.Float32), y));
                return;
            }
            opt.zero_grad(set_to_none: !s.CudaGraphs);
            Tensor logits;
            using (torch.autocast(s.Device.Type, enabled: s.Bf16))
                logits = model.call(x);
            var l = torch.nn.functional.cross_entropy(logits.to(ScalarType.Float32), y);
            l.backward();
            opt.step();
            using (torch.no_grad()) lastLoss.copy_(l.detach());
        }
        void Sync()
        {
            if (cuda) torch.cuda.synchronize();
        }
        using var graph = s.CudaGraphs ? new CudaGraph() : null;
        int device = Math.Max(0, s.Device.Index);
        for (int i = 0; i < Math.Max(s.Warmup, s.CudaGraphs ? 3 : 0); i++)
            if (s.CudaGraphs)
                using (torch.cuda.side_stream(device)) Step();
            else Step();
        if (graph is not null)
        {
            Sync();
            bool cache = torch.autocast_cache_enabled;
            torch.autocast_cache_enabled = false;
            try { graph.Capture(Step, device); }
            finally { torch.autocast_cache_enabled = cache; }
        }
        Sync();
        if (cuda) torch.cuda.reset_peak_memory_stats(device);
        double secs = 0;
        if (s.AroundStep is null)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < s.Steps; i++)
                if (graph is not null) graph.Replay();
                else Step();
            Sync();
            secs = sw.Elapsed.TotalSeconds;
        }
        else
            // Each step timed on its own, inside its session: starting and summarising a profiler session is not the step's time.
            for (int i = 0; i < s.Steps; i++)
                using (s.AroundStep())
                {
                    var sw = Stopwatch.StartNew();
                    if (graph is not null) graph.Replay();
                    else Step();
                    Sync();
                    secs += sw.Elapsed.TotalSeconds;
                }
        double? peak = cuda && torch.cuda.is_built() ? torch.cuda.max_memory_allocated(device) / (1024.0 * 1024.0) : null;
        long nparams = model.parameters().Sum(p => p.numel());
        return new Result(1000 * secs / s.Steps, s.Steps * s.Batch / secs, nparams, lastLoss.item<double>(), peak);
    }
}
