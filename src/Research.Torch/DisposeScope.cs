namespace Research.Torch;

/// <summary>
/// Owns every tensor created on this thread while it is the innermost open scope.
/// Disposing the scope frees them all, except those moved out
/// (<see cref="MoveToOuter(Tensor)"/>, <see cref="Tensor.MoveToOuterDisposeScope"/>)
/// or detached (<see cref="Tensor.DetachFromDisposeScope"/>). Scopes are per thread.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    private readonly HashSet<Tensor> _owned = new(ReferenceEqualityComparer.Instance);
    private bool _disposed;

    internal DisposeScope(DisposeScope? outer)
    {
        Outer = outer;
    }

    public DisposeScope? Outer { get; }

    /// <summary>How many tensors the scope currently owns.</summary>
    public int DisposablesCount => _owned.Count;

    internal void Add(Tensor t)
    {
        _owned.Add(t);
        t.OwningScope = this;
    }

    internal void Remove(Tensor t)
    {
        _owned.Remove(t);
        t.OwningScope = null;
    }

    /// <summary>Hands the tensor to the enclosing scope (or to nobody at the outermost level).</summary>
    public T MoveToOuter<T>(T tensor) where T : Tensor
    {
        if (tensor.OwningScope != this) return tensor;
        Remove(tensor);
        Outer?.Add(tensor);
        return tensor;
    }

    // Without this overload, MoveToOuter(tensor) with a Tensor-typed argument binds to the
    // non-generic params overload below (C# prefers non-generic) and returns nothing.
    public Tensor MoveToOuter(Tensor tensor) => MoveToOuter<Tensor>(tensor);

    public void MoveToOuter(params Tensor[] tensors)
    {
        foreach (var t in tensors) MoveToOuter(t);
    }

    /// <summary>Releases the tensor from this scope: the caller now owns it.</summary>
    public T Detach<T>(T tensor) where T : Tensor
    {
        if (tensor.OwningScope == this) Remove(tensor);
        return tensor;
    }

    /// <summary>Frees the owned tensors now and keeps the scope open.</summary>
    public void DisposeEverything()
    {
        foreach (var t in _owned.ToArray())
        {
            t.OwningScope = null;
            t.Dispose();
        }
        _owned.Clear();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        DisposeEverything();
        DisposeScopeManager.Pop(this);
    }
}

/// <summary>The per-thread stack of open scopes.</summary>
internal static class DisposeScopeManager
{
    [ThreadStatic] private static DisposeScope? _current;

    internal static DisposeScope? Current => _current;

    internal static DisposeScope Push()
    {
        var s = new DisposeScope(_current);
        _current = s;
        return s;
    }

    internal static void Pop(DisposeScope s)
    {
        // Scopes close innermost first; closing an outer one closes what it encloses.
        if (_current == null) return;
        var walk = _current;
        while (walk != null && walk != s) walk = walk.Outer;
        if (walk == s) _current = s.Outer;
    }
}
