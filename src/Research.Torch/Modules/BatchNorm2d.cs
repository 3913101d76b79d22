using Research.Torch.Modules;
using Research.Torch.Interop;

namespace Research.Torch.Modules
{
    /// <summary>
    /// Batch normalisation over (N, C, H, W). Training uses batch statistics and updates the
    /// running ones (buffers running_mean, running_var, num_batches_tracked); eval uses them.
    /// </summary>
    public sealed class BatchNorm2d : Module<Tensor, Tensor>
    {
        public BatchNorm2d(long num_features, double eps = 1e-5, double momentum = 0.1, bool affine = true, bool track_running_stats = true,
            Device? device = null, ScalarType dtype = ScalarType.Float32) : base(nameof(BatchNorm2d))
        {
            if (num_features <= 0) throw new ArgumentException($"BatchNorm2d: num_features {num_features} must be positive");
            (NumFeatures, Eps, Momentum) = (num_features, eps, momentum);
            if (affine)
            {
                using var w = torch.ones([num_features], dtype, device);
                using var b = torch.zeros([num_features], dtype, device);
                weight = new Parameter(w);
                bias = new Parameter(b);
            }
            register_parameter("weight", weight);
            register_parameter("bias", bias);
            if (track_running_stats)
            {
                running_mean = torch.zeros([num_features], dtype, device);
                running_var = torch.ones([num_features], dtype, device);
                num_batches_tracked = torch.zeros([], ScalarType.Int64, device);
            }
            register_buffer("running_mean", running_mean);
            register_buffer("running_var", running_var);
            register_buffer("num_batches_tracked", num_batches_tracked);
        }

        public Parameter? weight { get; }
        public Parameter? bias { get; }
        public Tensor? running_mean { get; }
        public Tensor? running_var { get; }
        public Tensor? num_batches_tracked { get; }
        public long NumFeatures { get; }
        public double Eps { get; }
        public double Momentum { get; set; }

        public override Tensor forward(Tensor input)
        {
            bool useBatchStats = training || running_mean is null;
            if (training && num_batches_tracked is not null)
                using (torch.no_grad()) num_batches_tracked.add_(1);
            return torch.nn.functional.batch_norm(input, running_mean, running_var, weight, bias, useBatchStats, Momentum, Eps);
        }
    }
}

namespace Research.Torch
{
    public static partial class torch
    {
        public static partial class nn
        {
            public static Modules.BatchNorm2d BatchNorm2d(long num_features, double eps = 1e-5, double momentum = 0.1, bool affine = true,
                bool track_running_stats = true, Device? device = null, ScalarType dtype = ScalarType.Float32) =>
                new(num_features, eps, momentum, affine, track_running_stats, device, dtype);

            public static partial class functional
            {
                /// <summary>
                /// Batch normalisation (PyTorch's argument order). In training it normalises with the
                /// batch statistics and updates the running ones in place (running = (1-m)·running + m·batch,
                /// unbiased variance); in eval it uses the running statistics.
                /// </summary>
                public static Tensor batch_norm(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight = null, Tensor? bias = null,
                    bool training = false, double momentum = 0.1, double eps = 1e-5)
                {
                    var e = Native.rt_batch_norm(input.Handle, weight?.Handle ?? IntPtr.Zero, bias?.Handle ?? IntPtr.Zero,
                        running_mean?.Handle ?? IntPtr.Zero, running_var?.Handle ?? IntPtr.Zero, training, momentum, eps, out var r);
                    GC.KeepAlive(running_mean);
                    GC.KeepAlive(running_var);
                    GC.KeepAlive(weight);
                    GC.KeepAlive(bias);
                    return Tensor.Result(e, r, input);
                }
            }
        }
    }
}
