using Research.Torch.Distributed;
using Research.Torch.Modules;

namespace Research.Torch.Modules
{
    /// <summary>
    /// Batch normalisation over (N, C, H, W). Training uses batch statistics and updates the
    /// running ones (buffers running_mean, running_var, num_batches_tracked); eval uses them.
    /// With a <see cref="SyncGroup"/> of several ranks (PyTorch's SyncBatchNorm, here on CPU too)
    /// the training statistics are those of the whole global batch: the ranks' sums are all-reduced
    /// (differentiably, so the gradient flows through every rank's share), then the centred squares.
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

        /// <summary>The ranks whose batches are normalised together in training (null: this process's batch alone).</summary>
        public ProcessGroup? SyncGroup { get; set; }

        public override Tensor forward(Tensor input) => forward(input, BatchNormActivation.None);

        /// <summary>
        /// Batch norm, then <paramref name="activation"/>: one fused kernel for float32 CPU tensors
        /// (<see cref="torch.nn.functional.batch_norm_act"/>), libtorch's batch norm and activation
        /// elsewhere, and always with a <see cref="SyncGroup"/> of several ranks.
        /// </summary>
        public Tensor forward(Tensor input, BatchNormActivation activation)
        {
            bool useBatchStats = training || running_mean is null;
            if (training && num_batches_tracked is not null)
                using (torch.no_grad()) num_batches_tracked.add_(1);
            if (training && SyncGroup is { WorldSize: > 1 } group) return BatchNormAct.Activate(SynchronisedForward(input, group), activation);
            return torch.nn.functional.batch_norm_act(input, running_mean, running_var, weight, bias, activation, useBatchStats, Momentum, Eps);
        }

        private Tensor SynchronisedForward(Tensor input, ProcessGroup group)
        {
            if (input.dim() != 4 || input.size(1) != NumFeatures)
                throw new ArgumentException($"BatchNorm2d: expected (N, {NumFeatures}, H, W), got [{string.Join(", ", input.shape)}]");
            using var scope = torch.NewDisposeScope();
            long channels = NumFeatures;
            long[] reduce = [0, 2, 3];
            long[] perChannel = [1, channels, 1, 1];
            var x = input.dtype == ScalarType.Float32 ? input : input.to(ScalarType.Float32);
            // Sums and the count in one all-reduce; then the centred squares (two passes, as exact as a local batch norm).
            using var localCount = torch.full([1], (double)(input.numel() / channels), ScalarType.Float32, input.device);
            var totals = group.AllReduceDifferentiable(torch.cat([x.sum(reduce), localCount]));
            var count = totals.narrow(0, channels, 1);
            var mean = totals.narrow(0, 0, channels) / count;
            var centred = x - mean.view(perChannel);
            var variance = group.AllReduceDifferentiable((centred * centred).sum(reduce)) / count;
            var y = centred * (variance + Eps).rsqrt().view(perChannel);
            if (weight is not null) y = y * weight.view(perChannel);
            if (bias is not null) y = y + bias.view(perChannel);
            if (running_mean is not null && running_var is not null)
                using (torch.no_grad())
                {
                    double n = count.item<float>();
                    running_mean.mul_(1 - Momentum).add_(mean.detach() * Momentum);
                    running_var.mul_(1 - Momentum).add_(variance.detach() * (Momentum * n / Math.Max(n - 1, 1)));
                }
            if (y.dtype != input.dtype) y = y.to(input.dtype);
            return y.MoveToOuterDisposeScope();
        }
    }
}

namespace Research.Torch
{
    public static partial class torch
    {
        public static partial class nn
        {
            /// <summary>PyTorch's SyncBatchNorm.convert_sync_batchnorm: every batch norm of the model normalises over the group's ranks (null: back to local).</summary>
            public static void convert_sync_batchnorm(Module model, ProcessGroup? group)
            {
                foreach (var (_, m) in model.named_modules())
                    if (m is Modules.BatchNorm2d bn) bn.SyncGroup = group;
            }

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
