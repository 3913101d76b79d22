using Research.Torch.Modules;

namespace Research.Torch.Modules
{
    /// <summary>The activations the fused batch norm kernel applies (codes of native/batch_norm_act.cpp).</summary>
    public enum BatchNormActivation
    {
        None = 0,
        ReLU = 1,
        ReLU6 = 2,
        SiLU = 3,
        HardSwish = 4,
    }

    /// <summary>
    /// A <see cref="BatchNorm2d"/> (submodule <c>bn</c>) followed by an activation, run as one fused
    /// kernel where it applies (<see cref="torch.nn.functional.batch_norm_act"/>).
    /// </summary>
    public sealed class BatchNormAct : Module<Tensor, Tensor>
    {
        public BatchNormAct(long num_features, BatchNormActivation activation, double eps = 1e-5, double momentum = 0.1, bool affine = true,
            bool track_running_stats = true, Device? device = null, ScalarType dtype = ScalarType.Float32) : base(nameof(BatchNormAct))
        {
            Bn = new BatchNorm2d(num_features, eps, momentum, affine, track_running_stats, device, dtype);
            Activation = activation;
            register_module("bn", Bn);
        }

        public BatchNorm2d Bn { get; }
        public BatchNormActivation Activation { get; }

        public override Tensor forward(Tensor input) => Bn.forward(input, Activation);

        /// <summary>
        /// The fused kernel's code for an activation module (null: none), or null when the kernel has
        /// no such activation.
        /// </summary>
        public static BatchNormActivation? ActivationOf(Module? activation) => activation switch
        {
            null => BatchNormActivation.None,
            ReLU => BatchNormActivation.ReLU,
            ReLU6 => BatchNormActivation.ReLU6,
            SiLU => BatchNormActivation.SiLU,
            Hardswish => BatchNormActivation.HardSwish,
            _ => null,
        };

        /// <summary>The activation alone, unfused (for a batch norm computed otherwise, e.g. synchronised).</summary>
        public static Tensor Activate(Tensor x, BatchNormActivation activation) => activation switch
        {
            BatchNormActivation.None => x,
            BatchNormActivation.ReLU => torch.nn.functional.relu(x),
            BatchNormActivation.ReLU6 => torch.nn.functional.relu6(x),
            BatchNormActivation.SiLU => torch.nn.functional.silu(x),
            BatchNormActivation.HardSwish => torch.nn.functional.hardswish(x),
            _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown batch norm activation"),
        };
    }
}

namespace Research.Torch
{
    public static partial class torch
    {
        /// <summary>
        /// Whether batch norms run through the fused batch norm + activation kernel where it applies
        /// (float32 on CPU, no autocast). On by default; RESEARCH_FUSED_BN=0 in the environment turns it
        /// off for a process (libtorch's batch norm and activation: another order of float sums, so other
        /// last digits; see README), and this switch for the rest of one.
        /// </summary>
        public static bool fused_batch_norm_act_enabled { get; set; } = KernelSwitch("RESEARCH_FUSED_BN");

        public static partial class nn
        {
            public static Modules.BatchNormAct BatchNormAct(long num_features, BatchNormActivation activation, double eps = 1e-5, double momentum = 0.1,
                bool affine = true, bool track_running_stats = true, Device? device = null, ScalarType dtype = ScalarType.Float32) =>
                new(num_features, activation, eps, momentum, affine, track_running_stats, device, dtype);

            public static partial class functional
            {
                /// <summary>
                /// <see cref="batch_norm"/> followed by <paramref name="activation"/>, as one kernel with its
                /// own backward for float32 CPU input (NCHW or channels-last): one pass for the batch
                /// statistics, one for the activated output, the activation's gradient folded into batch
                /// norm's backward; running statistics updated as <see cref="batch_norm"/> does. Other dtypes,
                /// devices, autocast and a double backward take libtorch's batch norm and activation.
                /// </summary>
                /// <param name="fused">null: the fused kernel where it applies and <see cref="fused_batch_norm_act_enabled"/>;
                /// false: libtorch's ops; true: the fused kernel, or a <see cref="TorchException"/> saying why it does not apply</param>
                public static Tensor batch_norm_act(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight, Tensor? bias,
                    BatchNormActivation activation, bool training = false, double momentum = 0.1, double eps = 1e-5, bool? fused = null)
                {
                    // Autocast decides dtypes per op in libtorch's dispatcher, which the fused function does not pass through.
                    int mode = fused switch
                    {
                        true => 2,
                        false => 0,
                        null => fused_batch_norm_act_enabled && !is_autocast_enabled(DeviceType.CPU) && !is_autocast_enabled(DeviceType.CUDA) ? 1 : 0,
                    };
                    var e = Native.rt_batch_norm_act(input.Handle, weight?.Handle ?? IntPtr.Zero, bias?.Handle ?? IntPtr.Zero,
                        running_mean?.Handle ?? IntPtr.Zero, running_var?.Handle ?? IntPtr.Zero, training, momentum, eps, (int)activation, mode, out var r);
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
