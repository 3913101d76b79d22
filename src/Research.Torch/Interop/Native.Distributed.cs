namespace Research.Torch.Interop;

/// <summary>native/distributed.cpp and distributed_nccl.cpp: c10d's store, process groups and collectives.</summary>
internal static partial class Native
{
    [DllImport(Lib)] internal static extern IntPtr rt_dist_store_create([MarshalAs(UnmanagedType.LPUTF8Str)] string host, int port, int worldSize,
        [MarshalAs(UnmanagedType.U1)] bool isServer, long timeoutMs, out IntPtr store);
    [DllImport(Lib)] internal static extern void rt_dist_store_free(IntPtr store);
    [DllImport(Lib)] internal static extern IntPtr rt_dist_store_port(IntPtr store, out int port);
    [DllImport(Lib)] internal static extern unsafe IntPtr rt_dist_store_set(IntPtr store, [MarshalAs(UnmanagedType.LPUTF8Str)] string key, byte* data, long n);
    [DllImport(Lib)] internal static extern IntPtr rt_dist_store_get(IntPtr store, [MarshalAs(UnmanagedType.LPUTF8Str)] string key, out IntPtr data, out long n);
    [DllImport(Lib)] internal static extern void rt_dist_bytes_free(IntPtr data);
    [DllImport(Lib)] internal static extern IntPtr rt_dist_store_add(IntPtr store, [MarshalAs(UnmanagedType.LPUTF8Str)] string key, long delta, out long value);
    [DllImport(Lib)] internal static extern IntPtr rt_dist_store_check(IntPtr store, [MarshalAs(UnmanagedType.LPUTF8Str)] string key,
        [MarshalAs(UnmanagedType.U1)] out bool present);
    [DllImport(Lib)] internal static extern IntPtr rt_dist_store_wait(IntPtr store, [MarshalAs(UnmanagedType.LPUTF8Str)] string key, long timeoutMs);
    [DllImport(Lib)] internal static extern IntPtr rt_dist_store_delete(IntPtr store, [MarshalAs(UnmanagedType.LPUTF8Str)] string key,
        [MarshalAs(UnmanagedType.U1)] out bool deleted);

    [DllImport(Lib)] internal static extern IntPtr rt_dist_backend_available([MarshalAs(UnmanagedType.LPUTF8Str)] string name,
        [MarshalAs(UnmanagedType.U1)] out bool available);
    [DllImport(Lib)] internal static extern IntPtr rt_dist_gloo_create(IntPtr store, [MarshalAs(UnmanagedType.LPUTF8Str)] string prefix, int rank, int worldSize,
        long timeoutMs, [MarshalAs(UnmanagedType.LPUTF8Str)] string? networkInterface, [MarshalAs(UnmanagedType.LPUTF8Str)] string? hostname, int threads,
        out IntPtr group);
    [DllImport(Lib)] internal static extern IntPtr rt_dist_nccl_create(IntPtr store, [MarshalAs(UnmanagedType.LPUTF8Str)] string prefix, int rank, int worldSize,
        long timeoutMs, out IntPtr group);
    [DllImport(Lib)] internal static extern void rt_dist_group_free(IntPtr group);

    [DllImport(Lib)] internal static extern IntPtr rt_dist_all_reduce(IntPtr group, IntPtr tensor, int op, long timeoutMs, out IntPtr work);
    [DllImport(Lib)] internal static extern IntPtr rt_dist_broadcast(IntPtr group, IntPtr tensor, int root, long timeoutMs, out IntPtr work);
    [DllImport(Lib)] internal static extern IntPtr rt_dist_all_gather(IntPtr group, IntPtr input, IntPtr[] outputs, int n, long timeoutMs, out IntPtr work);
    [DllImport(Lib)] internal static extern IntPtr rt_dist_barrier(IntPtr group, long timeoutMs, out IntPtr work);
    [DllImport(Lib)] internal static extern IntPtr rt_dist_work_wait(IntPtr work, long timeoutMs);
    [DllImport(Lib)] internal static extern void rt_dist_work_free(IntPtr work);
    [DllImport(Lib)] internal static extern IntPtr rt_dist_all_reduce_differentiable(IntPtr group, IntPtr input, long timeoutMs, out IntPtr result);
}
