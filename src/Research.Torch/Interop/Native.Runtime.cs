namespace Research.Torch.Interop;

internal static partial class Native
{
    [DllImport(Lib)] internal static extern void rt_free(IntPtr t);
    [DllImport(Lib)] internal static extern void rt_list_free(IntPtr l);
    [DllImport(Lib)] internal static extern long rt_list_size(IntPtr l);
    [DllImport(Lib)] internal static extern IntPtr rt_list_take(IntPtr l, long i);
    [DllImport(Lib)] internal static extern IntPtr rt_version();
    [DllImport(Lib)] internal static extern byte rt_host_allocator_tuned();
    [DllImport(Lib)] internal static extern void rt_host_allocator_thresholds(out long mmapThreshold, out long trimThreshold, out long mmapMax);
    [DllImport(Lib)] [return: MarshalAs(UnmanagedType.U1)] internal static extern bool rt_host_allocator_use_direct_mapping();
    [DllImport(Lib)] internal static extern int rt_get_num_threads();
    [DllImport(Lib)] internal static extern IntPtr rt_set_num_threads(int n);
    [DllImport(Lib)] internal static extern IntPtr rt_get_num_interop_threads(out int n);
    [DllImport(Lib)] internal static extern IntPtr rt_manual_seed(ulong seed);
    [DllImport(Lib)] internal static extern IntPtr rt_set_deterministic([MarshalAs(UnmanagedType.U1)] bool on, [MarshalAs(UnmanagedType.U1)] bool warnOnly);
    [DllImport(Lib)] [return: MarshalAs(UnmanagedType.U1)] internal static extern bool rt_get_deterministic();
    [DllImport(Lib)] [return: MarshalAs(UnmanagedType.U1)] internal static extern bool rt_grad_enabled();
    [DllImport(Lib)] internal static extern void rt_set_grad_enabled([MarshalAs(UnmanagedType.U1)] bool on);
    [DllImport(Lib)] [return: MarshalAs(UnmanagedType.U1)] internal static extern bool rt_cuda_is_available();
    [DllImport(Lib)] internal static extern long rt_cuda_device_count();
    [DllImport(Lib)] [return: MarshalAs(UnmanagedType.U1)] internal static extern bool rt_cudnn_is_available();
    [DllImport(Lib)] internal static extern IntPtr rt_cuda_synchronize(long device);
    [DllImport(Lib)] internal static extern IntPtr rt_cudnn_set_benchmark([MarshalAs(UnmanagedType.U1)] bool on);
    [DllImport(Lib)] internal static extern unsafe IntPtr rt_config(byte* buf, long cap, out long needed);
}

internal static partial class Native
{
    [DllImport(Lib)] internal static extern IntPtr rt_autocast_set(int deviceType, [MarshalAs(UnmanagedType.U1)] bool enabled, int dtype);
    [DllImport(Lib)] [return: MarshalAs(UnmanagedType.U1)] internal static extern bool rt_autocast_is_enabled(int deviceType);
    [DllImport(Lib)] internal static extern int rt_autocast_get_dtype(int deviceType);
    [DllImport(Lib)] internal static extern IntPtr rt_autocast_clear_cache();
    [DllImport(Lib)] internal static extern void rt_autocast_set_cache_enabled([MarshalAs(UnmanagedType.U1)] bool enabled);
    [DllImport(Lib)] [return: MarshalAs(UnmanagedType.U1)] internal static extern bool rt_autocast_is_cache_enabled();
    [DllImport(Lib)] internal static extern IntPtr rt_cpu_rng_get_state(out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_cpu_rng_set_state(IntPtr state);
}
