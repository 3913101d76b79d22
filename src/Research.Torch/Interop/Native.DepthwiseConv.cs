namespace Research.Torch.Interop;

// Mirrors native/depthwise_conv.cpp.
internal static unsafe partial class Native
{
    /// <param name="mode">0 libtorch's conv2d, 1 the weight-gradient kernel where it applies, 2 the kernel or an error saying why not</param>
    [DllImport(Lib)] internal static extern IntPtr rt_depthwise_conv2d(IntPtr x, IntPtr w, IntPtr b, long* stride, long* padding, long* dilation, int mode, out IntPtr r);
}
