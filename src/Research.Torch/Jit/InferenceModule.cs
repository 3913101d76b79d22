using System.Text;

namespace Research.Torch.Jit;

/// <summary>
/// A TorchScript module compiled from source for inference (PyTorch's <c>torch.jit.freeze</c> and
/// <c>torch.jit.optimize_for_inference</c>): the tensors given become the module's constants, and
/// with <c>optimize</c> libtorch's inference passes rewrite the graph: convolutions on oneDNN with
/// prepacked weights and the activation or addition after them fused, tensors kept in oneDNN's
/// blocked layout from one to the next. The source defines <c>forward(self, x: Tensor) -&gt; Tensor</c>
/// and reads the tensors as <c>self.NAME</c>. A compile error is a <see cref="TorchException"/>
/// with TorchScript's message.
/// </summary>
public sealed class InferenceModule : IDisposable
{
    private IntPtr _handle;

    private InferenceModule(IntPtr handle) => _handle = handle;

    private IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(InferenceModule));

    /// <param name="source">TorchScript source with a method <c>forward(self, x: Tensor) -&gt; Tensor</c></param>
    /// <param name="constants">the tensors the source reads as <c>self.NAME</c> (kept by the module; the caller still owns these)</param>
    /// <param name="optimize">run libtorch's inference optimizations after freezing (oneDNN on CPU)</param>
    public static unsafe InferenceModule Compile(string source, IReadOnlyList<(string Name, Tensor Value)> constants, bool optimize)
    {
        var names = constants.Select(c => Marshal.StringToCoTaskMemUTF8(c.Name)).ToArray();
        try
        {
            var handles = constants.Select(c => c.Value.Handle).ToArray();
            var text = Encoding.UTF8.GetBytes(source + "\0");
            IntPtr module;
            fixed (byte* s = text)
            fixed (IntPtr* n = names)
            fixed (IntPtr* t = handles)
                Native.Check(Native.rt_jit_compile(s, n, t, constants.Count, optimize, out module));
            GC.KeepAlive(constants);
            return new InferenceModule(module);
        }
        finally
        {
            foreach (var n in names) Marshal.FreeCoTaskMem(n);
        }
    }

    public Tensor forward(Tensor x) => Tensor.Result(Native.rt_jit_forward(Handle, x.Handle, out var r), r, x);

    public void Dispose()
    {
        var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h != IntPtr.Zero) Native.rt_jit_free(h);
    }
}
