using System.Globalization;
using System.Text;

namespace Research.Torch;

public partial class Tensor
{
    /// <summary>The value of a one-element tensor.</summary>
    public T item<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float) || typeof(T) == typeof(double) || typeof(T) == typeof(Half))
        {
            Native.Check(Native.rt_item_double(Handle, out var d));
            GC.KeepAlive(this);
            if (typeof(T) == typeof(float)) return (T)(object)(float)d;
            if (typeof(T) == typeof(Half)) return (T)(object)(Half)d;
            return (T)(object)d;
        }
        Native.Check(Native.rt_item_long(Handle, out var l));
        GC.KeepAlive(this);
        if (typeof(T) == typeof(long)) return (T)(object)l;
        if (typeof(T) == typeof(int)) return (T)(object)checked((int)l);
        if (typeof(T) == typeof(bool)) return (T)(object)(l != 0);
        if (typeof(T) == typeof(byte)) return (T)(object)checked((byte)l);
        throw new NotSupportedException($"item<{typeof(T).Name}> is not supported");
    }

    /// <summary>Copies the elements (any device, converted to T's dtype when needed) into <paramref name="dst"/>.</summary>
    public unsafe void CopyTo<T>(Span<T> dst) where T : unmanaged
    {
        var want = ScalarTypeExtensions.Of<T>();
        var src = dtype == want ? this : to(want);
        try
        {
            long n = src.numel();
            if (n != dst.Length) throw new ArgumentException($"tensor has {n} elements, destination has {dst.Length}", nameof(dst));
            fixed (T* p = dst) Native.Check(Native.rt_copy_to_host(src.Handle, p, n * sizeof(T)));
            GC.KeepAlive(src);
        }
        finally
        {
            if (!ReferenceEquals(src, this)) src.Dispose();
        }
    }

    /// <summary>The raw bytes of the elements in row-major order, in the tensor's own dtype.</summary>
    public unsafe byte[] ToBytes()
    {
        var bytes = new byte[numel() * dtype.ElementSize()];
        fixed (byte* p = bytes) Native.Check(Native.rt_copy_to_host(Handle, p, bytes.LongLength));
        GC.KeepAlive(this);
        return bytes;
    }

    /// <summary>The elements in row-major order as a new array (converted to T's dtype when needed).</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var a = new T[numel()];
        CopyTo<T>(a);
        return a;
    }

    public T[] data<T>() where T : unmanaged => ToArray<T>();

    public override string ToString() => ToString(maxElements: 1000);

    /// <summary>PyTorch-like text: <c>tensor([[1., 2.], [3., 4.]])</c>, summarised beyond maxElements.</summary>
    public string ToString(int maxElements)
    {
        if (IsDisposed) return "tensor(<disposed>)";
        var shp = shape;
        var dt = dtype;
        long n = numel();
        var sb = new StringBuilder("tensor(");
        bool summarise = n > maxElements;
        if (dt == ScalarType.Bool)
            Format(sb, shp, ToArray<bool>(), 0, 0, summarise, v => v ? "True" : "False");
        else if (dt.IsFloatingPoint())
        {
            var vals = ToArray<double>();
            bool integral = vals.All(v => double.IsFinite(v) && Math.Abs(v - Math.Round(v)) == 0 && Math.Abs(v) < 1e8);
            Func<double, string> f = integral
                ? v => v.ToString("0", CultureInfo.InvariantCulture) + "."
                : v => double.IsNaN(v) ? "nan" : double.IsInfinity(v) ? (v > 0 ? "inf" : "-inf") : v.ToString("0.0000", CultureInfo.InvariantCulture);
            Format(sb, shp, vals, 0, 0, summarise, f);
        }
        else
            Format(sb, shp, ToArray<long>(), 0, 0, summarise, v => v.ToString(CultureInfo.InvariantCulture));
        if (dt != ScalarType.Float32 && dt != ScalarType.Int64 && dt != ScalarType.Bool) sb.Append(", dtype=").Append(dt.Name());
        if (device.Type != DeviceType.CPU) sb.Append(", device='").Append(device).Append('\'');
        if (requires_grad) sb.Append(", requires_grad=True");
        return sb.Append(')').ToString();
    }

    private static void Format<T>(StringBuilder sb, long[] shp, T[] vals, int dim, long offset, bool summarise, Func<T, string> f)
    {
        if (shp.Length == 0)
        {
            sb.Append(f(vals[0]));
            return;
        }
        long stride = 1;
        for (int i = dim + 1; i < shp.Length; i++) stride *= shp[i];
        sb.Append('[');
        long len = shp[dim];
        for (long i = 0; i < len; i++)
        {
            if (summarise && len > 6 && i == 3)
            {
                sb.Append("..., ");
                i = len - 3;
            }
            if (dim == shp.Length - 1) sb.Append(f(vals[offset + i]));
            else Format(sb, shp, vals, dim + 1, offset + i * stride, summarise, f);
            // Rows end with one newline; blocks of higher rank are separated by a blank line per extra dim, as PyTorch does.
            if (i < len - 1) sb.Append(dim == shp.Length - 1 ? ", " : "," + new string('\n', shp.Length - 1 - dim) + new string(' ', 8 + dim));
        }
        sb.Append(']');
    }
}
