namespace Research.Torch.Interop;

internal static partial class Native
{
    [DllImport(Lib)] internal static extern unsafe IntPtr rt_jit_compile(byte* source, IntPtr* names, IntPtr* tensors, int n,
        [MarshalAs(UnmanagedType.U1)] bool optimize, out IntPtr module);
    [DllImport(Lib)] internal static extern IntPtr rt_jit_forward(IntPtr module, IntPtr input, out IntPtr result);
    [DllImport(Lib)] internal static extern void rt_jit_free(IntPtr module);
}
