using System.Diagnostics;

namespace Research.Models.Cost;

public static class Latency
{
    /// <summary>Mean milliseconds per forward (eval, no grad) at a batch size on the model's device, after warm-up.</summary>
    public static double Measure(Module<Tensor, Tensor> model, long batch, long inChannels, long resolution, Device device, int warmup = 3, int iterations = 10)
    {
        if (batch < 1 || iterations < 1 || warmup < 0) throw new ArgumentException("latency needs batch >= 1, iterations >= 1, warmup >= 0");
        model.eval();
        using var _ = torch.no_grad();
        using var x = torch.randn([batch, inChannels, resolution, resolution], device: device);
        void Run(int n)
        {
            for (int i = 0; i < n; i++)
            {
                using var scope = torch.NewDisposeScope();
                model.call(x);
            }
            if (device.Type == DeviceType.CUDA) torch.cuda.synchronize();
        }
        Run(warmup);
        var sw = Stopwatch.StartNew();
        Run(iterations);
        return sw.Elapsed.TotalMilliseconds / iterations;
    }
}
