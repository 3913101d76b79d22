using Research.Torch.Interop;

namespace Research.Torch;

public static partial class torch
{
    public static partial class nn
    {
        public static unsafe partial class functional
        {
            public static Tensor adaptive_avg_pool2d(Tensor x, (long h, long w) output_size) =>
                Tensor.Result(Native.rt_adaptive_avg_pool2d(x.Handle, output_size.h, output_size.w, out var r), r, x);

            public static Tensor adaptive_avg_pool2d(Tensor x, long output_size) => adaptive_avg_pool2d(x, (output_size, output_size));

            /// <summary>Average pooling; stride defaults to the kernel size, as in PyTorch.</summary>
            public static Tensor avg_pool2d(Tensor x, long kernel_size, long? stride = null, long padding = 0, bool ceil_mode = false, bool count_include_pad = true)
            {
                long s0 = stride ?? kernel_size;
                long* k = stackalloc long[] { kernel_size, kernel_size };
                long* s = stackalloc long[] { s0, s0 };
                long* p = stackalloc long[] { padding, padding };
                return Tensor.Result(Native.rt_avg_pool2d(x.Handle, k, s, p, ceil_mode, count_include_pad, out var r), r, x);
            }

            /// <summary>Max pooling; stride defaults to the kernel size, as in PyTorch.</summary>
            public static Tensor max_pool2d(Tensor x, long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool ceil_mode = false)
            {
                long s0 = stride ?? kernel_size;
                long* k = stackalloc long[] { kernel_size, kernel_size };
                long* s = stackalloc long[] { s0, s0 };
                long* p = stackalloc long[] { padding, padding };
                long* d = stackalloc long[] { dilation, dilation };
                return Tensor.Result(Native.rt_max_pool2d(x.Handle, k, s, p, d, ceil_mode, out var r), r, x);
            }
        }
    }
}
