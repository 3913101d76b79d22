using Microsoft.Win32.SafeHandles;

namespace Research.Training.Data;

/// <summary>
/// Where a dataset's uint8 (C, H, W) images live: one array in memory, or a cache file read image
/// by image with positioned reads, so a dataset larger than memory trains with only the batches in
/// flight resident (the operating system's page cache keeps what fits, and gives it back on demand).
/// </summary>
public abstract class ImageStore : IDisposable
{
    protected ImageStore(int count, int imageBytes)
    {
        Count = count;
        ImageBytes = imageBytes;
    }

    public int Count { get; }
    public int ImageBytes { get; }

    /// <summary>Copies image <paramref name="index"/> into <paramref name="destination"/> (<see cref="ImageBytes"/> long).</summary>
    public abstract void Read(int index, Span<byte> destination);

    public virtual void Dispose() { }
}

/// <summary>Images in one array, (N, C, H, W) row-major.</summary>
public sealed class ArrayImageStore : ImageStore
{
    public ArrayImageStore(byte[] pixels, int count, int imageBytes) : base(count, imageBytes)
    {
        if (pixels.LongLength != (long)count * imageBytes)
            throw new ArgumentException($"{pixels.LongLength} image bytes do not hold {count} images of {imageBytes} bytes");
        Pixels = pixels;
    }

    public byte[] Pixels { get; }

    public override void Read(int index, Span<byte> destination) => Pixels.AsSpan((int)((long)index * ImageBytes), ImageBytes).CopyTo(destination);
}

/// <summary>
/// Images in several arrays of whole images: a dataset held in memory that is larger than one .NET
/// array can be (2 GiB), e.g. 16,000 images of 3×256×256.
/// </summary>
public sealed class ChunkedImageStore : ImageStore
{
    /// <summary>The most bytes one chunk holds (whole images only).</summary>
    public const int ChunkBytes = 1 << 30;

    private readonly byte[][] _chunks;

    public ChunkedImageStore(int count, int imageBytes, int chunkBytes = ChunkBytes) : base(count, imageBytes)
    {
        ImagesPerChunk = Math.Max(1, chunkBytes / imageBytes);
        int chunks = (int)(((long)count + ImagesPerChunk - 1) / ImagesPerChunk);
        _chunks = new byte[chunks][];
        for (int c = 0; c < chunks; c++)
            _chunks[c] = new byte[(long)Math.Min(ImagesPerChunk, count - (long)c * ImagesPerChunk) * imageBytes];
    }

    public int ImagesPerChunk { get; }

    /// <summary>The arrays, in order; chunk c holds images c·<see cref="ImagesPerChunk"/> on.</summary>
    public IReadOnlyList<byte[]> Chunks => _chunks;

    public override void Read(int index, Span<byte> destination) =>
        _chunks[index / ImagesPerChunk].AsSpan(index % ImagesPerChunk * ImageBytes, ImageBytes).CopyTo(destination);
}

/// <summary>Images in a file from <paramref name="offset"/> on, read with positioned reads (thread-safe: no shared file position).</summary>
public sealed class FileImageStore : ImageStore
{
    private readonly SafeFileHandle _file;
    private readonly long _offset;

    public FileImageStore(string path, long offset, int count, int imageBytes) : base(count, imageBytes)
    {
        Path = path;
        _offset = offset;
        _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        long needed = offset + (long)count * imageBytes;
        if (RandomAccess.GetLength(_file) < needed)
        {
            _file.Dispose();
            throw new InvalidDataException($"{path}: {RandomAccess.GetLength(_file)} bytes, the cache's header promises {needed}");
        }
    }

    public string Path { get; }

    public override void Read(int index, Span<byte> destination)
    {
        int read = RandomAccess.Read(_file, destination[..ImageBytes], _offset + (long)index * ImageBytes);
        if (read != ImageBytes) throw new IOException($"{Path}: image {index} is cut short ({read} of {ImageBytes} bytes)");
    }

    public override void Dispose() => _file.Dispose();
}
