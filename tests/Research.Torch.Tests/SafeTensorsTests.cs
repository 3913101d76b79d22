using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Research.Torch.IO;

namespace Research.Torch.Tests;

public sealed class SafeTensorsTests : IDisposable
{
    private static readonly ScalarType[] AllDTypes = Enum.GetValues<ScalarType>();

    private readonly string _dir = Directory.CreateTempSubdirectory("research-torch-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    // ---- round trips ----

    [Fact]
    public void RoundTripsEveryDtypeBitForBit()
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var dtype in AllDTypes)
        {
            tensors.Add(new($"{dtype}/matrix", Random(dtype, [3, 4])));
            tensors.Add(new($"{dtype}/cube", Random(dtype, [2, 1, 5])));
            // Non-contiguous: must be written in row-major order of the transposed view.
            using (var square = Random(dtype, [4, 3])) tensors.Add(new($"{dtype}/transposed", square.t()));
        }
        try
        {
            var path = PathOf("all.safetensors");
            SafeTensors.Save(path, tensors);
            using var loaded = SafeTensors.Load(path);
            Assert.Equal(tensors.Select(kv => kv.Key), loaded.Keys);
            foreach (var (name, expected) in tensors) AssertSame(expected, loaded[name], name);
        }
        finally
        {
            foreach (var kv in tensors) kv.Value.Dispose();
        }
    }

    [Fact]
    public void RoundTripsThroughChunkedCopies()
    {
        // A tiny chunk size drives the large-tensor paths (flatten + narrow on write,
        // fill-by-chunk on read) with small tensors, including a last partial chunk.
        using var cube = Random(ScalarType.Float32, [5, 4, 5]);
        using var permuted = cube.permute(2, 0, 1);
        using var doubles = Random(ScalarType.Float64, [37]);
        using var mask = Random(ScalarType.Bool, [3, 17]);
        var path = PathOf("chunked.safetensors");
        SafeTensors.Save(path, [new("permuted", permuted), new("doubles", doubles), new("mask", mask)], null, chunkBytes: 24);
        using var loaded = SafeTensors.Load(path, Device.CPU, chunkBytes: 24);
        AssertSame(permuted, loaded["permuted"], "permuted");
        AssertSame(doubles, loaded["doubles"], "doubles");
        AssertSame(mask, loaded["mask"], "mask");
    }

    [Fact]
    public void MetadataAndHeaderRoundTrip()
    {
        using var w = torch.randn(2, 3);
        using var b = torch.tensor(new long[] { 1, 2, 3, 4, 5 });
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "héllo ✓ \"quoted\"", ["empty"] = "" };
        var path = PathOf("meta.safetensors");
        SafeTensors.Save(path, [new("layer.weight", w), new("layer.bias", b)], metadata);

        var header = SafeTensors.ReadHeader(path);
        Assert.Equal(metadata, header.Metadata);
        Assert.Equal(0, header.DataStart % 8);
        Assert.Equal(new FileInfo(path).Length, header.DataStart + header.DataLength);
        Assert.Equal(
            new[] { new SafeTensorInfo("layer.weight", ScalarType.Float32, [2, 3], 0, 24), new SafeTensorInfo("layer.bias", ScalarType.Int64, [5], 24, 64) },
            header.Tensors,
            (x, y) => x.Name == y.Name && x.DType == y.DType && x.Shape.SequenceEqual(y.Shape) && x.Begin == y.Begin && x.End == y.End);

        using var loaded = SafeTensors.Load(path);
        Assert.Equal(metadata, loaded.Metadata);
        AssertSame(w, loaded["layer.weight"], "layer.weight");
        AssertSame(b, loaded["layer.bias"], "layer.bias");
    }

    [Fact]
    public void ZeroDimAndEmptyTensorsRoundTrip()
    {
        using var scalar = torch.scalar_tensor(3.5, ScalarType.Float64);
        using var flag = torch.scalar_tensor(1, ScalarType.Bool);
        using var empty = torch.zeros([0], ScalarType.Float32);
        using var emptyMiddle = torch.zeros([2, 0, 3], ScalarType.Int16);
        var path = PathOf("edge.safetensors");
        SafeTensors.Save(path, [new("scalar", scalar), new("empty", empty), new("flag", flag), new("emptyMiddle", emptyMiddle)]);

        using var loaded = SafeTensors.Load(path);
        Assert.Empty(loaded["scalar"].shape);
        Assert.Equal(3.5, loaded["scalar"].item<double>());
        Assert.True(loaded["flag"].item<bool>());
        Assert.Equal([0L], loaded["empty"].shape);
        Assert.Equal([2L, 0, 3], loaded["emptyMiddle"].shape);
        Assert.Equal(ScalarType.Int16, loaded["emptyMiddle"].dtype);
        Assert.Equal(new[] { new SafeTensorInfo("empty", ScalarType.Float32, [0], 8, 8) },
            loaded.Header.Tensors.Where(t => t.Name == "empty"),
            (x, y) => x.Begin == y.Begin && x.End == y.End);
    }

    [Fact]
    public void FileWithoutTensorsRoundTrips()
    {
        var path = PathOf("none.safetensors");
        SafeTensors.Save(path, []);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(16, bytes.Length); // 8-byte length + "{}" padded to 8
        Assert.Equal("{}      ", Encoding.UTF8.GetString(bytes, 8, 8));
        using var loaded = SafeTensors.Load(path);
        Assert.Empty(loaded);
        Assert.Empty(loaded.Metadata);
    }

    [Fact]
    public void MissingTensorNamesFileAndTensor()
    {
        using var a = torch.ones(1);
        var path = PathOf("one.safetensors");
        SafeTensors.Save(path, [new("a", a)]);
        using var loaded = SafeTensors.Load(path);
        var e = Assert.Throws<KeyNotFoundException>(() => loaded["b"]);
        Assert.Contains(path, e.Message);
        Assert.Contains("'b'", e.Message);
    }

    // ---- interoperability with an independent implementation ----

    [PythonNumpyFact]
    public void PythonNumpyReadsOurFile()
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var dtype in AllDTypes) tensors.Add(new(SafeTensorsDType.Code(dtype), Random(dtype, [2, 3])));
        tensors.Add(new("zero_dim", torch.scalar_tensor(-1.25)));
        tensors.Add(new("empty", torch.zeros([0, 3], ScalarType.Int32)));
        tensors.Add(new("special", torch.tensor(new[] { -0.0f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, float.MaxValue })));
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "héllo ✓" };
        try
        {
            var path = PathOf("for-python.safetensors");
            SafeTensors.Save(path, tensors, metadata);
            var script = PathOf("read.py");
            File.WriteAllText(script, ReadScript);
            using var doc = JsonDocument.Parse(PythonNumpy.Run(script, path));
            var root = doc.RootElement;

            Assert.Equal(0, root.GetProperty("data_start").GetInt64() % 8);
            Assert.Equal(metadata, root.GetProperty("metadata").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!));
            var read = root.GetProperty("tensors");
            Assert.Equal(tensors.Count, read.EnumerateObject().Count());
            foreach (var (name, t) in tensors)
            {
                var r = read.GetProperty(name);
                Assert.Equal(SafeTensorsDType.Code(t.dtype), r.GetProperty("dtype").GetString());
                Assert.Equal(t.shape, r.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
                var values = r.GetProperty("values").EnumerateArray();
                if (t.dtype.IsFloatingPoint()) // Python sends the float64 bit patterns: exact, no text rounding
                    Assert.Equal(t.ToArray<double>().Select(BitConverter.DoubleToInt64Bits), values.Select(e => e.GetInt64()));
                else if (t.dtype == ScalarType.Bool)
                    Assert.Equal(t.ToArray<bool>(), values.Select(e => e.GetBoolean()));
                else
                    Assert.Equal(t.ToArray<long>(), values.Select(e => e.GetInt64()));
            }
        }
        finally
        {
            foreach (var kv in tensors) kv.Value.Dispose();
        }
    }

    [PythonNumpyFact]
    public void LoadsFileWrittenByPythonNumpy()
    {
        var script = PathOf("write.py");
        File.WriteAllText(script, WriteScript);
        var path = PathOf("from-python.safetensors");
        PythonNumpy.Run(script, path);

        using var f = SafeTensors.Load(path);
        // The script writes the header with sorted keys but the data in its own order.
        Assert.Equal(new[] { "bf16", "bias", "empty", "half", "i16", "i32", "i8", "ids", "mask", "u8", "weight" }, f.Keys);
        Assert.Equal(new Dictionary<string, string> { ["source"] = "numpy" }, f.Metadata);
        Assert.Equal([2L, 3], f["weight"].shape);
        Assert.Equal(new float[] { -1, -0.5f, 0, 0.5f, 1, 1.5f }, f["weight"].ToArray<float>());
        Assert.Equal(new[] { 1.5, -2.25 }, f["bias"].ToArray<double>());
        Assert.Equal(ScalarType.Float16, f["half"].dtype);
        Assert.Equal(new float[] { 0.5f, -1, 65504 }, f["half"].ToArray<float>());
        Assert.Equal(ScalarType.BFloat16, f["bf16"].dtype);
        Assert.Equal(new float[] { 1, -2.5f, 0.15625f }, f["bf16"].ToArray<float>());
        Assert.Equal([2L, 2], f["ids"].shape);
        Assert.Equal(new long[] { 1, -2, 3, 1L << 40 }, f["ids"].ToArray<long>());
        Assert.Empty(f["i32"].shape);
        Assert.Equal(7, f["i32"].item<int>());
        Assert.Equal(new short[] { -32768, 5 }, f["i16"].ToArray<short>());
        Assert.Equal(new sbyte[] { -128, 127 }, f["i8"].ToArray<sbyte>());
        Assert.Equal(new byte[] { 0, 255 }, f["u8"].ToArray<byte>());
        Assert.Equal(new[] { true, false, true }, f["mask"].ToArray<bool>());
        Assert.Equal([0L, 4], f["empty"].shape);
    }

    [Fact]
    public void LoadsHandBuiltReferenceLayout()
    {
        // As another writer may lay it out: no padding, header order unlike data order,
        // metadata last, extra whitespace.
        var header = """{ "b": {"dtype": "I32", "shape": [2], "data_offsets": [8, 16]}, "a": {"dtype": "F64", "shape": [], "data_offsets": [0, 8]}, "__metadata__": {"format": "np"} }""";
        var data = new byte[16];
        BinaryPrimitives.WriteDoubleLittleEndian(data, 2.5);
        BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(8), 1);
        BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(12), -1);
        var path = PathOf("hand.safetensors");
        File.WriteAllBytes(path, Build(header, data));

        using var f = SafeTensors.Load(path);
        Assert.Equal(new[] { "b", "a" }, f.Keys);
        Assert.Equal("np", f.Metadata["format"]);
        Assert.Equal(2.5, f["a"].item<double>());
        Assert.Equal(new[] { 1, -1 }, f["b"].ToArray<int>());
    }

    // ---- validation of bad files ----

    public static TheoryData<string, byte[], string, bool> BadFiles()
    {
        const string w4 = "\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}";
        return new()
        {
            // case, file bytes, expected message fragment, detected from the header alone
            { "shorter than 8 bytes", [1, 2, 3, 4, 5], "5 bytes, too short", true },
            { "header length beyond the file", Prefix(1000, "{}"), "header length is 1000 bytes but only 2", true },
            { "invalid JSON", Build("{\"w\": ", []), "not valid JSON", true },
            { "invalid UTF-8", Build([(byte)'{', (byte)'"', 0xFF, (byte)'"', (byte)':', (byte)'1', (byte)'}'], []), "not valid UTF-8", true },
            { "empty header", Prefix(0, ""), "not valid JSON", true },
            { "not an object", Build("[1, 2]", []), "must be a JSON object but is an array", true },
            { "unknown dtype", Build("{\"w\": {\"dtype\": \"F7\", \"shape\": [1], \"data_offsets\": [0, 4]}}", new byte[4]), "tensor 'w' has dtype 'F7'", true },
            { "dtype libtorch lacks", Build("{\"w\": {\"dtype\": \"U16\", \"shape\": [2], \"data_offsets\": [0, 4]}}", new byte[4]), "tensor 'w' has dtype 'U16'", true },
            { "no dtype", Build("{\"w\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", new byte[4]), "tensor 'w' has no string \"dtype\"", true },
            { "tensor not an object", Build("{\"w\": [1]}", []), "tensor 'w' must be an object", true },
            { "negative dimension", Build("{\"w\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", new byte[4]), "tensor 'w': \"shape\" is -1", true },
            { "three offsets", Build("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4, 8]}}", new byte[4]), "tensor 'w': \"data_offsets\" has 3 entries", true },
            { "reversed offsets", Build("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 0]}}", new byte[4]), "tensor 'w' has data_offsets [4, 0], which end before", true },
            { "offsets beyond the data", Build("{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", new byte[4]), "tensor 'w' has data_offsets [0, 8], beyond the data section's 4 bytes", true },
            { "size unlike shape", Build("{\"w\": {\"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [0, 20]}}", new byte[20]), "tensor 'w' of shape [2, 3] and dtype F32 needs 24 bytes but its data_offsets [0, 20] span 20", true },
            { "overlap", Build("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, \"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", new byte[12]), "tensor 'w' has data_offsets [4, 12], which overlap tensor 'a'", true },
            { "gap", Build("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}, \"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [8, 12]}}", new byte[12]), "tensor 'w' starts at data offset 8 but the previous data ends at 4", true },
            { "trailing bytes", Build("{" + w4 + "}", new byte[7]), "3 trailing bytes", true },
            { "duplicate tensor", Build("{" + w4 + ", " + w4 + "}", new byte[4]), "the key 'w' twice", true },
            { "metadata value not a string", Build("{\"__metadata__\": {\"epoch\": 3}}", []), "metadata 'epoch' must be a string but is a number", true },
            { "metadata not an object", Build("{\"__metadata__\": \"x\"}", []), "\"__metadata__\" must be an object", true },
            { "bool byte other than 0 or 1", Build("{\"w\": {\"dtype\": \"BOOL\", \"shape\": [3], \"data_offsets\": [0, 3]}}", [1, 0, 2]), "tensor 'w' (BOOL) has the byte 2 at element 2", false },
        };
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void RejectsBadFile(string problem, byte[] file, string fragment, bool headerLevel)
    {
        var path = PathOf(problem.Replace(' ', '-') + ".safetensors");
        File.WriteAllBytes(path, file);
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Equal(path, e.Path);
        Assert.Contains(fragment, e.Message);
        if (headerLevel) Assert.Contains(fragment, Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.ReadHeader(path)).Message);
        else SafeTensors.ReadHeader(path); // data problems need the data
    }

    // ---- saving: argument checks and atomicity ----

    [Fact]
    public void DuplicateNameIsRejectedAndNothingIsWritten()
    {
        using var a = torch.ones(2);
        using var b = torch.zeros(2);
        var path = PathOf("dup.safetensors");
        var e = Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, [new("x", a), new("y", b), new("x", b)]));
        Assert.Contains("'x' appears twice", e.Message);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void MetadataKeyCannotNameATensor()
    {
        using var a = torch.ones(2);
        var e = Assert.Throws<ArgumentException>(() => SafeTensors.Save(PathOf("m.safetensors"), [new("__metadata__", a)]));
        Assert.Contains("reserved", e.Message);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void FailedSaveLeavesPreviousFileIntact()
    {
        var path = PathOf("model.safetensors");
        using var a = torch.tensor(new float[] { 1, 2, 3 });
        SafeTensors.Save(path, [new("a", a)], new Dictionary<string, string> { ["epoch"] = "1" });
        var before = File.ReadAllBytes(path);

        using var b = torch.randn(64, 64);
        var dead = torch.ones(2);
        dead.Dispose();
        var e = Assert.Throws<ObjectDisposedException>(() => SafeTensors.Save(path, [new("b", b), new("dead", dead)]));
        Assert.Contains("'dead'", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".tmp"));

        // A producer that fails part-way through the enumeration.
        Assert.Throws<InvalidOperationException>(() => SafeTensors.Save(path, ThenFail(b)));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".tmp"));

        using var loaded = SafeTensors.Load(path);
        Assert.Equal(new float[] { 1, 2, 3 }, loaded["a"].ToArray<float>());
        Assert.Equal("1", loaded.Metadata["epoch"]);
    }

    [Fact]
    public void SaveReplacesFileAndStaleTemporary()
    {
        var path = PathOf("ckpt.safetensors");
        File.WriteAllText(path, "old");
        File.WriteAllText(path + ".tmp", "left by a crash");
        using var a = torch.arange(5);
        SafeTensors.Save(path, [new("a", a)]);
        Assert.False(File.Exists(path + ".tmp"));
        using var loaded = SafeTensors.Load(path);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, loaded["a"].ToArray<long>());
    }

    private static IEnumerable<KeyValuePair<string, Tensor>> ThenFail(Tensor t)
    {
        yield return new("b", t);
        throw new InvalidOperationException("the producer failed");
    }

    // ---- helpers ----

    private static Tensor Random(ScalarType dtype, long[] shape)
    {
        switch (dtype)
        {
            case ScalarType.Float32 or ScalarType.Float64:
                return torch.randn(shape, dtype);
            case ScalarType.Float16 or ScalarType.BFloat16:
                using (var f = torch.randn(shape)) return f.to(dtype);
            case ScalarType.Bool:
                using (var i = torch.randint(0, 2, shape)) return i.to(ScalarType.Bool);
            default:
                var (low, high) = dtype switch
                {
                    ScalarType.Byte => (0L, 256L),
                    ScalarType.Int8 => ((long)sbyte.MinValue, sbyte.MaxValue + 1L),
                    ScalarType.Int16 => ((long)short.MinValue, short.MaxValue + 1L),
                    ScalarType.Int32 => ((long)int.MinValue, int.MaxValue + 1L),
                    _ => (-(1L << 62), 1L << 62),
                };
                return torch.randint(low, high, shape, dtype);
        }
    }

    private static void AssertSame(Tensor expected, Tensor actual, string name)
    {
        Assert.True(expected.dtype == actual.dtype, $"{name}: dtype {actual.dtype}, expected {expected.dtype}");
        Assert.True(expected.shape.SequenceEqual(actual.shape), $"{name}: shape [{string.Join(", ", actual.shape)}], expected [{string.Join(", ", expected.shape)}]");
        Assert.True(expected.ToBytes().AsSpan().SequenceEqual(actual.ToBytes()), $"{name}: bytes differ");
    }

    private static byte[] Build(string header, byte[] data) => Build(Encoding.UTF8.GetBytes(header), data);

    private static byte[] Build(byte[] header, byte[] data)
    {
        var file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    /// <summary>A length prefix that need not match what follows.</summary>
    private static byte[] Prefix(ulong length, string rest)
    {
        var text = Encoding.UTF8.GetBytes(rest);
        var file = new byte[8 + text.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, length);
        text.CopyTo(file, 8);
        return file;
    }

    // Reads with json + struct + numpy only; floats go back as float64 bit patterns.
    private const string ReadScript = """
        import json, struct, sys
        import numpy as np

        path = sys.argv[1]
        with open(path, "rb") as f:
            raw = f.read()
        (n,) = struct.unpack("<Q", raw[:8])
        header = json.loads(raw[8:8 + n].decode("utf-8"))
        data = raw[8 + n:]
        codes = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "BF16": "<u2", "I64": "<i8", "I32": "<i4",
                 "I16": "<i2", "I8": "i1", "U8": "u1", "BOOL": "?"}
        out = {"data_start": 8 + n, "metadata": header.pop("__metadata__", {}), "tensors": {}}
        for name, info in header.items():
            begin, end = info["data_offsets"]
            a = np.frombuffer(data[begin:end], dtype=codes[info["dtype"]]).reshape(info["shape"])
            if info["dtype"] == "BF16":  # numpy has no bfloat16: it is the top half of a float32
                a = (a.astype(np.uint32) << 16).view(np.float32)
            flat = a.reshape(-1)
            if a.dtype.kind == "f":
                values = flat.astype(np.float64).view(np.int64).tolist()
            elif a.dtype.kind == "b":
                values = flat.tolist()
            else:
                values = flat.astype(np.int64).tolist()
            out["tensors"][name] = {"dtype": info["dtype"], "shape": list(a.shape), "values": values}
        print(json.dumps(out))
        """;

    // Writes as the reference writer lays files out, but with the header keys sorted, so
    // header order differs from data order.
    private const string WriteScript = """
        import json, struct, sys
        import numpy as np

        path = sys.argv[1]
        bf16 = (np.array([1.0, -2.5, 0.15625], dtype="<f4").view("<u4") >> 16).astype("<u2")
        tensors = [
            ("weight", "F32", np.arange(6, dtype="<f4").reshape(2, 3) * np.float32(0.5) - np.float32(1)),
            ("bias", "F64", np.array([1.5, -2.25], dtype="<f8")),
            ("half", "F16", np.array([0.5, -1.0, 65504.0], dtype="<f2")),
            ("bf16", "BF16", bf16),
            ("ids", "I64", np.array([[1, -2], [3, 2**40]], dtype="<i8")),
            ("i32", "I32", np.array(7, dtype="<i4")),
            ("i16", "I16", np.array([-32768, 5], dtype="<i2")),
            ("i8", "I8", np.array([-128, 127], dtype="i1")),
            ("u8", "U8", np.array([0, 255], dtype="u1")),
            ("mask", "BOOL", np.array([True, False, True])),
            ("empty", "F32", np.zeros((0, 4), dtype="<f4")),
        ]
        header = {"__metadata__": {"source": "numpy"}}
        offset = 0
        for name, code, a in tensors:
            header[name] = {"dtype": code, "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
            offset += a.nbytes
        text = json.dumps(header, sort_keys=True).encode("utf-8")
        text += b" " * (-len(text) % 8)
        with open(path, "wb") as f:
            f.write(struct.pack("<Q", len(text)))
            f.write(text)
            for _, _, a in tensors:
                f.write(np.ascontiguousarray(a).tobytes())
        """;
}
