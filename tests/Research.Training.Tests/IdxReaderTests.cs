using System.Buffers.Binary;

namespace Research.Training.Tests;

public class IdxReaderTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsImagesAndLabelsBack(bool gzip)
    {
        using var dir = new TempDir();
        var pixels = Files.Pattern(3 * 4 * 5, seed: 3);
        var images = IdxReader.ReadImages(Files.Write(dir.File("img"), Files.IdxImages(3, 4, 5, pixels), gzip));
        Assert.Equal((3, 4, 5), (images.Count, images.Rows, images.Columns));
        Assert.Equal(pixels, images.Pixels);

        byte[] labels = [9, 0, 255, 4];
        Assert.Equal(labels, IdxReader.ReadLabels(Files.Write(dir.File("lab"), Files.IdxLabels(labels), gzip)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedDataIsAnErrorNamingTheFile(bool gzip)
    {
        using var dir = new TempDir();
        var full = Files.IdxImages(2, 3, 3, Files.Pattern(18, 1));
        var path = Files.Write(dir.File("img"), full[..^5], gzip);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("need 18", e.Message);
        Assert.Contains("found 13", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SizesTheFileCannotHoldAreRefusedBeforeAllocating(bool gzip)
    {
        using var dir = new TempDir();
        // 2,000,000 × 1,000 × 1 = 2 GB declared in a file of a few dozen bytes (fuzzing: an OutOfMemoryException).
        var header = Files.IdxImages(2_000_000, 1_000, 1, Files.Pattern(8, 1))[..24];
        var path = Files.Write(dir.File("img"), header, gzip);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "the reader allocated the declared size before checking it");
        Assert.StartsWith(path, e.Message);
        Assert.Contains("need 2000000000", e.Message);
    }

    /// <summary>A gzip IDX of 400 MB of zeros takes 400 KB: deflate allows it, but no image data compresses a thousandfold, so it is refused unread.</summary>
    [Fact]
    public void AGzipBombIsRefusedBeforeItIsAllocated()
    {
        using var dir = new TempDir();
        var path = dir.File("bomb-idx3-ubyte.gz");
        using (var file = File.Create(path))
        using (var gz = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.SmallestSize))
        {
            gz.Write(Files.IdxImages(500_000, 28, 28, [])[..16]);
            var zeros = new byte[1 << 20];
            for (long done = 0; done < 500_000L * 784; done += zeros.Length) gz.Write(zeros, 0, (int)Math.Min(zeros.Length, 500_000L * 784 - done));
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "the reader allocated the declared size");
        Assert.StartsWith(path, e.Message);
        Assert.Contains("a decompression bomb, not read", e.Message);
    }

    [Fact]
    public void TruncatedHeaderIsAnError()
    {
        using var dir = new TempDir();
        var path = Files.Write(dir.File("lab"), Files.IdxLabels([1, 2])[..6]);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("truncated IDX header: expected 8 bytes, found 6", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TrailingBytesAreAnError(bool gzip)
    {
        using var dir = new TempDir();
        var path = Files.Write(dir.File("lab"), [.. Files.IdxLabels([1, 2, 3]), 7, 7], gzip);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("2 trailing", e.Message);
    }

    [Fact]
    public void WrongMagicSaysExpectedAndFound()
    {
        using var dir = new TempDir();
        var labels = Files.Write(dir.File("labels-as-images"), Files.IdxLabels([1, 2, 3]));
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(labels));
        Assert.StartsWith(labels, e.Message);
        Assert.Contains("expected IDX magic 0x00000803 (2051", e.Message);
        Assert.Contains("found 0x00000801 (2049)", e.Message);
        Assert.Contains("a label file", e.Message);

        var bytes = Files.IdxImages(1, 2, 2, [1, 2, 3, 4]);
        BinaryPrimitives.WriteInt32LittleEndian(bytes, IdxReader.ImagesMagic);
        var swapped = Files.Write(dir.File("little-endian"), bytes);
        e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(swapped));
        Assert.StartsWith(swapped, e.Message);
        Assert.Contains("byte-swapped", e.Message);
    }

    [Fact]
    public void NonPositiveDimensionIsAnError()
    {
        using var dir = new TempDir();
        var path = Files.Write(dir.File("img"), Files.Idx(IdxReader.ImagesMagic, [2, 0, 3], []));
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("dimension 1 is 0", e.Message);
    }

    [Fact]
    public void CorruptGzipIsAnErrorNamingTheFile()
    {
        using var dir = new TempDir();
        // A gzip signature followed by junk: the header itself is invalid.
        var junk = Files.Write(dir.File("junk.gz"), [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03]);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(junk));
        Assert.StartsWith(junk, e.Message);
        Assert.Contains("corrupt gzip", e.Message);

        // A valid stream whose stored CRC no longer matches the data.
        var gz = Files.Gzip(Files.IdxLabels([1, 2, 3, 4]));
        gz[^8] ^= 0xff;
        var crc = Files.Write(dir.File("crc.gz"), gz);
        e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(crc));
        Assert.StartsWith(crc, e.Message);
        Assert.Contains("corrupt gzip", e.Message);
    }
}
