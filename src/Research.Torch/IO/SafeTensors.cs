using Research.Core.IO;
using System.Buffers;
using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Research.Torch.IO;

/// <summary>
/// Reads and writes Hugging Face safetensors files: an 8-byte little-endian header
/// length N, N bytes of UTF-8 JSON naming each tensor's dtype, shape and byte range,
/// then the tensors' raw little-endian row-major bytes, back to back.
/// </summary>
public static class SafeTensors
{
    // Tensors larger than this are copied through a buffer of this size, so neither a
    // huge tensor's byte[] (capped at 2 GiB by .NET) nor a second full copy is needed.
    internal const int DefaultChunkBytes = 64 << 20;

    /// <summary>
    /// Writes the tensors (any device, dtype or layout; copied to host in row-major order)
    /// in the order given, durably (<see cref="DurableFile"/>): a crash or an error leaves the
    /// previous file (if any) untouched and no temporary file behind.
    /// </summary>
    /// <exception cref="ArgumentException">a name repeats, is "__metadata__", or a tensor or metadata value is null.</exception>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        Save(path, tensors, metadata, DefaultChunkBytes);

    internal static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata, int chunkBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors stores little-endian data; this machine is big-endian");

        DurableFile.Write(path, file =>
        {
            var entries = Collect(path, tensors);
            var header = BuildHeader(path, entries, metadata);
            Span<byte> prefix = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
            file.Write(prefix);
            file.Write(header);
            foreach (var (_, tensor) in entries) WriteData(file, tensor, chunkBytes);
        });
    }

    /// <summary>
    /// Loads every tensor onto <paramref name="device"/> (CPU by default) after validating
    /// the whole header; a malformed file throws <see cref="SafeTensorsFormatException"/>
    /// naming the file, the tensor when there is one, and what was wrong. <paramref name="check"/>, when
    /// given, sees every tensor's name, dtype and shape before any data is read, and throws to refuse them.
    /// </summary>
    public static SafeTensorsFile Load(string path, Device? device = null, Action<IReadOnlyList<WeightEntry>>? check = null) =>
        Load(path, device, DefaultChunkBytes, check);

    internal static SafeTensorsFile Load(string path, Device? device, int chunkBytes, Action<IReadOnlyList<WeightEntry>>? check = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors stores little-endian data; this machine is big-endian");

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.RandomAccess);
        var header = SafeTensorsHeader.Read(file, path);
        check?.Invoke(header.Tensors.Select(t => new WeightEntry(t.Name, t.DType, t.Shape)).ToList());
        var tensors = new Tensor[header.Tensors.Count];
        try
        {
            // File order, so the reads are sequential; the result keeps header order.
            foreach (var i in Enumerable.Range(0, tensors.Length).OrderBy(i => header.Tensors[i].Begin))
                tensors[i] = ReadTensor(file, header, header.Tensors[i], device ?? Device.CPU, chunkBytes);
        }
        catch
        {
            foreach (var t in tensors) t?.Dispose();
            throw;
        }
        return new SafeTensorsFile(header, tensors);
    }

    /// <summary>Reads and validates only the header: names, dtypes, shapes, offsets and metadata, no tensor data.</summary>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.RandomAccess);
        return SafeTensorsHeader.Read(file, path);
    }

    private static List<(string Name, Tensor Tensor)> Collect(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        var entries = new List<(string, Tensor)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (name is null) throw new ArgumentException($"{path}: a tensor has a null name", nameof(tensors));
            if (name == SafeTensorsHeader.MetadataKey)
                throw new ArgumentException($"{path}: '{name}' is reserved for the metadata and cannot name a tensor", nameof(tensors));
            if (!names.Add(name)) throw new ArgumentException($"{path}: the tensor name '{name}' appears twice", nameof(tensors));
            if (tensor is null) throw new ArgumentException($"{path}: tensor '{name}' is null", nameof(tensors));
            if (tensor.IsDisposed) throw new ObjectDisposedException($"tensor '{name}'", $"{path}: tensor '{name}' was disposed before it could be saved");
            entries.Add((name, tensor));
        }
        return entries;
    }

    private static byte[] BuildHeader(string path, List<(string Name, Tensor Tensor)> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();
        // Relaxed escaping keeps non-ASCII names readable; the output is still plain JSON.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(SafeTensorsHeader.MetadataKey);
                foreach (var (key, value) in metadata)
                {
                    if (value is null) throw new ArgumentException($"{path}: metadata '{key}' is null; values must be strings", nameof(metadata));
                    json.WriteString(key, value);
                }
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in entries)
            {
                var shape = tensor.shape;
                var dtype = tensor.dtype;
                if (!Enum.IsDefined(dtype))
                    throw new ArgumentException($"{path}: tensor '{name}' has dtype {(int)dtype}, which safetensors cannot store", "tensors");
                long bytes = tensor.numel() * dtype.ElementSize();
                json.WriteStartObject(name);
                json.WriteString("dtype", SafeTensorsDType.Code(dtype));
                json.WriteStartArray("shape");
                foreach (var s in shape) json.WriteNumberValue(s);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        // Space padding puts the data section at a multiple of 8 (8 + N with N % 8 == 0),
        // as the reference writer does, so readers can map the tensors aligned.
        int padded = (buffer.WrittenCount + 7) / 8 * 8;
        var header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static void WriteData(Stream file, Tensor tensor, int chunkBytes)
    {
        int elementSize = tensor.dtype.ElementSize();
        long count = tensor.numel();
        if (count * elementSize <= chunkBytes)
        {
            file.Write(tensor.ToBytes());
            return;
        }
        long perChunk = Math.Max(1, chunkBytes / elementSize);
        using var flat = tensor.reshape(-1);
        for (long start = 0; start < count; start += perChunk)
        {
            using var part = flat.narrow(0, start, Math.Min(perChunk, count - start));
            file.Write(part.ToBytes());
        }
    }

    private static Tensor ReadTensor(FileStream file, SafeTensorsHeader header, SafeTensorInfo info, Device device, int chunkBytes)
    {
        long offset = header.DataStart + info.Begin;
        if (info.ByteLength <= chunkBytes)
        {
            var bytes = new byte[info.ByteLength];
            ReadAt(file, bytes, offset, header.Path);
            CheckBooleans(bytes, info, 0, header.Path);
            return torch.from_bytes(bytes, info.Shape, info.DType, device);
        }

        // Large: fill a flat CPU tensor chunk by chunk, then shape it and move it.
        int elementSize = info.DType.ElementSize();
        long count = info.ElementCount;
        long perChunk = Math.Max(1, chunkBytes / elementSize);
        var buffer = new byte[perChunk * elementSize];
        var flat = torch.empty([count], info.DType);
        try
        {
            for (long start = 0; start < count; start += perChunk)
            {
                long n = Math.Min(perChunk, count - start);
                var span = buffer.AsSpan(0, checked((int)(n * elementSize)));
                ReadAt(file, span, offset + start * elementSize, header.Path);
                CheckBooleans(span, info, start, header.Path);
                using var src = torch.from_bytes(span, [n], info.DType);
                using var dst = flat.narrow(0, start, n);
                dst.copy_(src);
            }
            var shaped = flat.view(info.Shape);
            if (device.Type == DeviceType.CPU) return shaped;
            using (shaped) return shaped.to(device);
        }
        finally
        {
            flat.Dispose();
        }
    }

    private static void ReadAt(FileStream file, Span<byte> buffer, long offset, string path)
    {
        while (!buffer.IsEmpty)
        {
            int n = RandomAccess.Read(file.SafeFileHandle, buffer, offset);
            if (n == 0) throw new SafeTensorsFormatException(path, $"the file ended at byte {offset} while reading tensor data (was it truncated while being read?)");
            buffer = buffer[n..];
            offset += n;
        }
    }

    // libtorch assumes a bool byte is 0 or 1; anything else would make comparisons misbehave.
    private static void CheckBooleans(ReadOnlySpan<byte> bytes, SafeTensorInfo info, long firstElement, string path)
    {
        if (info.DType != ScalarType.Bool) return;
        int bad = bytes.IndexOfAnyExcept((byte)0, (byte)1);
        if (bad >= 0)
            throw new SafeTensorsFormatException(path,
                $"tensor '{info.Name}' (BOOL) has the byte {bytes[bad]} at element {firstElement + bad}; booleans must be 0 or 1");
    }
}
