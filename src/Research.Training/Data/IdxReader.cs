using System.Buffers.Binary;
using System.IO.Compression;

namespace Research.Training.Data;

/// <summary>uint8 images from an IDX file: Count images of Rows × Columns, row-major, one byte a pixel.</summary>
public sealed record IdxImages(byte[] Pixels, int Count, int Rows, int Columns);

/// <summary>
/// Reads IDX files, the MNIST / Fashion-MNIST format: a big-endian magic (0x0000 then the element
/// type, 0x08 for uint8, then the number of dimensions), big-endian int32 sizes, then the elements.
/// Gzip files (first bytes 0x1f 0x8b) are decompressed on the fly, so Debian's .gz files need no
/// unpacking. Every error is an InvalidDataException whose message starts with the file's path.
/// </summary>
public static class IdxReader
{
    /// <summary>uint8, 3 dimensions (count, rows, columns): 2051.</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>uint8, 1 dimension (count): 2049.</summary>
    public const int LabelsMagic = 0x00000801;

    public static IdxImages ReadImages(string path)
    {
        var (dims, data) = Read(path, ImagesMagic, "uint8 images (count, rows, columns)");
        return new IdxImages(data, dims[0], dims[1], dims[2]);
    }

    public static byte[] ReadLabels(string path) => Read(path, LabelsMagic, "uint8 labels (count)").Data;

    private static (int[] Dims, byte[] Data) Read(string path, int expectedMagic, string what)
    {
        using var file = File.OpenRead(path);
        var isGzip = IsGzip(file);
        using Stream stream = isGzip ? new GZipStream(file, CompressionMode.Decompress) : file;
        try
        {
            return ReadBody(stream, path, expectedMagic, what, isGzip, file.Length);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            // GZipStream's own errors (bad header, bad deflate data, CRC mismatch) do not say which file.
            throw new InvalidDataException($"{path}: corrupt gzip data ({e.Message})", e);
        }
    }

    private static bool IsGzip(FileStream file)
    {
        Span<byte> head = stackalloc byte[2];
        var n = file.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return n == 2 && head[0] == 0x1f && head[1] == 0x8b;
    }

    /// <summary>Deflate's largest expansion (a run of one byte): a gzip file cannot decompress to more than this many times its size.</summary>
    private const long MaxDeflateRatio = 1032;

    /// <summary>
    /// Beyond <see cref="GzipBombFreeBytes"/>, a gzip IDX may decompress to at most this many times its size: images
    /// take 2 to 5 (Fashion-MNIST's 26 MB give 47 MB), so a file that claims near deflate's limit is a bomb of zeros.
    /// </summary>
    private const long MaxGzipRatio = 64;
    private const long GzipBombFreeBytes = 64L << 20;

    private static (int[] Dims, byte[] Data) ReadBody(Stream stream, string path, int expectedMagic, string what, bool isGzip, long fileLength)
    {
        var ndims = expectedMagic & 0xff;
        var header = new byte[4 + 4 * ndims];
        var got = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (got >= 4)
        {
            // Check the magic before the header length, so a label file passed as images says so.
            var magic = BinaryPrimitives.ReadInt32BigEndian(header);
            if (magic != expectedMagic)
                throw new InvalidDataException(
                    $"{path}: expected IDX magic 0x{expectedMagic:X8} ({expectedMagic}, {what}), found 0x{magic:X8} ({magic}){MagicHint(magic)}");
        }
        if (got < header.Length)
            throw new InvalidDataException($"{path}: truncated IDX header: expected {header.Length} bytes, found {got}");

        var dims = new int[ndims];
        long payload = 1;
        for (int d = 0; d < ndims; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4 + 4 * d));
            if (dims[d] <= 0)
                throw new InvalidDataException($"{path}: IDX dimension {d} is {dims[d]}, expected a positive size");
            payload *= dims[d];
            if (payload > Array.MaxLength)
                throw new InvalidDataException($"{path}: IDX sizes ({string.Join(", ", dims.Take(d + 1))}) exceed {Array.MaxLength} bytes");
        }

        var form = isGzip ? "decompressed " : "";
        // The sizes are checked against what the file can hold before anything that large is allocated.
        if (!isGzip && payload > fileLength - header.Length)
            throw new InvalidDataException(
                $"{path}: truncated: dimensions ({string.Join(", ", dims)}) need {payload} data bytes after the header, found {fileLength - header.Length}");
        if (isGzip && payload > fileLength * MaxDeflateRatio)
            throw new InvalidDataException(
                $"{path}: truncated: dimensions ({string.Join(", ", dims)}) need {payload} decompressed data bytes, more than a gzip file of {fileLength} bytes can hold");
        if (isGzip && payload > GzipBombFreeBytes && payload > fileLength * MaxGzipRatio)
            throw new InvalidDataException(
                $"{path}: dimensions ({string.Join(", ", dims)}) need {payload} decompressed data bytes from a gzip file of {fileLength} bytes " +
                $"(more than {MaxGzipRatio} times its size above {GzipBombFreeBytes >> 20} MiB): a decompression bomb, not read");
        var data = new byte[payload];
        var read = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        if (read < data.Length)
            throw new InvalidDataException(
                $"{path}: truncated: dimensions ({string.Join(", ", dims)}) need {payload} {form}data bytes after the header, found {read}");

        // Reading on to the end also makes GZipStream check the CRC of what we kept.
        var extra = CountRemaining(stream);
        if (extra > 0)
            throw new InvalidDataException(
                $"{path}: {extra} trailing {form}bytes after the {payload} data bytes that dimensions ({string.Join(", ", dims)}) describe");
        return (dims, data);
    }

    private static string MagicHint(int magic) => magic switch
    {
        ImagesMagic => " (an image file, not labels)",
        LabelsMagic => " (a label file, not images)",
        // Little-endian writes of the two magics, a common mistake of hand-rolled writers.
        0x03080000 or 0x01080000 => " (byte-swapped: the file was written little-endian)",
        _ when (magic & 0xffff0000) == 0x1f8b0000 => " (gzip header inside the data: compressed twice?)",
        _ => "",
    };

    private static long CountRemaining(Stream stream)
    {
        var buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = stream.Read(buffer)) > 0) total += n;
        return total;
    }
}
