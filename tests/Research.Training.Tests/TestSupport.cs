using System.Buffers.Binary;
using System.IO.Compression;

namespace Research.Training.Tests;

/// <summary>A fact that runs only when Debian's Fashion-MNIST files are installed; otherwise it is reported as skipped.</summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public FashionMnistFactAttribute()
    {
        if (!Directory.Exists(FashionMnist.DefaultDir))
            Skip = $"{FashionMnist.DefaultDir} is absent (apt-get install dataset-fashion-mnist)";
    }
}

/// <summary>A fresh directory under the system temp folder, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "research-training-tests-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Writes the file formats the readers take, so tests build exactly the bytes they need.</summary>
internal static class Files
{

    public static byte[] Idx(int magic, int[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int d = 0; d < dims.Length; d++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), dims[d]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    public static byte[] IdxImages(int count, int rows, int cols, byte[] pixels) => Idx(IdxReader.ImagesMagic, [count, rows, cols], pixels);

    public static byte[] IdxLabels(byte[] labels) => Idx(IdxReader.LabelsMagic, [labels.Length], labels);

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest)) gz.Write(data);
        return output.ToArray();
    }

    public static string Write(string path, byte[] bytes, bool gzip = false)
    {
        System.IO.File.WriteAllBytes(path, gzip ? Gzip(bytes) : bytes);
        return path;
    }

    /// <summary>Deterministic pixel bytes that differ by position and seed.</summary>
    public static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++) bytes[i] = (byte)(i * 7 + seed * 31 + i / 251);
        return bytes;
    }

    /// <summary>Fashion-MNIST's four files with the given images per part, labels i % 10.</summary>
    public static void FashionMnist(string dir, int train, int test, bool gzip)
    {
        foreach (var (prefix, count, seed) in new[] { ("train", train, 1), ("t10k", test, 2) })
        {
            var suffix = gzip ? ".gz" : "";
            Write(System.IO.Path.Combine(dir, $"{prefix}-images-idx3-ubyte{suffix}"), IdxImages(count, 28, 28, Pattern(count * 784, seed)), gzip);
            Write(System.IO.Path.Combine(dir, $"{prefix}-labels-idx1-ubyte{suffix}"), IdxLabels(Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray()), gzip);
        }
    }

    /// <summary>CIFAR records: label byte(s) then the image bytes, for each (labels, image) pair.</summary>
    public static byte[] CifarRecords(IEnumerable<(byte[] Labels, byte[] Image)> records) =>
        records.SelectMany(r => r.Labels.Concat(r.Image)).ToArray();
}
