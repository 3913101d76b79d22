using Research.Torch.Interop;

namespace Research.Torch;

public static partial class torch
{
    public static partial class nn
    {
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
