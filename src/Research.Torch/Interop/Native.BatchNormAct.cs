namespace Research.Torch.Interop;

// Mirrors native/batch_norm_act.cpp.
internal static partial class Native
{
    /// <param name="act">a <see cref="Modules.BatchNormActivation"/> code</param>
    /// <param name="mode">0 unfused, 1 fused where it applies, 2 fused or an error saying why not</param>
    [DllImport(Lib)] internal static extern IntPtr rt_batch_norm_act(IntPtr x, IntPtr w, IntPtr b, IntPtr mean, IntPtr var, [MarshalAs(UnmanagedType.U1)] bool training,
        double momentum, double eps, int act, int mode, out IntPtr r);
}
