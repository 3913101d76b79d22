namespace Research.Torch;

/// <summary>Tensor factories, following torch.* names and defaults (float32, cpu).</summary>
public static unsafe partial class torch
{
    public const ScalarType float32 = ScalarType.Float32;
    public const ScalarType float64 = ScalarType.Float64;
    public const ScalarType float16 = ScalarType.Float16;
    public const ScalarType bfloat16 = ScalarType.BFloat16;
    public const ScalarType int64 = ScalarType.Int64;
    public const ScalarType int32 = ScalarType.Int32;
    public const ScalarType uint8 = ScalarType.Byte;
    public const ScalarType @bool = ScalarType.Bool;

    private delegate IntPtr ShapeFactory(long* shape, int n, int dtype, int devType, int devIndex, bool rg, out IntPtr r);

    private static Tensor Make(ShapeFactory f, ReadOnlySpan<long> shape, ScalarType dtype, Device? device, bool requiresGrad)
    {
        var d = device ?? Device.CPU;
        IntPtr r;
        IntPtr e;
        fixed (long* p = shape) e = f(p, shape.Length, (int)dtype, (int)d.Type, d.Index, requiresGrad, out r);
        Native.Check(e);
        return new Tensor(r);
    }

    public static Tensor empty(long[] shape, ScalarType dtype = float32, Device? device = null, bool requires_grad = false) =>
        Make(Native.rt_empty, shape, dtype, device, requires_grad);
    public static Tensor empty(params long[] shape) => empty(shape, float32);

    public static Tensor zeros(long[] shape, ScalarType dtype = float32, Device? device = null, bool requires_grad = false) =>
        Make(Native.rt_zeros, shape, dtype, device, requires_grad);
    public static Tensor zeros(params long[] shape) => zeros(shape, float32);

    public static Tensor ones(long[] shape, ScalarType dtype = float32, Device? device = null, bool requires_grad = false) =>
        Make(Native.rt_ones, shape, dtype, device, requires_grad);
    public static Tensor ones(params long[] shape) => ones(shape, float32);

    /// <summary>Uniform on [0, 1).</summary>
    public static Tensor rand(long[] shape, ScalarType dtype = float32, Device? device = null, bool requires_grad = false) =>
        Make(Native.rt_rand, shape, dtype, device, requires_grad);
    public static Tensor rand(params long[] shape) => rand(shape, float32);

    /// <summary>Standard normal.</summary>
    public static Tensor randn(long[] shape, ScalarType dtype = float32, Device? device = null, bool requires_grad = false) =>
        Make(Native.rt_randn, shape, dtype, device, requires_grad);
    public static Tensor randn(params long[] shape) => randn(shape, float32);

    public static Tensor full(long[] shape, Scalar value, ScalarType dtype = float32, Device? device = null, bool requires_grad = false)
    {
        var d = device ?? Device.CPU;
        IntPtr r, e;
        fixed (long* p = shape) e = Native.rt_full(p, shape.Length, value.D, value.L, value.Kind, (int)dtype, (int)d.Type, d.Index, requires_grad, out r);
        Native.Check(e);
        return new Tensor(r);
    }

    /// <summary>Integers uniform on [low, high).</summary>
    public static Tensor randint(long low, long high, long[] shape, ScalarType dtype = int64, Device? device = null)
    {
        var d = device ?? Device.CPU;
        IntPtr r, e;
        fixed (long* p = shape) e = Native.rt_randint(low, high, p, shape.Length, (int)dtype, (int)d.Type, d.Index, false, out r);
        Native.Check(e);
        return new Tensor(r);
    }

    public static Tensor randperm(long n, ScalarType dtype = int64, Device? device = null)
    {
        var d = device ?? Device.CPU;
        Native.Check(Native.rt_randperm(n, (int)dtype, (int)d.Type, d.Index, false, out var r));
        return new Tensor(r);
    }

    /// <summary>
    /// [start, end) with step; integral dtypes count exactly. Without a dtype it is int64 when
    /// start, end and step are all whole numbers and float32 otherwise, as torch.arange(0, 1, 0.25).
    /// </summary>
    public static Tensor arange(double start, double end, double step = 1, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var d = device ?? Device.CPU;
        var dt = dtype ?? (IsWhole(start) && IsWhole(end) && IsWhole(step) ? int64 : float32);
        Native.Check(Native.rt_arange(start, end, step, (int)dt, (int)d.Type, d.Index, requires_grad, out var r));
        return new Tensor(r);
    }

    private static bool IsWhole(double v) => double.IsFinite(v) && Math.Truncate(v) == v;

    public static Tensor arange(long end, ScalarType dtype = int64, Device? device = null) => arange(0, end, 1, dtype, device);

    public static Tensor linspace(double start, double end, long steps, ScalarType dtype = float32, Device? device = null, bool requires_grad = false)
    {
        var d = device ?? Device.CPU;
        Native.Check(Native.rt_linspace(start, end, steps, (int)dtype, (int)d.Type, d.Index, requires_grad, out var r));
        return new Tensor(r);
    }

    public static Tensor eye(long n, ScalarType dtype = float32, Device? device = null)
    {
        var d = device ?? Device.CPU;
        Native.Check(Native.rt_eye(n, (int)dtype, (int)d.Type, d.Index, false, out var r));
        return new Tensor(r);
    }

    public static Tensor zeros_like(Tensor t) => zeros(t.shape, t.dtype, t.device);
    public static Tensor ones_like(Tensor t) => ones(t.shape, t.dtype, t.device);
    public static Tensor empty_like(Tensor t) => empty(t.shape, t.dtype, t.device);
    public static Tensor randn_like(Tensor t) => randn(t.shape, t.dtype, t.device);
    public static Tensor rand_like(Tensor t) => rand(t.shape, t.dtype, t.device);
    public static Tensor full_like(Tensor t, Scalar value) => full(t.shape, value, t.dtype, t.device);

    /// <summary>
    /// Copies host data into a new tensor of the element type's dtype. Without a
    /// shape the tensor is 1-D; with one, its element count must match.
    /// </summary>
    public static Tensor from_span<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape, Device? device = null, bool requires_grad = false)
        where T : unmanaged
    {
        long count = 1;
        foreach (var s in shape)
        {
            if (s < 0) throw new ArgumentException($"shape [{string.Join(", ", shape.ToArray())}] has a negative size", nameof(shape));
            count *= s;
        }
        if (count != data.Length)
            throw new ArgumentException($"shape [{string.Join(", ", shape.ToArray())}] holds {count} elements but the data has {data.Length}", nameof(shape));
        var d = device ?? Device.CPU;
        IntPtr r, e;
        fixed (T* pd = data)
        fixed (long* ps = shape)
            e = Native.rt_from_data(pd, ps, shape.Length, (int)ScalarTypeExtensions.Of<T>(), (int)d.Type, d.Index, requires_grad, out r);
        Native.Check(e);
        return new Tensor(r);
    }

    /// <summary>A tensor of any dtype from its raw little-endian bytes (e.g. a safetensors payload).</summary>
    public static Tensor from_bytes(ReadOnlySpan<byte> data, ReadOnlySpan<long> shape, ScalarType dtype, Device? device = null)
    {
        long count = 1;
        foreach (var s in shape) count *= s;
        if (count * dtype.ElementSize() != data.Length)
            throw new ArgumentException($"shape [{string.Join(", ", shape.ToArray())}] of {dtype.Name()} needs {count * dtype.ElementSize()} bytes but {data.Length} were given", nameof(data));
        var d = device ?? Device.CPU;
        IntPtr r, e;
        fixed (byte* pd = data)
        fixed (long* ps = shape)
            e = Native.rt_from_data(pd, ps, shape.Length, (int)dtype, (int)d.Type, d.Index, false, out r);
        Native.Check(e);
        return new Tensor(r);
    }

    public static Tensor tensor(float[] data, long[]? shape = null, Device? device = null, bool requires_grad = false) =>
        from_span<float>(data, shape ?? [data.LongLength], device, requires_grad);
    public static Tensor tensor(double[] data, long[]? shape = null, Device? device = null, bool requires_grad = false) =>
        from_span<double>(data, shape ?? [data.LongLength], device, requires_grad);
    public static Tensor tensor(long[] data, long[]? shape = null, Device? device = null) =>
        from_span<long>(data, shape ?? [data.LongLength], device);
    public static Tensor tensor(int[] data, long[]? shape = null, Device? device = null) =>
        from_span<int>(data, shape ?? [data.LongLength], device);
    public static Tensor tensor(byte[] data, long[]? shape = null, Device? device = null) =>
        from_span<byte>(data, shape ?? [data.LongLength], device);
    public static Tensor tensor(bool[] data, long[]? shape = null, Device? device = null) =>
        from_span<bool>(data, shape ?? [data.LongLength], device);

    /// <summary>A 0-dim tensor.</summary>
    public static Tensor scalar_tensor(Scalar value, ScalarType dtype = float32, Device? device = null) => full([], value, dtype, device);

    public static Tensor tensor(float[,] data, Device? device = null, bool requires_grad = false)
    {
        var flat = new float[data.Length];
        Buffer.BlockCopy(data, 0, flat, 0, flat.Length * sizeof(float));
        return from_span<float>(flat, [data.GetLongLength(0), data.GetLongLength(1)], device, requires_grad);
    }

    public static Tensor tensor(double[,] data, Device? device = null, bool requires_grad = false)
    {
        var flat = new double[data.Length];
        Buffer.BlockCopy(data, 0, flat, 0, flat.Length * sizeof(double));
        return from_span<double>(flat, [data.GetLongLength(0), data.GetLongLength(1)], device, requires_grad);
    }
}
