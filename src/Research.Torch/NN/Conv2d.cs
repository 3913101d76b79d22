using Research.Torch.Interop;

namespace Research.Torch;

public static partial class torch
{
    public static partial class nn
    {
        public static unsafe partial class functional
        {
            /// <summary>2-D convolution of (N, C, H, W) input with (out, C/groups, kh, kw) weight.</summary>
            public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1) =>
                conv2d(input, weight, bias, (stride, stride), (padding, padding), (dilation, dilation), groups);

            public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias, (long h, long w) stride, (long h, long w) padding, (long h, long w) dilation, long groups = 1)
            {
                long* s = stackalloc long[] { stride.h, stride.w };
                long* p = stackalloc long[] { padding.h, padding.w };
                long* d = stackalloc long[] { dilation.h, dilation.w };
                var e = Native.rt_conv2d(input.Handle, weight.Handle, bias?.Handle ?? IntPtr.Zero, s, p, d, groups, out var r);
                GC.KeepAlive(weight);
                GC.KeepAlive(bias);
                return Tensor.Result(e, r, input);
            }
        }
    }
}
