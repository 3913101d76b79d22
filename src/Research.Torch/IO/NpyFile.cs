using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Research.Torch.IO;

/// <summary>
/// NumPy's .npy format (version 1.0–3.0) for float32 arrays (and int64/int32 labels): the header is parsed by a strict
/// reader of our own (descr, fortran_order, shape, nothing else), and the data size is checked
/// against the shape before anything is allocated. Anything else is an <see cref="InvalidDataException"/>
/// naming the file and what it holds. <see cref="Open"/> reads the header only, and elements are then
/// read in ranges, so a large array need not be held whole.
/// </summary>
public sealed partial class NpyFile : IDisposable
{
    [GeneratedRegex(@"^\{\s*'descr':\s*'(?<descr>[^']*)',\s*'fortran_order':\s*(?<fortran>True|False),\s*'shape':\s*\((?<shape>[0-9,\s]*)\),?\s*\}\s*$")]
    private static partial Regex HeaderPattern();

    private readonly FileStream _file;
    private readonly long _dataStart;

    private NpyFile(string path, FileStream file, long[] shape, long dataStart, string descr) =>
        (Path, _file, Shape, _dataStart, Descr) = (path, file, shape, dataStart, descr);

    /// <summary>The array's dtype as NumPy writes it ('&lt;f4', '&lt;i8', …).</summary>
    public string Descr { get; }

    public string Path { get; }
    public long[] Shape { get; }
    public long ElementCount => Shape.Aggregate(1L, (n, d) => n * d);

    /// <summary>The whole array as a tensor of its shape.</summary>
    public static Tensor LoadFloat32(string path)
    {
        using var npy = Open(path);
        if (npy.ElementCount * 4 > Array.MaxLength) throw new InvalidDataException($"{path}: {npy.ElementCount * 4} bytes are more than one array can hold");
        return torch.tensor(npy.Read(0, (int)npy.ElementCount), npy.Shape);
    }

    /// <summary>Integer class labels: an int64 or int32 array, as int64.</summary>
    public static Tensor LoadInt64(string path)
    {
        using var npy = Open(path, Labels);
        long bytes = npy.ElementCount * ElementSize(npy.Descr);
        if (bytes > Array.MaxLength) throw new InvalidDataException($"{path}: {bytes} bytes are more than one array can hold");
        var raw = new byte[bytes];
        npy.ReadBytes(raw, 0);
        long[] values = ElementSize(npy.Descr) == 8
            ? MemoryMarshal.Cast<byte, long>(raw).ToArray()
            : MemoryMarshal.Cast<byte, int>(raw).ToArray().Select(v => (long)v).ToArray();
        return torch.tensor(values, npy.Shape);
    }

    private static readonly string[] Float32 = ["<f4", "=f4", "|f4"];
    private static readonly string[] Labels = ["<i8", "=i8", "<i4", "=i4"];

    private static int ElementSize(string descr) => descr.EndsWith('8') ? 8 : 4;

    /// <summary>Reads and checks the header (a float32, C-ordered array whose data fills the rest of the file exactly).</summary>
    public static NpyFile Open(string path) => Open(path, Float32);

    private static NpyFile Open(string path, string[] dtypes)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"npy file not found: {path}", path);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian machine");
        var f = File.OpenRead(path);
        try
        {
            var (shape, descr) = ReadHeader(path, f, dtypes);
            return new NpyFile(path, f, shape, f.Position, descr);
        }
        catch
        {
            f.Dispose();
            throw;
        }
    }

    /// <summary>Elements [<paramref name="start"/>, start + count) in row-major order.</summary>
    public float[] Read(long start, int count)
    {
        if (start < 0 || count < 0 || start + count > ElementCount)
            throw new ArgumentOutOfRangeException(nameof(start), $"{Path}: elements [{start}, {start + count}) of {ElementCount}");
        var values = new float[count];
        ReadBytes(MemoryMarshal.AsBytes(values.AsSpan()), start * 4);
        return values;
    }

    private void ReadBytes(Span<byte> bytes, long offset)
    {
        for (int done = 0; done < bytes.Length;)
        {
            int read = RandomAccess.Read(_file.SafeFileHandle, bytes[done..], _dataStart + offset + done);
            if (read == 0) throw new InvalidDataException($"{Path}: the file ended early (was it cut short while being read?)");
            done += read;
        }
    }

    public void Dispose() => _file.Dispose();

    private static (long[] Shape, string Descr) ReadHeader(string path, FileStream f, string[] dtypes)
    {
        Span<byte> start = stackalloc byte[10];
        // \x93 is one byte here; a u8 literal would encode it as two (UTF-8).
        if (f.Read(start) < 10 || !start[..6].SequenceEqual((ReadOnlySpan<byte>)[0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y']))
            throw new InvalidDataException($"{path}: not a .npy file (no \\x93NUMPY magic)");
        int major = start[6];
        int headerLength;
        if (major == 1) headerLength = BinaryPrimitives.ReadUInt16LittleEndian(start[8..]);
        else if (major is 2 or 3)
        {
            Span<byte> more = stackalloc byte[2];
            if (f.Read(more) < 2) throw new InvalidDataException($"{path}: truncated header");
            headerLength = (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian([start[8], start[9], more[0], more[1]]));
        }
        else throw new InvalidDataException($"{path}: .npy version {major}.{start[7]} is not supported (1.0 to 3.0)");
        if (headerLength > 1 << 20) throw new InvalidDataException($"{path}: a header of {headerLength} bytes is not a .npy header");
        var header = new byte[headerLength];
        if (f.ReadAtLeast(header, headerLength, throwOnEndOfStream: false) < headerLength) throw new InvalidDataException($"{path}: truncated header");
        var text = Encoding.Latin1.GetString(header).TrimEnd('\n', ' ', '\0');
        var m = HeaderPattern().Match(text);
        if (!m.Success) throw new InvalidDataException($"{path}: unexpected .npy header {text}");
        string descr = m.Groups["descr"].Value;
        if (!dtypes.Contains(descr))
            throw new InvalidDataException(dtypes == Float32
                ? $"{path}: holds {DescribeDtype(descr)}, expected float32 ('<f4'); convert with a.astype(np.float32)"
                : $"{path}: holds {DescribeDtype(descr)}, expected int64 ('<i8') or int32 ('<i4') labels; convert with a.astype(np.int64)");
        int size = ElementSize(descr);
        if (m.Groups["fortran"].Value == "True") throw new InvalidDataException($"{path}: Fortran-ordered; save a C-ordered array (np.ascontiguousarray)");
        var dims = m.Groups["shape"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw new InvalidDataException($"{path}: bad shape entry '{d}'"))
            .ToArray();
        long count = 1;
        foreach (var d in dims)
            count = d == 0 ? 0 : count <= long.MaxValue / 8 / Math.Max(d, 1) ? count * d : throw new InvalidDataException($"{path}: shape ({string.Join(", ", dims)}) is too large");
        long remaining = f.Length - f.Position;
        if (remaining != count * size)
            throw new InvalidDataException($"{path}: shape ({string.Join(", ", dims)}) needs {count * size} data bytes, the file has {remaining}");
        return (dims, descr);
    }

    private static string DescribeDtype(string descr) => descr switch
    {
        "<f8" or "=f8" => "float64 ('<f8')",
        "<f2" => "float16 ('<f2')",
        "|u1" => "uint8 ('|u1')",
        "<i8" => "int64 ('<i8')",
        "<i4" => "int32 ('<i4')",
        "|b1" => "bool ('|b1')",
        _ => $"dtype '{descr}'",
    };
}
