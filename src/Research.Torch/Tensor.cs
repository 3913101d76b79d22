using System.Runtime.CompilerServices;

namespace Research.Torch;

/// <summary>
/// A handle to a libtorch tensor. Exactly one owner frees it: explicit Dispose,
/// the innermost <see cref="DisposeScope"/> open when it was made, or, as a safety
/// net only, the finalizer. Using a disposed tensor throws ObjectDisposedException.
/// </summary>
public partial class Tensor : IDisposable
{
    private IntPtr _handle;

    internal DisposeScope? OwningScope;

    internal Tensor(IntPtr handle)
    {
        if (handle == IntPtr.Zero) throw new ArgumentException("null tensor handle", nameof(handle));
        _handle = handle;
        DisposeScopeManager.Current?.Add(this);
    }

    /// <summary>The native handle; throws if the tensor was disposed.</summary>
    public IntPtr Handle
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var h = _handle;
            if (h == IntPtr.Zero) ThrowDisposed();
            return h;
        }
    }

    public bool IsDisposed => _handle == IntPtr.Zero;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowDisposed() =>
        throw new ObjectDisposedException(nameof(Tensor), "this tensor was disposed (explicitly or by its DisposeScope)");

    ~Tensor() => Free();

    public void Dispose()
    {
        OwningScope?.Remove(this);
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h != IntPtr.Zero) Native.rt_free(h);
    }

    /// <summary>Hands this tensor from its scope to the enclosing one.</summary>
    public Tensor MoveToOuterDisposeScope() => OwningScope is { } s ? s.MoveToOuter<Tensor>(this) : this;

    /// <summary>Takes this tensor out of any scope: the caller must dispose it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        OwningScope?.Remove(this);
        return this;
    }

    // Result helpers: the Tensor arguments stay reachable until the native call has
    // returned, so a finalizer cannot free a handle that native code is using.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Tensor Result(IntPtr error, IntPtr result, Tensor keep)
    {
        GC.KeepAlive(keep);
        Native.Check(error);
        return new Tensor(result);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Tensor Result(IntPtr error, IntPtr result, Tensor keep1, Tensor? keep2)
    {
        GC.KeepAlive(keep1);
        GC.KeepAlive(keep2);
        Native.Check(error);
        return new Tensor(result);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Tensor InPlace(IntPtr error, Tensor? keep = null)
    {
        GC.KeepAlive(this);
        GC.KeepAlive(keep);
        Native.Check(error);
        return this;
    }

    // ---- metadata ----

    public long dim()
    {
        var r = Native.rt_dim(Handle);
        GC.KeepAlive(this);
        return r;
    }

    public long Dimensions => dim();

    public long numel()
    {
        var r = Native.rt_numel(Handle);
        GC.KeepAlive(this);
        return r;
    }

    public unsafe long[] shape
    {
        get
        {
            var h = Handle;
            var s = new long[Native.rt_dim(h)];
            fixed (long* p = s) Native.rt_shape(h, p);
            GC.KeepAlive(this);
            return s;
        }
    }

    public long size(int dim)
    {
        var s = shape;
        return s[dim < 0 ? dim + s.Length : dim];
    }

    public unsafe long[] stride()
    {
        var h = Handle;
        var s = new long[Native.rt_dim(h)];
        fixed (long* p = s) Native.rt_strides(h, p);
        GC.KeepAlive(this);
        return s;
    }

    public ScalarType dtype
    {
        get
        {
            var r = (ScalarType)Native.rt_dtype(Handle);
            GC.KeepAlive(this);
            return r;
        }
    }

    public Device device
    {
        get
        {
            var h = Handle;
            var r = new Device((DeviceType)Native.rt_device_type(h), Native.rt_device_index(h));
            GC.KeepAlive(this);
            return r;
        }
    }

    public bool is_cuda => device.Type == DeviceType.CUDA;

    public bool is_contiguous()
    {
        var r = Native.rt_is_contiguous(Handle) != 0;
        GC.KeepAlive(this);
        return r;
    }

    public bool is_leaf
    {
        get
        {
            var r = Native.rt_is_leaf(Handle) != 0;
            GC.KeepAlive(this);
            return r;
        }
    }

    public bool requires_grad
    {
        get
        {
            var r = Native.rt_requires_grad(Handle) != 0;
            GC.KeepAlive(this);
            return r;
        }
        set => requires_grad_(value);
    }

    public Tensor requires_grad_(bool on = true) => InPlace(Native.rt_requires_grad_(Handle, on));

    // ---- conversion and copies ----

    public Tensor to(ScalarType type, bool non_blocking = false, bool copy = false) => to(device, type, non_blocking, copy);
    public Tensor to(Device dev, bool non_blocking = false, bool copy = false) => to(dev, dtype, non_blocking, copy);
    public Tensor to(string dev) => to(Device.Parse(dev));

    public Tensor to(Device dev, ScalarType type, bool non_blocking = false, bool copy = false) =>
        Result(Native.rt_to(Handle, (int)type, (int)dev.Type, dev.Index, non_blocking, copy, out var r), r, this);

    public Tensor cpu() => to(Device.CPU);
    public Tensor cuda(int index = -1) => to(new Device(DeviceType.CUDA, index));
    public Tensor @float() => to(ScalarType.Float32);
    public Tensor @double() => to(ScalarType.Float64);
    public Tensor @long() => to(ScalarType.Int64);
    public Tensor @int() => to(ScalarType.Int32);
    public Tensor @bool() => to(ScalarType.Bool);
    public Tensor half() => to(ScalarType.Float16);
    public Tensor bfloat16() => to(ScalarType.BFloat16);

    public Tensor pin_memory() => Result(Native.rt_pin_memory(Handle, out var r), r, this);
    public Tensor clone() => Result(Native.rt_clone(Handle, out var r), r, this);
    public Tensor detach() => Result(Native.rt_detach(Handle, out var r), r, this);
    public Tensor contiguous() => Result(Native.rt_contiguous(Handle, out var r), r, this);
    /// <summary>NHWC memory layout (same shape and values).</summary>
    public Tensor to_channels_last() => contiguous(MemoryFormat.ChannelsLast);
    /// <summary>A copy laid out in <paramref name="format"/> (this tensor itself when it already is), strides included.</summary>
    public Tensor contiguous(MemoryFormat format) => Result(Native.rt_to_memory_format(Handle, (int)format, out var r), r, this);
    /// <summary>True when the strides are those of NHWC (4-d tensors only).</summary>
    public bool is_channels_last() => Native.rt_is_channels_last(Handle) != 0;
    /// <summary>A second handle to the same tensor (shares storage and autograd history).</summary>
    public Tensor alias() => Result(Native.rt_alias(Handle, out var r), r, this);

    /// <summary>Swaps in new_data's storage, keeping this handle and its autograd flags (PyTorch's `t.data = x`).</summary>
    public void set_data(Tensor new_data)
    {
        Native.Check(Native.rt_set_data(Handle, new_data.Handle));
        GC.KeepAlive(this);
        GC.KeepAlive(new_data);
    }

    public Tensor copy_(Tensor src, bool non_blocking = false) => InPlace(Native.rt_copy_(Handle, src.Handle, non_blocking), src);
}
