using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Research.Torch.IO.Pth;

namespace Research.Torch.Tests;

/// <summary>
/// Writes pickles opcode by opcode, to craft the malformed and hostile state dicts the
/// reader must refuse (and a few valid ones) without needing Python.
/// </summary>
internal sealed class PickleBytes
{
    private readonly List<byte> _bytes = [];

    /// <summary>Where the next opcode will be: the offset a refusal of it must name.</summary>
    public int Offset => _bytes.Count;

    public PickleBytes Op(PickleOpcode opcode)
    {
        _bytes.Add((byte)opcode);
        return this;
    }

    public PickleBytes Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public PickleBytes Proto(byte version = 2) => Op(PickleOpcode.Proto).Raw(version);

    public PickleBytes Global(string module, string name) =>
        Op(PickleOpcode.Global).Raw(Encoding.UTF8.GetBytes($"{module}\n{name}\n"));

    public PickleBytes Text(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        var length = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, utf8.Length);
        return Op(PickleOpcode.BinUnicode).Raw(length).Raw(utf8);
    }

    /// <summary>An int as Python's pickler writes it: BININT1, BININT2, BININT or LONG1.</summary>
    public PickleBytes Int(long value)
    {
        if (value is >= 0 and < 256) return Op(PickleOpcode.BinInt1).Raw((byte)value);
        if (value is >= 0 and < 65536) return Op(PickleOpcode.BinInt2).Raw((byte)value, (byte)(value >> 8));
        if (value is >= int.MinValue and <= int.MaxValue)
        {
            var four = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(four, (int)value);
            return Op(PickleOpcode.BinInt).Raw(four);
        }
        var eight = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(eight, value);
        return Op(PickleOpcode.Long1).Raw(8).Raw(eight);
    }

    public PickleBytes Ints(params long[] values)
    {
        Op(PickleOpcode.Mark);
        foreach (var v in values) Int(v);
        return Op(PickleOpcode.Tuple);
    }

    /// <summary>OrderedDict(): the empty dict torch.save's state dicts start as.</summary>
    public PickleBytes OrderedDict() => Global("collections", "OrderedDict").Op(PickleOpcode.EmptyTuple).Op(PickleOpcode.Reduce);

    /// <summary>
    /// <c>_rebuild_tensor_v2(('storage', torch.&lt;type&gt;, key, 'cpu', numel), offset, size, stride, False, OrderedDict())</c>,
    /// as torch.save writes a tensor.
    /// </summary>
    public PickleBytes Tensor(string storageType, string key, long numel, long offset, long[] size, long[] stride)
    {
        Global("torch._utils", "_rebuild_tensor_v2").Op(PickleOpcode.Mark);
        Op(PickleOpcode.Mark).Text("storage").Global("torch", storageType).Text(key).Text("cpu").Int(numel).Op(PickleOpcode.Tuple).Op(PickleOpcode.BinPersId);
        Int(offset).Ints(size).Ints(stride).Op(PickleOpcode.NewFalse).OrderedDict();
        return Op(PickleOpcode.Tuple).Op(PickleOpcode.Reduce);
    }

    public byte[] ToArray() => [.. _bytes];

    /// <summary>
    /// Writes a zip laid out as torch.save lays it out: <c>&lt;prefix&gt;/data.pkl</c>, one
    /// <c>&lt;prefix&gt;/data/&lt;key&gt;</c> per storage, <c>&lt;prefix&gt;/version</c>.
    /// </summary>
    public static void WriteArchive(string path, byte[] pickle, IEnumerable<(string Key, byte[] Bytes)> storages, string prefix = "archive",
        IEnumerable<(string Name, byte[] Bytes)>? extraEntries = null)
    {
        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        void Add(string name, byte[] bytes)
        {
            using var stream = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
            stream.Write(bytes);
        }
        Add($"{prefix}/data.pkl", pickle);
        foreach (var (key, bytes) in storages) Add($"{prefix}/data/{key}", bytes);
        Add($"{prefix}/version", "3\n"u8.ToArray());
        foreach (var (name, bytes) in extraEntries ?? []) Add(name, bytes);
    }

    /// <summary>
    /// The same layout with every entry deflated (torch.save stores; an attacker deflates), the storages given as
    /// lengths of zeros streamed into the zip: a gigabyte of zeros takes about a megabyte.
    /// </summary>
    public static void WriteDeflatedZeros(string path, byte[] pickle, params (string Key, long Bytes)[] storages)
    {
        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        using (var stream = zip.CreateEntry("archive/data.pkl", CompressionLevel.Optimal).Open()) stream.Write(pickle);
        var zeros = new byte[1 << 20];
        foreach (var (key, bytes) in storages)
        {
            using var stream = zip.CreateEntry($"archive/data/{key}", CompressionLevel.Optimal).Open();
            for (long done = 0; done < bytes; done += zeros.Length) stream.Write(zeros, 0, (int)Math.Min(zeros.Length, bytes - done));
        }
        using (var stream = zip.CreateEntry("archive/version", CompressionLevel.Optimal).Open()) stream.Write("3\n"u8);
    }

    public static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }
}
