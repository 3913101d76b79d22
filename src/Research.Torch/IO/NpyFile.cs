using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Research.Torch.IO;

/// <summary>
/// NumPy's .npy format (version 1.0–3.0) for float32 arrays (and int64/int32 labels): the header is parsed by a strict
/// reader of our own (descr, fortran_order, shape, nothing else), and the data size is checked
/// against the shape before anything is allocated. Anything else is an <see cref="InvalidDataException"/>
/// naming the file and what it holds.
/// </summary>
public static partial class NpyFile
{
    [GeneratedRegex(@"^\{\s*'descr':\s*'(?<descr>[^']*)',\s*'fortran_order':\s*(?<fortran>True|False),\s*'shape':\s*\((?<shape>[0-9,\s]*)\),?\s*\}\s*$")]
    private static partial Regex HeaderPattern();

    public static Tensor LoadFloat32(string path)
    {
        using var f = Open(path, out var descr, out var dims, out long count);
        if (descr is not ("<f4" or "=f4" or "|f4"))
            throw new InvalidDataException($"{path}: holds {DescribeDtype(descr)}, expected float32 ('<f4'); convert with a.astype(np.float32)");
        return torch.tensor(ReadValues<float>(f, path, dims, count), dims);
    }

    /// <summary>Integer class labels: an int64 or int32 array, as int64.</summary>
    public static Tensor LoadInt64(string path)
    {
        using var f = Open(path, out var descr, out var dims, out long count);
        if (descr is "<i8" or "=i8") return torch.tensor(ReadValues<long>(f, path, dims, count), dims);
        if (descr is "<i4" or "=i4") return torch.tensor(ReadValues<int>(f, path, dims, count).Select(v => (long)v).ToArray(), dims);
        throw new InvalidDataException($"{path}: holds {DescribeDtype(descr)}, expected int64 ('<i8') or int32 ('<i4') labels; convert with a.astype(np.int64)");
    }

    /// <summary>The file positioned at its data, with its dtype, shape and element count (the header checked, not yet the size).</summary>
    private static FileStream Open(string path, out string descr, out long[] dims, out long count)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"npy file not found: {path}", path);
        var f = File.OpenRead(path);
        try
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
            if (f.Read(header) < headerLength) throw new InvalidDataException($"{path}: truncated header");
            var text = Encoding.Latin1.GetString(header).TrimEnd('\n', ' ', '\0');
            var m = HeaderPattern().Match(text);
            if (!m.Success) throw new InvalidDataException($"{path}: unexpected .npy header {text}");
            descr = m.Groups["descr"].Value;
            if (m.Groups["fortran"].Value == "True") throw new InvalidDataException($"{path}: Fortran-ordered; save a C-ordered array (np.ascontiguousarray)");
            var shape = dims = m.Groups["shape"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(d => long.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw new InvalidDataException($"{path}: bad shape entry '{d}'"))
                .ToArray();
            count = 1;
            foreach (var d in dims)
                count = d == 0 ? 0 : count <= long.MaxValue / 8 / Math.Max(d, 1) ? count * d : throw new InvalidDataException($"{path}: shape ({string.Join(", ", shape)}) is too large");
            return f;
        }
        catch
        {
            f.Dispose();
            throw;
        }
    }

    /// <summary>The data, once its size is checked against the shape (before anything is allocated).</summary>
    private static T[] ReadValues<T>(FileStream f, string path, long[] dims, long count) where T : unmanaged
    {
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        long remaining = f.Length - f.Position;
        if (remaining != count * size)
            throw new InvalidDataException($"{path}: shape ({string.Join(", ", dims)}) needs {count * size} data bytes, the file has {remaining}");
        if (count * size > Array.MaxLength) throw new InvalidDataException($"{path}: {count * size} bytes are more than one array can hold");
        var values = new T[count];
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan());
        f.ReadExactly(bytes);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian machine");
        return values;
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
