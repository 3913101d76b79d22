using System.Diagnostics;
using Research.Models.Networks;
using Research.Models.Specs;
using Research.Torch;
using Research.Torch.Optim;

namespace Research.Cli.Benchmarks;

/// <summary>
/// Training-step throughput on random data: zero_grad, forward, cross entropy, backward,
/// optimizer step — the loop of shared/bench/pytorch_train_step.py, with its optimizer settings.
/// </summary>
public static class TrainStepBenchmark
{
    public sealed record Settings(NetworkSpec Model, long Batch, int Steps, int Warmup, string Optimizer, Device Device,
        MemoryFormat Format = MemoryFormat.Contiguous);

    public sealed record Result(double MsPerStep, double ImagesPerSecond, long Parameters, double FinalLoss);

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
        model.to(s.Device).to(s.Format).train();
        using var opt = CreateOptimizer(s.Optimizer, model.parameters());
        using var x0 = torch.randn([s.Batch, s.Model.InChannels, s.Model.Resolution, s.Model.Resolution], device: s.Device);
        using var x = x0.contiguous(s.Format);
        using var y = torch.randint(0, s.Model.Classes, [s.Batch], device: s.Device);
        double loss = 0;
        void Step()
        {
            using var scope = torch.NewDisposeScope();
            opt.zero_grad();
            var l = torch.nn.functional.cross_entropy(model.call(x), y);
            l.backward();
            opt.step();
            loss = l.item<double>();
        }
        void Sync()
        {
            if (s.Device.Type == DeviceType.CUDA) torch.cuda.synchronize();
        }
        for (int i = 0; i < s.Warmup; i++) Step();
        Sync();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < s.Steps; i++) Step();
        Sync();
        double secs = sw.Elapsed.TotalSeconds;
        long nparams = model.parameters().Sum(p => p.numel());
        return new Result(1000 * secs / s.Steps, s.Steps * s.Batch / secs, nparams, loss);
    }
}
