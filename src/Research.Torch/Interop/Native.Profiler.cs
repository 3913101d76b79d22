namespace Research.Torch.Interop;

// Mirrors native/profiler.cpp.
internal static partial class Native
{
    [DllImport(Lib)] internal static extern IntPtr rt_profiler_start();
    [DllImport(Lib)] internal static extern IntPtr rt_profiler_stop(out IntPtr table);
    [DllImport(Lib)] internal static extern long rt_profile_table_size(IntPtr table);
    [DllImport(Lib)] internal static extern void rt_profile_table_row(IntPtr table, long i, out IntPtr name, out long calls, out double self_us, out double total_us);
    [DllImport(Lib)] internal static extern void rt_profile_table_free(IntPtr table);
}
