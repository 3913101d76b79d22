using Research.Torch.Interop;

namespace Research.Torch;

public static partial class torch
{
    public static partial class nn
    {
        public static partial class functional
        {
            /// <summary>y = x·Wᵀ + b with W of shape (out, in).</summary>
            public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null)
            {
                var e = Native.rt_linear(input.Handle, weight.Handle, bias?.Handle ?? IntPtr.Zero, out var r);
                GC.KeepAlive(bias);
                return Tensor.Result(e, r, input, weight);
            }
        }
    }
}
