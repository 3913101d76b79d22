using System.Text;

namespace Research.Training.Tests;

// Peak resident memory is the whole process's: nothing else may run beside the memory checks.
[Collection("Serial training")]
public class ImageDecodingTests
{
    [Fact]
    public void APnmShorterThanItsPixelsIsRefusedBeforeDecoding()
    {
        using var dir = new TempDir();
        // An ASCII PGM declaring 1 × 20,000,000 pixels in 40 bytes: the decoder would read past the end for each one.
        var path = dir.File("cut.pgm");
        File.WriteAllBytes(path, Encoding.ASCII.GetBytes("P2\n1 20000000\n255\n1 2 3 4 5 6 7 8 9\n"));
        var e = Assert.Throws<InvalidDataException>(() => ImageDecoding.Decode(path, 1, 8, 8, new byte[64]));
        Assert.Contains(path, e.Message);
        Assert.Contains("needs at least 2500000 bytes", e.Message);

        // A whole one decodes.
        var whole = dir.File("whole.pgm");
        File.WriteAllBytes(whole, Encoding.ASCII.GetBytes("P2\n2 2\n255\n0 64\n128 255\n"));
        var pixels = new byte[4];
        ImageDecoding.Decode(whole, 1, 2, 2, pixels);
        Assert.Equal(new byte[] { 0, 64, 128, 255 }, pixels);
    }

    /// <summary>Peak resident memory that an action adds (Linux: the peak is reset through /proc/self/clear_refs, then read from VmHWM).</summary>
    private static long PeakGrowth(Action action)
    {
        static long Kib(string field) => long.Parse(File.ReadAllLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllText("/proc/self/clear_refs", "5");
        long before = Kib("VmRSS:");
        action();
        return (Kib("VmHWM:") - before) * 1024;
    }

    /// <summary>
    /// An animation of 250 frames of 2000x2000 (each too small to count as a bomb: a billion pixels in 6 KB) decodes its
    /// first frame only: one image is wanted, and decoding all of them took a gigabyte.
    /// </summary>
    [Fact]
    public void AnAnimationDecodesItsFirstFrameOnly()
    {
        using var dir = new TempDir();
        var path = dir.File("frames.gif");
        File.WriteAllBytes(path, ImageBombs.Gif(2000, 2000, 250));
        var pixels = new byte[2000 * 2000];
        long growth = PeakGrowth(() => ImageDecoding.Decode(path, 1, 2000, 2000, pixels));
        Assert.Equal(255, pixels[0]); // the one white pixel of the first frame
        Assert.Equal(0, pixels[1]);
        Assert.True(growth < 400L << 20, $"decoding took {growth >> 20} MiB more resident memory: more than the first frame was decoded");
    }

    /// <summary>Files that promise far more pixels than their bytes could describe are refused before decoding: the GIF of 30 frames of 9000x9000 in 729 bytes, a PNG of zeros.</summary>
    [Fact]
    public void DecompressionBombsAreRefusedBeforeDecoding()
    {
        using var dir = new TempDir();
        foreach (var (name, bytes) in new[] { ("frames.gif", ImageBombs.Gif(9000, 9000, 30)), ("zeros.png", ImageBombs.Png(9000, 9000)) })
        {
            var path = dir.File(name);
            File.WriteAllBytes(path, bytes);
            var e = Assert.Throws<InvalidDataException>(() => ImageDecoding.Decode(path, 3, 32, 32, new byte[3 * 32 * 32]));
            Assert.Contains($"{path}: 9000x9000 pixels from a file of {bytes.Length} bytes", e.Message);
            Assert.Contains("a decompression bomb, not decoded", e.Message);
        }
        // A large image whose file is as large as its pixels need is no bomb: decoded (17 million pixels in 17 MB).
        var noisy = dir.File("noise.png");
        var rng = new Random(3);
        using (var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.L8>(4200, 4200))
        {
            image.ProcessPixelRows(rows =>
            {
                for (int y = 0; y < rows.Height; y++)
                    foreach (ref var p in rows.GetRowSpan(y)) p = new((byte)rng.Next(256));
            });
            SixLabors.ImageSharp.ImageExtensions.SaveAsPng(image, noisy);
        }
        ImageDecoding.Decode(noisy, 1, 8, 8, new byte[64]);
    }

    /// <summary>
    /// A GIF frame far larger than its screen: the header (and so the pixel check) sees only the screen, 100x100; the frame,
    /// 30000x30000, would be 900 MB. What is decoded is the screen's worth, within a bounded peak (and any decoder buffer
    /// over the allocation bound would be refused).
    /// </summary>
    [Fact]
    public void AFrameLargerThanItsScreenTakesNoMoreThanTheScreen()
    {
        using var dir = new TempDir();
        var path = dir.File("big-frame.gif");
        File.WriteAllBytes(path, ImageBombs.Gif(30000, 30000, 1, screen: (100, 100)));
        var pixels = new byte[100 * 100];
        long growth = PeakGrowth(() => ImageDecoding.Decode(path, 1, 100, 100, pixels));
        Assert.Equal(255, pixels[0]);
        Assert.True(growth < 200L << 20, $"decoding took {growth >> 20} MiB more resident memory");
    }

    /// <summary>
    /// A PNG's compressed text (zTXt, iTXt) is metadata nobody here reads: skipped, never inflated. ImageSharp inflates it
    /// without a bound (a megabyte of deflated zeros in a 28x28 image took `research predict` to 3 GB and an abort).
    /// </summary>
    [Theory]
    [InlineData("zTXt")]
    [InlineData("iTXt")]
    public void CompressedTextInAPngIsNeverInflated(string chunk)
    {
        using var dir = new TempDir();
        var path = dir.File("text.png");
        File.WriteAllBytes(path, ImageBombs.PngWithCompressedText(chunk, 256L << 20));
        Assert.True(new FileInfo(path).Length < 1 << 20);
        var pixels = new byte[28 * 28];
        long before = GC.GetAllocatedBytesForCurrentThread();
        ImageDecoding.Decode(path, 1, 28, 28, pixels);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 32L << 20, $"decoding a 28x28 image allocated {allocated >> 20} MiB: its text was inflated");
        Assert.All(pixels, p => Assert.Equal(0, p));
    }
}
