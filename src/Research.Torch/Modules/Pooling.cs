namespace Research.Torch.Modules
{
    public sealed class AdaptiveAvgPool2d((long h, long w) outputSize) : Module<Tensor, Tensor>(nameof(AdaptiveAvgPool2d))
    {
        public (long h, long w) OutputSize { get; } = outputSize;
        public override Tensor forward(Tensor input) => torch.nn.functional.adaptive_avg_pool2d(input, OutputSize);
    }

    public sealed class AvgPool2d(long kernelSize, long? stride = null, long padding = 0) : Module<Tensor, Tensor>(nameof(AvgPool2d))
    {
        public override Tensor forward(Tensor input) => torch.nn.functional.avg_pool2d(input, kernelSize, stride, padding);
    }

    public sealed class MaxPool2d(long kernelSize, long? stride = null, long padding = 0) : Module<Tensor, Tensor>(nameof(MaxPool2d))
    {
        public long KernelSize => kernelSize;
        public long Stride => stride ?? kernelSize;
        public long Padding => padding;

        public override Tensor forward(Tensor input) => torch.nn.functional.max_pool2d(input, kernelSize, stride, padding);
    }
}

namespace Research.Torch
{
    public static partial class torch
    {
        public static partial class nn
        {
            public static Modules.AdaptiveAvgPool2d AdaptiveAvgPool2d(long output_size) => new((output_size, output_size));
            public static Modules.AdaptiveAvgPool2d AdaptiveAvgPool2d((long h, long w) output_size) => new(output_size);
            public static Modules.AvgPool2d AvgPool2d(long kernel_size, long? stride = null, long padding = 0) => new(kernel_size, stride, padding);
            public static Modules.MaxPool2d MaxPool2d(long kernel_size, long? stride = null, long padding = 0) => new(kernel_size, stride, padding);

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
}
