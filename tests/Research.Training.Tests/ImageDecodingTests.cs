using System.Text;

namespace Research.Training.Tests;

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
}
