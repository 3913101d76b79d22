namespace Research.Torch.Interop;

// Mirrors native/functional.cpp.
internal static unsafe partial class Native
{
    [DllImport(Lib)] internal static extern IntPtr rt_conv2d(IntPtr x, IntPtr w, IntPtr b, long* stride, long* padding, long* dilation, long groups, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_batch_norm(IntPtr x, IntPtr w, IntPtr b, IntPtr mean, IntPtr var, [MarshalAs(UnmanagedType.U1)] bool training, double momentum, double eps, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_linear(IntPtr x, IntPtr w, IntPtr b, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_dropout(IntPtr x, double p, [MarshalAs(UnmanagedType.U1)] bool train, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_relu_(IntPtr a);
    [DllImport(Lib)] internal static extern IntPtr rt_leaky_relu(IntPtr a, double slope, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_softmax(IntPtr a, long dim, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_log_softmax(IntPtr a, long dim, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_adaptive_avg_pool2d(IntPtr x, long h, long w, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_avg_pool2d(IntPtr x, long* k, long* s, long* p, [MarshalAs(UnmanagedType.U1)] bool ceil_mode, [MarshalAs(UnmanagedType.U1)] bool count_include_pad, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_max_pool2d(IntPtr x, long* k, long* s, long* p, long* d, [MarshalAs(UnmanagedType.U1)] bool ceil_mode, out IntPtr r);
    [DllImport(Lib)] internal static extern unsafe IntPtr rt_affine_grid(IntPtr theta, long* size, int n, [MarshalAs(UnmanagedType.U1)] bool align_corners, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_grid_sample(IntPtr x, IntPtr grid, long mode, long padding, [MarshalAs(UnmanagedType.U1)] bool align_corners, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_interpolate(IntPtr x, long h, long w, int mode, [MarshalAs(UnmanagedType.U1)] bool align_corners, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_cross_entropy(IntPtr x, IntPtr target, IntPtr weight, long reduction, long ignore_index, double label_smoothing, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_nll_loss(IntPtr x, IntPtr target, IntPtr weight, long reduction, long ignore_index, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_mse_loss(IntPtr x, IntPtr target, long reduction, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_one_hot(IntPtr x, long classes, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_relu(IntPtr a, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_relu6(IntPtr a, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_silu(IntPtr a, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_hardswish(IntPtr a, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_hardsigmoid(IntPtr a, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_sigmoid(IntPtr a, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_tanh(IntPtr a, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_gelu(IntPtr a, out IntPtr r);
}
