namespace Research.Torch.Interop;

// Mirrors native/autograd.cpp.
internal static unsafe partial class Native
{
    [DllImport(Lib)] internal static extern IntPtr rt_backward(IntPtr t, IntPtr grad, [MarshalAs(UnmanagedType.U1)] bool retain_graph, [MarshalAs(UnmanagedType.U1)] bool create_graph);
    [DllImport(Lib)] internal static extern IntPtr rt_grad(IntPtr t, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr rt_set_grad(IntPtr t, IntPtr g);
    [DllImport(Lib)] internal static extern IntPtr rt_zero_grad(IntPtr t, [MarshalAs(UnmanagedType.U1)] bool set_to_none);
    [DllImport(Lib)] internal static extern IntPtr rt_retain_grad(IntPtr t);
    [DllImport(Lib)] internal static extern IntPtr rt_autograd_grad(IntPtr* outputs, int n_out, IntPtr* grad_outputs, IntPtr* inputs, int n_in, [MarshalAs(UnmanagedType.U1)] bool retain_graph, [MarshalAs(UnmanagedType.U1)] bool create_graph, [MarshalAs(UnmanagedType.U1)] bool allow_unused, IntPtr* results);
    [DllImport(Lib)] internal static extern IntPtr rt_set_data(IntPtr t, IntPtr new_data);
}
