using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Research.Training.Data;

/// <summary>
/// Image files (PNG, JPEG, BMP, GIF, WebP, TIFF, …, whatever SixLabors.ImageSharp reads) into the
/// uint8 (C, H, W) layout the loaders batch: converted to the channels asked for (grayscale ↔ RGB,
/// any bit depth: ImageSharp converts to 8-bit L8/Rgb24), resized so the shorter side is the target
/// size and the central square kept when the file is not already that size. The image's dimensions
/// are read before it is decoded, so a file that claims huge dimensions is refused without decoding it.
/// </summary>
public static class ImageDecoding
{
    /// <summary>Larger images are refused before decoding (a bound on what one file may make us allocate).</summary>
    public const long MaxPixels = 100_000_000;

    public static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".tga", ".pbm", ".pgm", ".ppm"];

    public static bool IsImageFile(string path) => Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>Decodes <paramref name="path"/> into <paramref name="destination"/> (channels × height × width bytes); an unreadable image is an <see cref="InvalidDataException"/> naming the file.</summary>
    public static void Decode(string path, int channels, int height, int width, Span<byte> destination)
    {
        if (channels is not (1 or 3)) throw new ArgumentException($"{path}: images decode to 1 or 3 channels, not {channels}");
        if (destination.Length != channels * height * width)
            throw new ArgumentException($"{path}: destination holds {destination.Length} bytes, not {channels}x{height}x{width}");
        try
        {
            var info = Image.Identify(path, out var format) ?? throw new InvalidDataException($"{path}: not an image file ImageSharp can read");
            long pixels = (long)info.Width * info.Height;
            if (pixels > MaxPixels || info.Width < 1 || info.Height < 1)
                throw new InvalidDataException($"{path}: {info.Width}x{info.Height} pixels is outside 1..{MaxPixels} pixels");
            // A PNM stores every pixel, as text or raw, in at least one bit; a shorter file is cut short, and
            // decoding it would read past its end once for each missing pixel (fuzzing: 72 bytes, 20+ seconds).
            long length = new FileInfo(path).Length;
            if (format is SixLabors.ImageSharp.Formats.Pbm.PbmFormat && length * 8 < pixels)
                throw new InvalidDataException($"{path}: a PNM image of {info.Width}x{info.Height} pixels needs at least {(pixels + 7) / 8} bytes; the file has {length}");
            if (channels == 1)
            {
                using var image = Image.Load<L8>(path);
                Fit(image, height, width);
                image.CopyPixelDataTo(destination);
            }
            else
            {
                using var image = Image.Load<Rgb24>(path);
                Fit(image, height, width);
                var interleaved = new byte[height * width * 3];
                image.CopyPixelDataTo(interleaved);
                int plane = height * width;
                for (int i = 0; i < plane; i++)
                {
                    destination[i] = interleaved[3 * i];
                    destination[plane + i] = interleaved[3 * i + 1];
                    destination[2 * plane + i] = interleaved[3 * i + 2];
                }
            }
        }
        // ImageSharp's decoders meet corrupt data with more than their documented exceptions (fuzzing found
        // ArgumentException "Destination is too short", and index and overflow errors are possible): whatever
        // a decoder throws about the file's content is this file's being unreadable. Access errors stay what they are.
        catch (Exception e) when (e is not (InvalidDataException or OutOfMemoryException or UnauthorizedAccessException or FileNotFoundException
                                      or DirectoryNotFoundException or OperationCanceledException))
        {
            throw new InvalidDataException($"{path}: not a readable image ({e.GetType().Name}: {e.Message})", e);
        }
    }

    /// <summary>Shorter side to the target (keeping the aspect), then the central target-sized crop; nothing when it already fits.</summary>
    private static void Fit<TPixel>(Image<TPixel> image, int height, int width) where TPixel : unmanaged, IPixel<TPixel>
    {
        if (image.Width == width && image.Height == height) return;
        double scale = Math.Max((double)width / image.Width, (double)height / image.Height);
        int w = Math.Max(width, (int)Math.Round(image.Width * scale)), h = Math.Max(height, (int)Math.Round(image.Height * scale));
        image.Mutate(x => x.Resize(w, h, KnownResamplers.Triangle).Crop(new Rectangle((w - width) / 2, (h - height) / 2, width, height)));
    }
}
