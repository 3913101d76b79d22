namespace Research.Torch;

/// <summary>
/// A CUDA graph (at::cuda::CUDAGraph, PyTorch's torch.cuda.CUDAGraph): the kernels a piece of work
/// launches, recorded once on a side stream and replayed with one launch. The tensors the capture
/// used keep their memory, so a training step reads its batch from static input tensors that the
/// caller copies into before each <see cref="Replay"/>. As PyTorch documents, a few eager warm-up
/// steps on a side stream come first, so that lazy initialisation happens outside the capture.
/// </summary>
public sealed class CudaGraph : IDisposable
{
    private IntPtr _handle;

    public CudaGraph()
    {
        Native.Check(Native.rt_cuda_graph_new(out var handle));
        _handle = handle;
    }

    private IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(CudaGraph));

    public bool Captured { get; private set; }

    /// <summary>Records what <paramref name="work"/> launches (on a side stream of the device), without running it.</summary>
    public void Capture(Action work, int device = 0)
    {
        if (Captured) throw new InvalidOperationException("this CUDA graph is already captured; make a new one to capture again");
        using (torch.cuda.side_stream(device))
        {
            Native.Check(Native.rt_cuda_graph_capture_begin(Handle));
            try
            {
                work();
            }
            finally
            {
                Native.Check(Native.rt_cuda_graph_capture_end(Handle));
            }
        }
        Captured = true;
    }

    public void Replay()
    {
        if (!Captured) throw new InvalidOperationException("nothing captured to replay");
        Native.Check(Native.rt_cuda_graph_replay(Handle));
    }

    public void Dispose()
    {
        var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h != IntPtr.Zero) Native.rt_cuda_graph_free(h);
    }
}
