namespace Research.Torch.Interop;

internal static unsafe partial class Native
{
    // Creation: shape as (pointer, rank); options as (dtype, device type, device index, requires_grad).
    [DllImport(Lib)] internal static extern IntPtr rt_empty(long* shape, int n, int dtype, int devType, int devIndex, [MarshalAs(UnmanagedType.U1)] bool rg, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_zeros(long* shape, int n, int dtype, int devType, int devIndex, [MarshalAs(UnmanagedType.U1)] bool rg, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_ones(long* shape, int n, int dtype, int devType, int devIndex, [MarshalAs(UnmanagedType.U1)] bool rg, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_full(long* shape, int n, double d, long l, int kind, int dtype, int devType, int devIndex, [MarshalAs(UnmanagedType.U1)] bool rg, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_rand(long* shape, int n, int dtype, int devType, int devIndex, [MarshalAs(UnmanagedType.U1)] bool rg, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_randn(long* shape, int n, int dtype, int devType, int devIndex, [MarshalAs(UnmanagedType.U1)] bool rg, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_randint(long low, long high, long* shape, int n, int dtype, int devType, int devIndex, [MarshalAs(UnmanagedType.U1)] bool rg, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_randperm(long n, int dtype, int devType, int devIndex, [MarshalAs(UnmanagedType.U1)] bool rg, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_arange(double start, double end, double step, int dtype, int devType, int devIndex, [MarshalAs(UnmanagedType.U1)] bool rg, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_linspace(double start, double end, long steps, int dtype, int devType, int devIndex, [MarshalAs(UnmanagedType.U1)] bool rg, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_eye(long n, int dtype, int devType, int devIndex, [MarshalAs(UnmanagedType.U1)] bool rg, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_from_data(void* data, long* shape, int n, int dtype, int devType, int devIndex, [MarshalAs(UnmanagedType.U1)] bool rg, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_copy_to_host(IntPtr t, void* dst, long nbytes);

    // Metadata: plain getters that cannot fail, so no GC transition is needed.
    [DllImport(Lib), SuppressGCTransition] internal static extern long rt_dim(IntPtr t);
    [DllImport(Lib), SuppressGCTransition] internal static extern long rt_numel(IntPtr t);
    [DllImport(Lib), SuppressGCTransition] internal static extern void rt_shape(IntPtr t, long* outShape);
    [DllImport(Lib), SuppressGCTransition] internal static extern void rt_strides(IntPtr t, long* outStrides);
    [DllImport(Lib), SuppressGCTransition] internal static extern int rt_dtype(IntPtr t);
    [DllImport(Lib), SuppressGCTransition] internal static extern int rt_device_type(IntPtr t);
    [DllImport(Lib), SuppressGCTransition] internal static extern int rt_device_index(IntPtr t);
    [DllImport(Lib), SuppressGCTransition] internal static extern byte rt_requires_grad(IntPtr t);
    [DllImport(Lib), SuppressGCTransition] internal static extern byte rt_is_contiguous(IntPtr t);
    [DllImport(Lib), SuppressGCTransition] internal static extern byte rt_is_channels_last(IntPtr t);
    [DllImport(Lib), SuppressGCTransition] internal static extern byte rt_is_leaf(IntPtr t);

    [DllImport(Lib)] internal static extern IntPtr rt_item_double(IntPtr t, out double v);
    [DllImport(Lib)] internal static extern IntPtr rt_item_long(IntPtr t, out long v);
    [DllImport(Lib)] internal static extern IntPtr rt_to(IntPtr t, int dtype, int devType, int devIndex, [MarshalAs(UnmanagedType.U1)] bool nonBlocking, [MarshalAs(UnmanagedType.U1)] bool copy, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_pin_memory(IntPtr t, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_clone(IntPtr t, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_detach(IntPtr t, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_contiguous(IntPtr t, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_to_memory_format(IntPtr t, int format, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_alias(IntPtr t, out IntPtr r);
}
