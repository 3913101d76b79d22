namespace Research.Torch;

public unsafe partial class Tensor
{
    private delegate IntPtr ShapeOp(IntPtr a, long* s, int n, out IntPtr r);

    private Tensor WithShape(ShapeOp f, ReadOnlySpan<long> s)
    {
        IntPtr r, e;
        fixed (long* p = s) e = f(Handle, p, s.Length, out r);
        return Result(e, r, this);
    }

    public Tensor view(params long[] shape) => WithShape(Native.rt_view, shape);
    public Tensor reshape(params long[] shape) => WithShape(Native.rt_reshape, shape);
    public Tensor permute(params long[] dims) => WithShape(Native.rt_permute, dims);
    public Tensor expand(params long[] shape) => WithShape(Native.rt_expand, shape);
    public Tensor repeat(params long[] repeats) => WithShape(Native.rt_repeat, repeats);
    public Tensor transpose(long dim0, long dim1) => Result(Native.rt_transpose(Handle, dim0, dim1, out var r), r, this);
    public Tensor t() => transpose(0, 1);
    public Tensor flatten(long start_dim = 0, long end_dim = -1) => Result(Native.rt_flatten(Handle, start_dim, end_dim, out var r), r, this);
    public Tensor squeeze() => Result(Native.rt_squeeze(Handle, out var r), r, this);
    public Tensor squeeze(long dim) => Result(Native.rt_squeeze_dim(Handle, dim, out var r), r, this);
    public Tensor unsqueeze(long dim) => Result(Native.rt_unsqueeze(Handle, dim, out var r), r, this);
    public Tensor narrow(long dim, long start, long length) => Result(Native.rt_narrow(Handle, dim, start, length, out var r), r, this);
    public Tensor slice(long dim, long start, long end, long step = 1) => Result(Native.rt_slice(Handle, dim, start, end, step, out var r), r, this);
    public Tensor select(long dim, long index) => Result(Native.rt_select(Handle, dim, index, out var r), r, this);
    public Tensor index_select(long dim, Tensor index) => Result(Native.rt_index_select(Handle, dim, index.Handle, out var r), r, this, index);
    public Tensor gather(long dim, Tensor index) => Result(Native.rt_gather(Handle, dim, index.Handle, out var r), r, this, index);
    public Tensor expand_as(Tensor other) => expand(other.shape);

    /// <summary>Reverses the order of elements along the given dims.</summary>
    public Tensor flip(params long[] dims) => WithShape(Native.rt_flip, dims);

    /// <summary>Shifts elements along dims, wrapping around (torch.roll).</summary>
    public Tensor roll(long[] shifts, long[] dims)
    {
        if (shifts.Length != dims.Length) throw new ArgumentException($"roll needs one shift per dim, got {shifts.Length} shifts for {dims.Length} dims");
        IntPtr r, e;
        fixed (long* ps = shifts)
        fixed (long* pd = dims)
            e = Native.rt_roll(Handle, ps, pd, dims.Length, out r);
        return Result(e, r, this);
    }
    public Tensor view_as(Tensor other) => view(other.shape);

    public Tensor[] chunk(long chunks, long dim = 0)
    {
        Native.Check(Native.rt_chunk(Handle, chunks, dim, out var l));
        GC.KeepAlive(this);
        return TakeList(l);
    }

    public Tensor[] split(long size, long dim = 0)
    {
        Native.Check(Native.rt_split(Handle, size, dim, out var l));
        GC.KeepAlive(this);
        return TakeList(l);
    }

    public Tensor[] split(long[] sizes, long dim = 0)
    {
        IntPtr l, e;
        fixed (long* p = sizes) e = Native.rt_split_sizes(Handle, p, sizes.Length, dim, out l);
        GC.KeepAlive(this);
        Native.Check(e);
        return TakeList(l);
    }

    internal static Tensor[] TakeList(IntPtr list)
    {
        try
        {
            var n = Native.rt_list_size(list);
            var res = new Tensor[n];
            for (long i = 0; i < n; i++) res[i] = new Tensor(Native.rt_list_take(list, i));
            return res;
        }
        finally
        {
            Native.rt_list_free(list);
        }
    }

    /// <summary>
    /// Indexing like Python's <c>t[0, 1:3, ..., None]</c>: integers select, ranges slice,
    /// <see cref="TensorIndex.Ellipsis"/> skips dims, <see cref="TensorIndex.None"/> adds one,
    /// a long tensor picks rows of that dim (index_select).
    /// </summary>
    public Tensor this[params TensorIndex[] indices]
    {
        get
        {
            int consumed = indices.Count(i => i.Kind is TensorIndex.IndexKind.Single or TensorIndex.IndexKind.Slice or TensorIndex.IndexKind.Tensor);
            long rank = dim();
            if (consumed > rank) throw new ArgumentException($"too many indices ({consumed}) for a tensor of rank {rank}");
            var intermediates = new List<Tensor>();
            Tensor cur = this;
            long d = 0;
            try
            {
                for (int k = 0; k < indices.Length; k++)
                {
                    var ix = indices[k];
                    Tensor next;
                    switch (ix.Kind)
                    {
                        case TensorIndex.IndexKind.Single:
                            next = cur.select(d, ix.Single);
                            break;
                        case TensorIndex.IndexKind.Slice:
                            {
                                long len = cur.size((int)d);
                                var (start, length) = ix.Range.GetOffsetAndLength(checked((int)len));
                                next = cur.slice(d, start, start + length, ix.Step);
                                d++;
                                break;
                            }
                        case TensorIndex.IndexKind.Tensor:
                            next = cur.index_select(d, ix.TensorValue!);
                            d++;
                            break;
                        case TensorIndex.IndexKind.None:
                            next = cur.unsqueeze(d);
                            d++;
                            break;
                        default: // Ellipsis: skip the dims not named by the indices after it
                            d += rank - consumed;
                            continue;
                    }
                    if (!ReferenceEquals(cur, this)) intermediates.Add(cur);
                    cur = next;
                }
                if (ReferenceEquals(cur, this)) return alias();
                return cur;
            }
            finally
            {
                foreach (var t in intermediates) t.Dispose();
            }
        }
    }
}

/// <summary>One index of <see cref="Tensor"/>'s indexer.</summary>
public readonly struct TensorIndex
{
    internal enum IndexKind { Single, Slice, Ellipsis, None, Tensor }

    internal IndexKind Kind { get; init; }
    internal long Single { get; init; }
    internal Range Range { get; init; }
    internal long Step { get; init; }
    internal Tensor? TensorValue { get; init; }

    public static TensorIndex Ellipsis => new() { Kind = IndexKind.Ellipsis };
    public static TensorIndex None => new() { Kind = IndexKind.None };
    public static TensorIndex Colon => new() { Kind = IndexKind.Slice, Range = System.Range.All, Step = 1 };

    public static TensorIndex Slice(Range range, long step = 1) => new() { Kind = IndexKind.Slice, Range = range, Step = step };

    public static implicit operator TensorIndex(long i) => new() { Kind = IndexKind.Single, Single = i };
    public static implicit operator TensorIndex(int i) => new() { Kind = IndexKind.Single, Single = i };
    public static implicit operator TensorIndex(Range r) => Slice(r);
    public static implicit operator TensorIndex(Tensor t) => new() { Kind = IndexKind.Tensor, TensorValue = t };
}

public static unsafe partial class torch
{
    private static Tensor Join(Tensor[] tensors, long dim, bool stack)
    {
        if (tensors.Length == 0) throw new ArgumentException(stack ? "stack needs at least one tensor" : "cat needs at least one tensor", nameof(tensors));
        var hs = new IntPtr[tensors.Length];
        for (int i = 0; i < hs.Length; i++) hs[i] = tensors[i].Handle;
        IntPtr r, e;
        fixed (IntPtr* p = hs) e = stack ? Native.rt_stack(p, hs.Length, dim, out r) : Native.rt_cat(p, hs.Length, dim, out r);
        GC.KeepAlive(tensors);
        Native.Check(e);
        return new Tensor(r);
    }

    public static Tensor cat(Tensor[] tensors, long dim = 0) => Join(tensors, dim, stack: false);
    public static Tensor cat(IEnumerable<Tensor> tensors, long dim = 0) => Join(tensors.ToArray(), dim, stack: false);
    public static Tensor stack(Tensor[] tensors, long dim = 0) => Join(tensors, dim, stack: true);
    public static Tensor stack(IEnumerable<Tensor> tensors, long dim = 0) => Join(tensors.ToArray(), dim, stack: true);
}
