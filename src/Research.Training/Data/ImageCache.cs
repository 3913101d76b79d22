using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Research.Core.IO;

namespace Research.Training.Data;

/// <summary>What to do with an image file that cannot be decoded.</summary>
public static class BadImagePolicy
{
    /// <summary>Stop with an error naming the file (and the CSV line): exit code 2, nothing written.</summary>
    public const string Error = "error";
    /// <summary>Leave it out, and list it in the run (skipped_images.txt).</summary>
    public const string Skip = "skip";

    public static readonly string[] All = [Error, Skip];
}

/// <summary>A decoded dataset on disk: every image of every split as uint8 (C, S, S), and which files were left out.</summary>
public sealed record ImageCacheFile(string Path, int Count, int Channels, int Size, int[] Labels, byte[] Splits, bool[] Decoded, long PixelOffset)
{
    public int ImageBytes => Channels * Size * Size;
}

/// <summary>
/// Decodes a folder or CSV dataset once into a cache file, so later epochs and later runs read no
/// image file: every image converted to the channels asked for and stored at S×S (shorter side
/// resized to S, central square kept), with the labels and splits, in the source's order. The file
/// is named by a key of the file list (paths, sizes, times), the channels, S and the bad-image
/// policy, and its header carries the key and a SHA-256 digest of everything after it (labels, splits,
/// pixels): a changed dataset or setting builds a new one, and a file whose header or digest does not
/// match (damaged, cut short, or its pixels rewritten in place) is rebuilt, never trusted. A build writes to a temporary file
/// (several threads decoding into it at once) that is flushed and renamed only when complete, so an
/// interrupted build leaves nothing a later run would read.
/// </summary>
public static class ImageCache
{
    private const int Version = 2;
    private const int HeaderBytes = 256;
    private const int DigestOffset = 64;
    private static readonly byte[] Magic = "RESEARCH-IMAGES\n"u8.ToArray();
    public const string Suffix = ".images";

    public static string Key(ImageSource source, int channels, int size, string badImages) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"v{Version}\n{source.Fingerprint()}\nchannels {channels}\nsize {size}\nbad {badImages}\n")))[..24];

    /// <summary>The cache for these settings: opened when a valid one exists, built otherwise.</summary>
    public static ImageCacheFile Open(ImageSource source, int channels, int size, string badImages, string cacheDir, TextWriter? progress)
    {
        string key = Key(source, channels, size, badImages);
        DurableFile.CreateDirectory(cacheDir);
        var path = Path.Combine(cacheDir, $"{source.Kind}-{key}{Suffix}");
        foreach (var stale in Directory.GetFiles(cacheDir, $"{source.Kind}-{key}{Suffix}.*{DurableFile.TemporarySuffix}")) File.Delete(stale);
        if (File.Exists(path))
        {
            var found = TryRead(path, key);
            if (found is not null)
            {
                progress?.WriteLine($"image cache {path} ({found.Count} images, {channels}x{size}x{size}): found");
                return found;
            }
            progress?.WriteLine($"image cache {path}: does not match its name or its digest (damaged, cut short or rewritten); rebuilding it");
            File.Delete(path);
        }
        return Build(source, channels, size, badImages, path, key, progress);
    }

    private static ImageCacheFile Build(ImageSource source, int channels, int size, string badImages, string path, string key, TextWriter? progress)
    {
        int count = source.Entries.Count, imageBytes = channels * size * size;
        long pixelOffset = HeaderBytes + (long)count * 6;
        var labels = source.Entries.Select(e => e.Label).ToArray();
        var splits = source.Entries.Select(e => (byte)Array.IndexOf(ImageSource.Splits, e.Split)).ToArray();
        var decoded = new bool[count];
        var failures = new System.Collections.Concurrent.ConcurrentBag<(int Index, string Why)>();
        var temporary = $"{path}.{Environment.ProcessId}{DurableFile.TemporarySuffix}";
        var clock = Stopwatch.StartNew();
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.RandomAccess))
            {
                file.SetLength(pixelOffset + (long)count * imageBytes);
                long done = 0, lastReport = 0;
                var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
                Parallel.For(0, count, options, () => new byte[imageBytes], (i, _, buffer) =>
                {
                    try
                    {
                        var entry = source.Entries[i];
                        if (!ImageDecoding.IsImageFile(entry.Path))
                            throw new InvalidDataException($"{entry.Path}: not an image file by its extension (expected one of {string.Join(" ", ImageDecoding.Extensions)})");
                        ImageDecoding.Decode(entry.Path, channels, size, size, buffer);
                        RandomAccess.Write(file.SafeFileHandle, buffer, pixelOffset + (long)i * imageBytes);
                        decoded[i] = true;
                    }
                    catch (Exception e) when (e is InvalidDataException or IOException)
                    {
                        failures.Add((i, e.Message));
                    }
                    long n = Interlocked.Increment(ref done);
                    if (progress is not null && (n == count || clock.ElapsedMilliseconds - Interlocked.Read(ref lastReport) > 2000))
                        lock (progress)
                        {
                            Interlocked.Exchange(ref lastReport, clock.ElapsedMilliseconds);
                            double rate = n / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                            progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                                $"decoding {n}/{count} images ({rate:F0} images/s, {(count - n) / Math.Max(rate, 1e-9):F0} s left)"));
                        }
                    return buffer;
                }, _ => { });
                if (!failures.IsEmpty && badImages == BadImagePolicy.Error)
                {
                    var first = failures.OrderBy(f => f.Index).ToList();
                    throw new InvalidDataException($"{first.Count} image file(s) cannot be read (with bad_images: skip they are left out and listed): " +
                                                   string.Join("; ", first.Take(5).Select(f => source.Entries[f.Index].Line > 0 ? $"{source.Location}:{source.Entries[f.Index].Line}: {f.Why}" : f.Why)) +
                                                   (first.Count > 5 ? "; …" : ""));
                }
                var header = new byte[pixelOffset];
                Magic.CopyTo(header, 0);
                BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), Version);
                BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(20), count);
                BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(24), channels);
                BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(28), size);
                Encoding.ASCII.GetBytes(key).CopyTo(header, 32);
                for (int i = 0; i < count; i++)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(HeaderBytes + i * 4), labels[i]);
                    header[HeaderBytes + count * 4 + i] = splits[i];
                    header[HeaderBytes + count * 5 + i] = decoded[i] ? (byte)1 : (byte)0;
                }
                RandomAccess.Write(file.SafeFileHandle, header, 0);
                RandomAccess.Write(file.SafeFileHandle, Digest(file), DigestOffset);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path);
            DurableFile.FlushDirectory(Path.GetDirectoryName(path)!);
        }
        catch
        {
            try
            {
                File.Delete(temporary);
            }
            catch (IOException)
            {
                // The next build deletes leftovers too.
            }
            throw;
        }
        double seconds = clock.Elapsed.TotalSeconds;
        progress?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"image cache {path}: {count} images decoded in {seconds:F1} s ({count / Math.Max(seconds, 1e-9):F0} images/s, {Environment.ProcessorCount} threads){(failures.IsEmpty ? "" : $", {failures.Count} skipped")}"));
        return new ImageCacheFile(path, count, channels, size, labels, splits, decoded, pixelOffset);
    }

    /// <summary>SHA-256 of everything after the header (labels, splits, decoded flags, pixels), read sequentially.</summary>
    private static byte[] Digest(FileStream file)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        for (long offset = HeaderBytes; ;)
        {
            int read = RandomAccess.Read(file.SafeFileHandle, buffer, offset);
            if (read == 0) break;
            sha.AppendData(buffer, 0, read);
            offset += read;
        }
        return sha.GetHashAndReset();
    }

    /// <summary>The cache at <paramref name="path"/> when its header is whole, names <paramref name="key"/> and its digest holds; null otherwise.</summary>
    private static ImageCacheFile? TryRead(string path, string key)
    {
        try
        {
            using var file = File.OpenRead(path);
            var head = new byte[HeaderBytes];
            if (file.Read(head) != HeaderBytes || !head.AsSpan(0, 16).SequenceEqual(Magic)) return null;
            if (BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(16)) != Version) return null;
            int count = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(20));
            int channels = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(24));
            int size = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(28));
            if (Encoding.ASCII.GetString(head, 32, key.Length) != key || count < 0 || channels is not (1 or 3) || size < 1) return null;
            long pixelOffset = HeaderBytes + (long)count * 6;
            if (file.Length != pixelOffset + (long)count * channels * size * size) return null;
            if (!Digest(file).AsSpan().SequenceEqual(head.AsSpan(DigestOffset, SHA256.HashSizeInBytes))) return null;
            file.Position = HeaderBytes;
            var table = new byte[count * 6];
            file.ReadExactly(table);
            var labels = new int[count];
            for (int i = 0; i < count; i++) labels[i] = BinaryPrimitives.ReadInt32LittleEndian(table.AsSpan(i * 4));
            var splits = table.AsSpan(count * 4, count).ToArray();
            var decoded = table.AsSpan(count * 5, count).ToArray().Select(b => b == 1).ToArray();
            return new ImageCacheFile(path, count, channels, size, labels, splits, decoded, pixelOffset);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
