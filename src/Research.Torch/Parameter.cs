namespace Research.Torch;

/// <summary>
/// A tensor a module owns and trains. It holds its own handle (never owned by a
/// DisposeScope), so modules built inside a scope keep their weights.
/// </summary>
public sealed class Parameter : Tensor
{
    public Parameter(Tensor data, bool requires_grad = true) : base(AliasDetached(data))
    {
        DetachFromDisposeScope();
        if (requires_grad) requires_grad_(true);
    }

    private static IntPtr AliasDetached(Tensor data)
    {
        using var d = data.detach();
        d.DetachFromDisposeScope();
        return d.TakeHandle();
    }
}

public partial class Tensor
{
    /// <summary>Moves the native handle out of this wrapper (which becomes disposed).</summary>
    internal IntPtr TakeHandle()
    {
        OwningScope?.Remove(this);
        var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h == IntPtr.Zero) ThrowDisposed();
        GC.SuppressFinalize(this);
        return h;
    }
}
