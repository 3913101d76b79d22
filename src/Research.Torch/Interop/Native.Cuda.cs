namespace Research.Torch.Interop;

/// <summary>native/cuda.cpp (CUDA builds) or cuda_absent.cpp (the same entry points, each saying CUDA is absent).</summary>
internal static partial class Native
{
    [DllImport(Lib)] [return: MarshalAs(UnmanagedType.U1)] internal static extern bool rt_cuda_built();
    [DllImport(Lib)] internal static extern IntPtr rt_cuda_memory_allocated(int device, out long bytes);
    [DllImport(Lib)] internal static extern IntPtr rt_cuda_max_memory_allocated(int device, out long bytes);
    [DllImport(Lib)] internal static extern IntPtr rt_cuda_memory_reserved(int device, out long bytes);
    [DllImport(Lib)] internal static extern IntPtr rt_cuda_reset_peak_memory_stats(int device);
    [DllImport(Lib)] internal static extern IntPtr rt_cuda_empty_cache();
    [DllImport(Lib)] internal static extern IntPtr rt_cuda_rng_get_state(int device, out IntPtr state);
    [DllImport(Lib)] internal static extern IntPtr rt_cuda_rng_set_state(int device, IntPtr state);
    [DllImport(Lib)] internal static extern IntPtr rt_cuda_side_stream_enter(int device, out IntPtr stream);
    [DllImport(Lib)] internal static extern IntPtr rt_cuda_side_stream_exit(IntPtr stream);
    [DllImport(Lib)] internal static extern IntPtr rt_cuda_graph_new(out IntPtr graph);
    [DllImport(Lib)] internal static extern void rt_cuda_graph_free(IntPtr graph);
    [DllImport(Lib)] internal static extern IntPtr rt_cuda_graph_capture_begin(IntPtr graph);
    [DllImport(Lib)] internal static extern IntPtr rt_cuda_graph_capture_end(IntPtr graph);
    [DllImport(Lib)] internal static extern IntPtr rt_cuda_graph_replay(IntPtr graph);
}
