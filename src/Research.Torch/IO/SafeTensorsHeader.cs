using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Unicode;

namespace Research.Torch.IO;

/// <summary>
/// A validated safetensors header: the tensors' names, dtypes, shapes and byte ranges,
/// and the file's string metadata. Reading it loads no tensor data.
/// </summary>
public sealed class SafeTensorsHeader
{
    /// <summary>The reference reader's cap, which keeps a corrupt length from allocating gigabytes.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    internal const string MetadataKey = "__metadata__";

    private readonly Dictionary<string, SafeTensorInfo> _byName;

    private SafeTensorsHeader(string path, List<SafeTensorInfo> tensors, Dictionary<string, string> metadata, long dataStart, long dataLength)
    {
        Path = path;
        Tensors = tensors;
        Metadata = metadata;
        DataStart = dataStart;
        DataLength = dataLength;
        _byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    public string Path { get; }

    /// <summary>The tensors in the order the header lists them.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }

    /// <summary>The "__metadata__" entries; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The file offset of the data section (8 + header length).</summary>
    public long DataStart { get; }

    /// <summary>The data section's length in bytes (the rest of the file).</summary>
    public long DataLength { get; }

    public SafeTensorInfo this[string name] =>
        _byName.TryGetValue(name, out var info) ? info : throw new KeyNotFoundException($"{Path} has no tensor '{name}'");

    public bool TryGetTensor(string name, out SafeTensorInfo info) => _byName.TryGetValue(name, out info!);

    /// <summary>Reads and validates the header at the start of <paramref name="file"/>.</summary>
    internal static SafeTensorsHeader Read(FileStream file, string path)
    {
        long fileLength = file.Length;
        if (fileLength < 8)
            throw new SafeTensorsFormatException(path, $"the file has {fileLength} bytes, too short for the 8-byte header length");
        Span<byte> prefix = stackalloc byte[8];
        file.Position = 0;
        file.ReadExactly(prefix);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (n > (ulong)(fileLength - 8))
            throw new SafeTensorsFormatException(path, $"the header length is {n} bytes but only {fileLength - 8} bytes follow the 8-byte length");
        if (n > MaxHeaderBytes)
            throw new SafeTensorsFormatException(path, $"the header length is {n} bytes, more than the {MaxHeaderBytes} the format allows");
        var json = new byte[n];
        file.ReadExactly(json);
        long dataStart = 8 + (long)n;
        return Parse(json, dataStart, fileLength - dataStart, path);
    }

    internal static SafeTensorsHeader Parse(byte[] json, long dataStart, long dataLength, string path)
    {
        // JsonDocument checks UTF-8 only when a string is read, and then throws InvalidOperationException.
        if (!Utf8.IsValid(json))
            throw new SafeTensorsFormatException(path, "the header is not valid UTF-8");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new SafeTensorsFormatException(path, $"the header is not valid JSON: {e.Message}");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new SafeTensorsFormatException(path, $"the header must be a JSON object but is {Kind(root)}");
            var tensors = new List<SafeTensorInfo>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in root.EnumerateObject())
            {
                // JsonDocument keeps duplicate keys; the format's readers would silently take one of them.
                if (!seen.Add(entry.Name))
                    throw new SafeTensorsFormatException(path, $"the header has the key '{entry.Name}' twice");
                if (entry.Name == MetadataKey) ReadMetadata(entry.Value, metadata, path);
                else tensors.Add(ReadTensor(entry.Name, entry.Value, path));
            }
            CheckLayout(tensors, dataLength, path);
            return new SafeTensorsHeader(path, tensors, metadata, dataStart, dataLength);
        }
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafeTensorsFormatException(path, $"\"{MetadataKey}\" must be an object of strings but is {Kind(value)}");
        foreach (var kv in value.EnumerateObject())
        {
            if (kv.Value.ValueKind != JsonValueKind.String)
                throw new SafeTensorsFormatException(path, $"metadata '{kv.Name}' must be a string but is {Kind(kv.Value)}");
            if (!metadata.TryAdd(kv.Name, kv.Value.GetString()!))
                throw new SafeTensorsFormatException(path, $"the metadata has the key '{kv.Name}' twice");
        }
    }

    private static SafeTensorInfo ReadTensor(string name, JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafeTensorsFormatException(path, $"tensor '{name}' must be an object with dtype, shape and data_offsets but is {Kind(value)}");

        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new SafeTensorsFormatException(path, $"tensor '{name}' has no string \"dtype\"");
        var code = dtypeElement.GetString()!;
        if (!SafeTensorsDType.TryParse(code, out var dtype))
            throw new SafeTensorsFormatException(path,
                $"tensor '{name}' has dtype '{code}', which is not one of {string.Join(", ", SafeTensorsDType.SupportedCodes)}");

        var shape = ReadIntegers(value, "shape", name, path, expectedCount: null);
        var offsets = ReadIntegers(value, "data_offsets", name, path, expectedCount: 2);
        var info = new SafeTensorInfo(name, dtype, shape, offsets[0], offsets[1]);
        try
        {
            checked
            {
                long bytes = dtype.ElementSize();
                foreach (var s in shape) bytes *= s;
            }
        }
        catch (OverflowException)
        {
            throw new SafeTensorsFormatException(path, $"tensor '{name}' has shape [{string.Join(", ", shape)}], whose byte size overflows");
        }
        return info;
    }

    private static long[] ReadIntegers(JsonElement tensor, string property, string name, string path, int? expectedCount)
    {
        string expected = expectedCount is { } c ? $"an array of {c} non-negative integers" : "an array of non-negative integers";
        if (!tensor.TryGetProperty(property, out var array) || array.ValueKind != JsonValueKind.Array)
            throw new SafeTensorsFormatException(path, $"tensor '{name}' has no \"{property}\" ({expected})");
        var result = new long[array.GetArrayLength()];
        if (expectedCount is { } count && result.Length != count)
            throw new SafeTensorsFormatException(path, $"tensor '{name}': \"{property}\" has {result.Length} entries; expected {expected}");
        int i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var v) || v < 0)
                throw new SafeTensorsFormatException(path, $"tensor '{name}': \"{property}\" is {item.GetRawText()} at index {i}; expected {expected}");
            result[i++] = v;
        }
        return result;
    }

    /// <summary>
    /// The reference reader's rule: taken in offset order, each tensor starts where the
    /// previous one ended, spans exactly shape × element size, and the last one ends the file.
    /// </summary>
    private static void CheckLayout(List<SafeTensorInfo> tensors, long dataLength, string path)
    {
        foreach (var t in tensors)
        {
            string range = $"data_offsets [{t.Begin}, {t.End}]";
            if (t.End < t.Begin)
                throw new SafeTensorsFormatException(path, $"tensor '{t.Name}' has {range}, which end before they begin");
            if (t.End > dataLength)
                throw new SafeTensorsFormatException(path, $"tensor '{t.Name}' has {range}, beyond the data section's {dataLength} bytes");
            long needed = t.ElementCount * t.DType.ElementSize();
            if (t.ByteLength != needed)
                throw new SafeTensorsFormatException(path,
                    $"tensor '{t.Name}' of shape [{string.Join(", ", t.Shape)}] and dtype {SafeTensorsDType.Code(t.DType)} needs {needed} bytes but its {range} span {t.ByteLength}");
        }

        long end = 0;
        SafeTensorInfo? previous = null;
        foreach (var t in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            if (t.Begin < end)
                throw new SafeTensorsFormatException(path,
                    $"tensor '{t.Name}' has data_offsets [{t.Begin}, {t.End}], which overlap tensor '{previous!.Name}' at [{previous.Begin}, {previous.End}]");
            if (t.Begin > end)
                throw new SafeTensorsFormatException(path,
                    $"tensor '{t.Name}' starts at data offset {t.Begin} but the previous data ends at {end}: the format allows no gaps");
            end = t.End;
            previous = t;
        }
        if (end != dataLength)
            throw new SafeTensorsFormatException(path,
                $"{dataLength - end} trailing bytes follow the last tensor's data (the tensors use {end} of the data section's {dataLength} bytes)");
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => e.ValueKind.ToString(),
    };
}
