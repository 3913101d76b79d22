using System.IO.Compression;
using System.Text;

namespace Research.Torch.IO.Pth;

/// <summary>
/// The zip archive torch.save writes (PyTorch >= 1.6): one top-level folder (the archive name,
/// whatever it is) holding <c>data.pkl</c>, <c>data/&lt;key&gt;</c> per storage (raw
/// little-endian bytes), <c>version</c> and, from some versions on, <c>byteorder</c>. Entries are
/// read with their sizes checked against what the caller expects, so a lying or damaged entry
/// is a <see cref="PthFormatException"/> naming it, never a short read or an oversized buffer.
/// </summary>
internal sealed class PthArchive : IDisposable
{
    /// <summary>
    /// A state dict's pickle is about 150 bytes a tensor (a checkpoint with its optimizer's state, a few
    /// hundred): kilobytes, at most a few megabytes. The bound keeps a deflated pickle from inflating
    /// to hundreds of megabytes before it is read.
    /// </summary>
    public const long MaxPickleBytes = 16L << 20;

    /// <summary>
    /// Deflate turns at most 258 bytes into one bit and some: no entry inflates to more than 1032 times its
    /// compressed size. An entry whose sizes say otherwise lies about one of them.
    /// </summary>
    public const long MaxDeflateRatio = 1032;

    private readonly FileStream _file;
    private readonly ZipArchive _zip;
    private readonly Dictionary<string, ZipArchiveEntry> _entries;

    private PthArchive(string path, FileStream file, ZipArchive zip, string prefix, Dictionary<string, ZipArchiveEntry> entries) =>
        (Path, _file, _zip, Prefix, _entries) = (path, file, zip, prefix, entries);

    public string Path { get; }

    /// <summary>The top-level folder every entry lies in, e.g. "archive" or the saved file's stem.</summary>
    public string Prefix { get; }

    public string PickleName => $"{Prefix}/data.pkl";

    public static PthArchive Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096, FileOptions.RandomAccess);
        try
        {
            Span<byte> head = stackalloc byte[PthFileKind.SniffBytes];
            int got = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            head = head[..got];
            if (!PthFileKind.LooksLikeZip(head)) throw new PthFormatException(path, PthFileKind.WhyNotZip(head, file.Length));
            file.Position = 0;

            ZipArchive zip;
            try
            {
                zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true, Encoding.UTF8);
            }
            catch (InvalidDataException e)
            {
                throw new PthFormatException(path,
                    $"the file starts like a zip archive but its directory, at the end of the file, is missing or damaged ({e.Message}); was it truncated?", inner: e);
            }
            try
            {
                var (prefix, entries) = Layout(path, zip);
                return new PthArchive(path, file, zip, prefix, entries);
            }
            catch
            {
                zip.Dispose();
                throw;
            }
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static (string Prefix, Dictionary<string, ZipArchiveEntry> Entries) Layout(string path, ZipArchive zip)
    {
        IReadOnlyCollection<ZipArchiveEntry> listed;
        try
        {
            listed = zip.Entries; // the central directory is read here, on first use
        }
        catch (InvalidDataException e)
        {
            throw new PthFormatException(path, $"the zip archive's directory is damaged ({e.Message})", inner: e);
        }
        if (listed.Count == 0) throw new PthFormatException(path, "the zip archive is empty; torch.save writes data.pkl and the tensor data into it");
        var folders = new SortedSet<string>(StringComparer.Ordinal);
        var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        foreach (var entry in listed)
        {
            int slash = entry.FullName.IndexOf('/');
            if (slash <= 0)
                throw new PthFormatException(path, $"the zip entry {PickleValue.Quote(entry.FullName)} is not inside a folder; torch.save puts every entry in one top-level folder");
            folders.Add(entry.FullName[..slash]);
            // Two entries of one name would let two readers see two different files.
            if (!entries.TryAdd(entry.FullName, entry))
                throw new PthFormatException(path, $"the zip archive has two entries named {PickleValue.Quote(entry.FullName)}");
        }
        if (folders.Count != 1)
            throw new PthFormatException(path,
                $"the zip archive has {folders.Count} top-level folders ({string.Join(", ", folders.Take(10).Select(f => PickleValue.Quote(f)))}); torch.save writes exactly one");
        var prefix = folders.Min!;
        if (entries.ContainsKey($"{prefix}/constants.pkl") || entries.Keys.Any(name => name.StartsWith($"{prefix}/code/", StringComparison.Ordinal)))
            throw new PthFormatException(path,
                "the file is a TorchScript archive (torch.jit.save), not a state dict; save the weights with torch.save(model.state_dict(), f)");
        if (!entries.ContainsKey($"{prefix}/data.pkl"))
            throw new PthFormatException(path, $"the zip archive has no {prefix}/data.pkl, so it was not written by torch.save");
        return (prefix, entries);
    }

    /// <summary>Refuses a file whose <c>byteorder</c> entry says big-endian (its storages would read as garbage here).</summary>
    public void CheckByteOrder()
    {
        if (!_entries.TryGetValue($"{Prefix}/byteorder", out var entry)) return; // older files: little-endian
        var text = Encoding.ASCII.GetString(Read(entry, Math.Min(entry.Length, 16), exact: false)).Trim();
        if (text != "little")
            throw new PthFormatException(Path, $"{Prefix}/byteorder says {PickleValue.Quote(text)}; only little-endian ('little') files are read");
    }

    public byte[] ReadPickle()
    {
        var entry = _entries[PickleName];
        CheckDeclaredSizes(entry);
        if (entry.Length > MaxPickleBytes)
            throw new PthFormatException(Path, $"{PickleName} claims {entry.Length} bytes, more than the {MaxPickleBytes} a state dict's pickle could need");
        return Read(entry, entry.Length, exact: true);
    }

    /// <summary>
    /// Refuses an entry whose zip sizes cannot both be true: stored, it holds as many bytes as it takes;
    /// deflated, at most <see cref="MaxDeflateRatio"/> times as many. Checked from the directory alone,
    /// before a byte of it is inflated.
    /// </summary>
    public void CheckDeclaredSizes(ZipArchiveEntry entry)
    {
        long stored = entry.CompressedLength, length = entry.Length;
        if (stored < 0 || length < 0)
            throw new PthFormatException(Path, $"{entry.FullName} has a negative size in the zip directory ({stored} compressed, {length} uncompressed)");
        // The small allowance covers deflate's fixed overhead on tiny entries.
        if (length > stored && length > stored * MaxDeflateRatio + 1024)
            throw new PthFormatException(Path,
                $"{entry.FullName} claims {length} bytes from {stored} compressed bytes, more than deflate can produce ({MaxDeflateRatio}:1); its zip sizes are damaged or forged");
    }

    /// <summary>The storage's entry, <c>data/&lt;key&gt;</c>, or null when the archive has none.</summary>
    public ZipArchiveEntry? Storage(string key) => _entries.GetValueOrDefault(StorageName(key));

    public string StorageName(string key) => $"{Prefix}/data/{key}";

    /// <summary>
    /// Reads the entry, which must decompress to exactly <paramref name="length"/> bytes
    /// (to at least that many when not <paramref name="exact"/>); the zip's own size field is
    /// not trusted for that. Inflation is bounded: it stops one byte past the length.
    /// </summary>
    public byte[] Read(ZipArchiveEntry entry, long length, bool exact)
    {
        if (length > Array.MaxLength)
            throw new PthFormatException(Path, $"{entry.FullName} holds {length} bytes, more than one array can hold (about 2 GiB); this reader cannot load it");
        var bytes = new byte[length];
        try
        {
            using var stream = entry.Open();
            int got = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (got < bytes.Length)
                throw new PthFormatException(Path, $"{entry.FullName} ends after {got} of its {length} bytes; the file is damaged or was cut short");
            if (exact && stream.ReadByte() != -1)
                throw new PthFormatException(Path, $"{entry.FullName} holds more than the {length} bytes its zip header gives; the file is damaged");
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new PthFormatException(Path, $"{entry.FullName} cannot be read: {e.Message}", inner: e);
        }
        // A CRC of 0 is what writers record when they skip it (PyTorch 2's set_crc32_options(False)).
        if (exact && entry.Crc32 != 0 && ZipCrc32.Compute(bytes) is var crc && crc != entry.Crc32)
            throw new PthFormatException(Path, $"{entry.FullName} has the CRC-32 {crc:x8} but its zip header records {entry.Crc32:x8}; the file is damaged");
        return bytes;
    }

    public void Dispose()
    {
        _zip.Dispose();
        _file.Dispose();
    }
}
