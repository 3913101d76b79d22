namespace Research.Torch.Interop;

// Mirrors native/shape.cpp.
internal static unsafe partial class Native
{
    [DllImport(Lib)] internal static extern IntPtr rt_view(IntPtr a, long* s, int n, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_reshape(IntPtr a, long* s, int n, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_permute(IntPtr a, long* s, int n, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_expand(IntPtr a, long* s, int n, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_repeat(IntPtr a, long* s, int n, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_transpose(IntPtr a, long d0, long d1, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_flatten(IntPtr a, long start, long end, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_squeeze(IntPtr a, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_squeeze_dim(IntPtr a, long dim, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_unsqueeze(IntPtr a, long dim, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_narrow(IntPtr a, long dim, long start, long length, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_slice(IntPtr a, long dim, long start, long end, long step, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_select(IntPtr a, long dim, long index, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_index_select(IntPtr a, long dim, IntPtr index, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_gather(IntPtr a, long dim, IntPtr index, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_masked_fill(IntPtr a, IntPtr mask, double d, long l, int kind, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_cat(IntPtr* ts, int n, long dim, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_stack(IntPtr* ts, int n, long dim, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_chunk(IntPtr a, long chunks, long dim, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_split(IntPtr a, long size, long dim, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_split_sizes(IntPtr a, long* sizes, int n, long dim, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_pad(IntPtr a, long* p, int n, int mode, double value, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_flip(IntPtr a, long* dims, int n, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_roll(IntPtr a, long* shifts, long* dims, int n, out IntPtr r);
}
