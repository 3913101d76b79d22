namespace Research.Torch.Modules
{
    /// <summary>2-D convolution layer with PyTorch's default initialisation.</summary>
    public sealed class Conv2d : Module<Tensor, Tensor>
    {
        public Conv2d(long in_channels, long out_channels, (long h, long w) kernel_size, (long h, long w) stride, (long h, long w) padding,
            (long h, long w) dilation, long groups, bool bias, Device? device = null, ScalarType dtype = ScalarType.Float32) : base(nameof(Conv2d))
        {
            if (in_channels <= 0 || out_channels <= 0 || groups <= 0)
                throw new ArgumentException($"Conv2d: channels ({in_channels}, {out_channels}) and groups ({groups}) must be positive");
            if (in_channels % groups != 0 || out_channels % groups != 0)
                throw new ArgumentException($"Conv2d: in_channels {in_channels} and out_channels {out_channels} must both be divisible by groups {groups}");
            (InChannels, OutChannels, KernelSize, Stride, Padding, Dilation, Groups) = (in_channels, out_channels, kernel_size, stride, padding, dilation, groups);
            (weight, this.bias) = torch.nn.init.layer_parameters(this, [out_channels, in_channels / groups, kernel_size.h, kernel_size.w], bias, device, dtype);
        }

        public Parameter weight { get; }
        public Parameter? bias { get; }
        public long InChannels { get; }
        public long OutChannels { get; }
        public (long h, long w) KernelSize { get; }
        public (long h, long w) Stride { get; }
        public (long h, long w) Padding { get; }
        public (long h, long w) Dilation { get; }
        public long Groups { get; }

        public override Tensor forward(Tensor input) => torch.nn.functional.conv2d(input, weight, bias, Stride, Padding, Dilation, Groups);
    }
}

namespace Research.Torch
{
    public static partial class torch
    {
        /// <summary>
        /// Whether depthwise convolutions' weight gradients run through the project's kernel where it
        /// applies (float32 on CPU, no autocast). On by default; RESEARCH_DEPTHWISE_GRAD=0 in the environment
        /// turns it off for a process (libtorch's own: another order of float sums; see README), and this
        /// switch for the rest of one.
        /// </summary>
        public static bool depthwise_conv_kernel_enabled { get; set; } = KernelSwitch("RESEARCH_DEPTHWISE_GRAD");

        public static partial class nn
        {
            public static Modules.Conv2d Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0,
                long dilation = 1, long groups = 1, bool bias = true, Device? device = null, ScalarType dtype = ScalarType.Float32) =>
                new(in_channels, out_channels, (kernel_size, kernel_size), (stride, stride), (padding, padding), (dilation, dilation), groups, bias, device, dtype);

            public static unsafe partial class functional
            {
                /// <summary>2-D convolution of (N, C, H, W) input with (out, C/groups, kh, kw) weight.</summary>
                public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1) =>
                    conv2d(input, weight, bias, (stride, stride), (padding, padding), (dilation, dilation), groups);

                public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias, (long h, long w) stride, (long h, long w) padding, (long h, long w) dilation, long groups = 1)
                {
                    // A depthwise weight (C, 1, kh, kw) with groups = C: its weight gradient can take the project's kernel.
                    if (groups > 1 && depthwise_conv_kernel_enabled && weight.size(1) == 1 && weight.size(0) == groups)
                        return depthwise_conv2d(input, weight, bias, stride, padding, dilation);
                    long* s = stackalloc long[] { stride.h, stride.w };
                    long* p = stackalloc long[] { padding.h, padding.w };
                    long* d = stackalloc long[] { dilation.h, dilation.w };
                    var e = Native.rt_conv2d(input.Handle, weight.Handle, bias?.Handle ?? IntPtr.Zero, s, p, d, groups, out var r);
                    GC.KeepAlive(weight);
                    GC.KeepAlive(bias);
                    return Tensor.Result(e, r, input);
                }

                /// <summary>
                /// Depthwise convolution of (N, C, H, W) input with a (C, 1, kh, kw) weight (groups = C). For
                /// float32 CPU tensors (NCHW or channels-last, no autocast) its weight gradient is the
                /// project's kernel (native/depthwise_conv.cpp: libtorch 1.13's runs many times slower than
                /// the forward); the forward and the input gradient are libtorch's either way.
                /// </summary>
                /// <param name="kernel">null: the kernel where it applies, a gradient is wanted and
                /// <see cref="depthwise_conv_kernel_enabled"/>; false: libtorch's conv2d; true: the kernel, or a
                /// <see cref="TorchException"/> saying why it does not apply</param>
                public static Tensor depthwise_conv2d(Tensor input, Tensor weight, Tensor? bias, (long h, long w) stride, (long h, long w) padding,
                    (long h, long w) dilation, bool? kernel = null)
                {
                    long* s = stackalloc long[] { stride.h, stride.w };
                    long* p = stackalloc long[] { padding.h, padding.w };
                    long* d = stackalloc long[] { dilation.h, dilation.w };
                    int mode = kernel switch { true => 2, false => 0, null => depthwise_conv_kernel_enabled ? 1 : 0 };
                    var e = Native.rt_depthwise_conv2d(input.Handle, weight.Handle, bias?.Handle ?? IntPtr.Zero, s, p, d, mode, out var r);
                    GC.KeepAlive(weight);
                    GC.KeepAlive(bias);
                    return Tensor.Result(e, r, input);
                }
            }
        }
    }
}
