namespace Research.Torch;

public unsafe partial class Tensor
{
    private delegate IntPtr DimsReduction(IntPtr a, long* dims, int n, bool keepdim, out IntPtr r);

    private Tensor Reduce(DimsReduction f, long[]? dims, bool keepdim)
    {
        IntPtr r, e;
        fixed (long* p = dims) e = f(Handle, p, dims?.Length ?? -1, keepdim, out r);
        return Result(e, r, this);
    }

    /// <summary>Sum of all elements (0-dim), or over dims; dtype casts before summing.</summary>
    public Tensor sum(long[]? dims = null, bool keepdim = false, ScalarType? dtype = null)
    {
        IntPtr r, e;
        fixed (long* p = dims) e = Native.rt_sum(Handle, p, dims?.Length ?? -1, keepdim, dtype.HasValue ? (int)dtype.Value : -1, out r);
        return Result(e, r, this);
    }

    public Tensor sum(long dim, bool keepdim = false) => sum([dim], keepdim);
    public Tensor mean(long[]? dims = null, bool keepdim = false) => Reduce(Native.rt_mean, dims, keepdim);
    public Tensor mean(long dim, bool keepdim = false) => mean([dim], keepdim);

    public Tensor std(long[]? dims = null, bool unbiased = true, bool keepdim = false)
    {
        IntPtr r, e;
        fixed (long* p = dims) e = Native.rt_std(Handle, p, dims?.Length ?? -1, unbiased, keepdim, out r);
        return Result(e, r, this);
    }

    public Tensor var(long[]? dims = null, bool unbiased = true, bool keepdim = false)
    {
        IntPtr r, e;
        fixed (long* p = dims) e = Native.rt_var(Handle, p, dims?.Length ?? -1, unbiased, keepdim, out r);
        return Result(e, r, this);
    }

    /// <summary>Vector p-norm over all elements or over dims (torch.linalg.vector_norm).</summary>
    public Tensor norm(double p = 2, long[]? dims = null, bool keepdim = false)
    {
        IntPtr r, e;
        fixed (long* pd = dims) e = Native.rt_norm(Handle, p, pd, dims?.Length ?? -1, keepdim, out r);
        return Result(e, r, this);
    }

    public Tensor max() => Result(Native.rt_max_all(Handle, out var r), r, this);
    public Tensor min() => Result(Native.rt_min_all(Handle, out var r), r, this);

    public (Tensor values, Tensor indexes) max(long dim, bool keepdim = false)
    {
        Native.Check(Native.rt_max_dim(Handle, dim, keepdim, out var v, out var i));
        GC.KeepAlive(this);
        return (new Tensor(v), new Tensor(i));
    }

    public (Tensor values, Tensor indexes) min(long dim, bool keepdim = false)
    {
        Native.Check(Native.rt_min_dim(Handle, dim, keepdim, out var v, out var i));
        GC.KeepAlive(this);
        return (new Tensor(v), new Tensor(i));
    }

    public Tensor argmax() => Result(Native.rt_argmax(Handle, false, 0, false, out var r), r, this);
    public Tensor argmax(long dim, bool keepdim = false) => Result(Native.rt_argmax(Handle, true, dim, keepdim, out var r), r, this);
    public Tensor argmin() => Result(Native.rt_argmin(Handle, false, 0, false, out var r), r, this);
    public Tensor argmin(long dim, bool keepdim = false) => Result(Native.rt_argmin(Handle, true, dim, keepdim, out var r), r, this);

    public (Tensor values, Tensor indexes) topk(long k, long dim = -1, bool largest = true, bool sorted = true)
    {
        Native.Check(Native.rt_topk(Handle, k, dim, largest, sorted, out var v, out var i));
        GC.KeepAlive(this);
        return (new Tensor(v), new Tensor(i));
    }

    public Tensor cumsum(long dim) => Result(Native.rt_cumsum(Handle, dim, out var r), r, this);
    public Tensor any() => Result(Native.rt_any(Handle, out var r), r, this);
    public Tensor all() => Result(Native.rt_all(Handle, out var r), r, this);
}
