using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Pbm;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Research.Training.Data;

/// <summary>
/// Image files (PNG, JPEG, BMP, GIF, WebP, TIFF, …, whatever SixLabors.ImageSharp reads) into the
/// uint8 (C, H, W) layout the loaders batch: converted to the channels asked for (grayscale ↔ RGB,
/// any bit depth: ImageSharp converts to 8-bit L8/Rgb24), resized so the shorter side is the target
/// size and the central square kept when the file is not already that size. What a file may make us
/// allocate is bounded before it is decoded (<see cref="Inspect"/>): its dimensions, read from its
/// header, against a pixel limit and against its own size (a decompression bomb is refused); only the
/// first frame of an animation or a multi-page TIFF is decoded; metadata (text, EXIF, ICC) is skipped, never
/// inflated; and large images decode one at a time.
/// </summary>
public static class ImageDecoding
{
    /// <summary>Larger images are refused before decoding (a bound on what one file may make us allocate).</summary>
    public const long MaxPixels = 100_000_000;

    /// <summary>Images up to this many pixels (2000x2000) are decoded whatever their file's size: tens of megabytes at most.</summary>
    public const long BombFreePixels = 4_000_000;

    /// <summary>
    /// Beyond <see cref="BombFreePixels"/>, at most this many pixels per byte of file: photographs take 1 to 20
    /// (JPEG at low quality some tens); a file that claims far more is mostly a promise of memory.
    /// </summary>
    public const long MaxPixelsPerFileByte = 64;

    /// <summary>Images above this many pixels wait for each other, so parallel decoding never holds two of them.</summary>
    private const long LargePixels = 4_000_000;

    /// <summary>
    /// A decoder's largest single buffer, at most (ImageSharp's allocation limit): the first frame of the largest
    /// image allowed, four bytes a pixel. It catches what a header does not show (a GIF frame larger than its screen).
    /// </summary>
    private const int AllocationLimitMegabytes = (int)(MaxPixels * 4 / 1_000_000);

    public static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".tga", ".pbm", ".pgm", ".ppm"];

    /// <summary>ImageSharp, decoding the first frame only (GIF, TIFF) and no metadata, with a bound on each allocation.</summary>
    private static readonly Configuration Decoding = CreateConfiguration();

    private static readonly SemaphoreSlim OneLargeImage = new(1, 1);

    public static bool IsImageFile(string path) => Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    private static Configuration CreateConfiguration()
    {
        var configuration = Configuration.Default.Clone();
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First, IgnoreMetadata = true });
        configuration.ImageFormatsManager.SetDecoder(TiffFormat.Instance, new TiffDecoder { DecodingMode = FrameDecodingMode.First, IgnoreMetadata = true });
        // Metadata is never used here, and a PNG's compressed text (zTXt, iTXt) inflates without a bound: a megabyte
        // of deflated zeros in a 28x28 image took ImageSharp to 3 GB.
        configuration.ImageFormatsManager.SetDecoder(PngFormat.Instance, new PngDecoder { IgnoreMetadata = true });
        configuration.ImageFormatsManager.SetDecoder(JpegFormat.Instance, new JpegDecoder { IgnoreMetadata = true });
        configuration.ImageFormatsManager.SetDecoder(WebpFormat.Instance, new WebpDecoder { IgnoreMetadata = true });
        configuration.MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions { AllocationLimitMegabytes = AllocationLimitMegabytes });
        return configuration;
    }

    /// <summary>
    /// The image's header, when decoding it stays within bounds: at most <see cref="MaxPixels"/>, and beyond
    /// <see cref="BombFreePixels"/> at most <see cref="MaxPixelsPerFileByte"/> pixels per byte of file. A file
    /// that is no image, or would not stay within them, is an <see cref="InvalidDataException"/> naming it.
    /// </summary>
    public static IImageInfo Inspect(string path)
    {
        try
        {
            var info = Image.Identify(Decoding, path, out var format) ?? throw new InvalidDataException($"{path}: not an image file ImageSharp can read");
            long pixels = (long)info.Width * info.Height;
            if (pixels > MaxPixels || info.Width < 1 || info.Height < 1)
                throw new InvalidDataException($"{path}: {info.Width}x{info.Height} pixels is outside 1..{MaxPixels} pixels");
            long length = new FileInfo(path).Length;
            // A PNM stores every pixel, as text or raw, in at least one bit; a shorter file is cut short, and
            // decoding it would read past its end once for each missing pixel (fuzzing: 72 bytes, 20+ seconds).
            if (format is PbmFormat && length * 8 < pixels)
                throw new InvalidDataException($"{path}: a PNM image of {info.Width}x{info.Height} pixels needs at least {(pixels + 7) / 8} bytes; the file has {length}");
            if (pixels > BombFreePixels && pixels > length * MaxPixelsPerFileByte)
                throw new InvalidDataException($"{path}: {info.Width}x{info.Height} pixels from a file of {length} bytes " +
                                               $"(more than {MaxPixelsPerFileByte} pixels a byte above {BombFreePixels / 1_000_000} million pixels): a decompression bomb, not decoded");
            return info;
        }
        catch (Exception e) when (IsContentError(e))
        {
            throw new InvalidDataException($"{path}: not a readable image ({e.GetType().Name}: {e.Message})", e);
        }
    }

    /// <summary>Decodes <paramref name="path"/> into <paramref name="destination"/> (channels × height × width bytes); an unreadable image is an <see cref="InvalidDataException"/> naming the file.</summary>
    public static void Decode(string path, int channels, int height, int width, Span<byte> destination)
    {
        if (channels is not (1 or 3)) throw new ArgumentException($"{path}: images decode to 1 or 3 channels, not {channels}");
        if (destination.Length != channels * height * width)
            throw new ArgumentException($"{path}: destination holds {destination.Length} bytes, not {channels}x{height}x{width}");
        var info = Inspect(path);
        bool large = (long)info.Width * info.Height > LargePixels;
        if (large) OneLargeImage.Wait();
        try
        {
            if (channels == 1)
            {
                using var image = Image.Load<L8>(Decoding, path);
                Fit(image, height, width);
                image.CopyPixelDataTo(destination);
            }
            else
            {
                using var image = Image.Load<Rgb24>(Decoding, path);
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
        catch (Exception e) when (IsContentError(e))
        {
            throw new InvalidDataException($"{path}: not a readable image ({e.GetType().Name}: {e.Message})", e);
        }
        finally
        {
            if (large) OneLargeImage.Release();
        }
    }

    /// <summary>
    /// Whether an exception says the file's content is unreadable. ImageSharp's decoders meet corrupt data with more
    /// than their documented exceptions (fuzzing found ArgumentException "Destination is too short", and index and
    /// overflow errors are possible; an allocation over the limit is InvalidMemoryOperationException): whatever a
    /// decoder throws about the file's content is this file's being unreadable. Access errors stay what they are.
    /// </summary>
    private static bool IsContentError(Exception e) => e is not (InvalidDataException or OutOfMemoryException or UnauthorizedAccessException
        or FileNotFoundException or DirectoryNotFoundException or OperationCanceledException);

    /// <summary>Shorter side to the target (keeping the aspect), then the central target-sized crop; nothing when it already fits.</summary>
    private static void Fit<TPixel>(Image<TPixel> image, int height, int width) where TPixel : unmanaged, IPixel<TPixel>
    {
        if (image.Width == width && image.Height == height) return;
        double scale = Math.Max((double)width / image.Width, (double)height / image.Height);
        int w = Math.Max(width, (int)Math.Round(image.Width * scale)), h = Math.Max(height, (int)Math.Round(image.Height * scale));
        image.Mutate(x => x.Resize(w, h, KnownResamplers.Triangle).Crop(new Rectangle((w - width) / 2, (h - height) / 2, width, height)));
    }
}
