using System.IO.Compression;
using System.Text.Json;
using Research.Torch.IO;
using Research.Torch.IO.Pth;

namespace Research.Torch.Tests;

/// <summary>
/// Files made by Python's torch.save once per test class (where /usr/bin/python3 has torch):
/// make_assets.py --cases writes them, with their expected bytes, into a temporary folder.
/// </summary>
public sealed class PthCases : IDisposable
{
    private readonly Lazy<string> _dir = new(() =>
    {
        var dir = Directory.CreateTempSubdirectory("research-torch-pth-cases-").FullName;
        PythonTorch.Run(PthFileTests.AssetPath("make_assets.py"), "--cases", dir);
        return dir;
    });

    public string PathOf(string name) => Path.Combine(_dir.Value, name);

    public void Dispose()
    {
        if (_dir.IsValueCreated) Directory.Delete(_dir.Value, recursive: true);
    }
}

public sealed class PthFileTests(PthCases cases) : IClassFixture<PthCases>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("research-torch-pth-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static string AssetPath(string name) => Path.Combine(AppContext.BaseDirectory, "assets", "pth", name);

    private string PathOf(string name) => Path.Combine(_dir, name);

    // ---- the committed asset (made by make_assets.py with torch 1.13) ----

    [Fact]
    public void TinyAssetMatchesPyTorchsValuesExactly()
    {
        var path = AssetPath("tiny_state_dict.pth");
        using var expected = JsonDocument.Parse(File.ReadAllText(AssetPath("tiny_state_dict.json")));
        var tensors = expected.RootElement.GetProperty("tensors").EnumerateArray().ToList();
        // The asset must exercise a non-contiguous saved tensor, or this test would not cover it.
        Assert.Contains(tensors, t => t.GetProperty("name").GetString() == "3.weight" && t.GetProperty("stride").EnumerateArray().Select(s => s.GetInt64()).SequenceEqual([1L, 5]));

        using var loaded = PthFile.Load(path);
        Assert.Equal(path, loaded.Path);
        Assert.Null(loaded.CheckpointKey);
        Assert.Equal(tensors.Select(t => t.GetProperty("name").GetString()), loaded.Keys);
        foreach (var t in tensors)
        {
            var name = t.GetProperty("name").GetString()!;
            var actual = loaded[name];
            Assert.Equal(t.GetProperty("dtype").GetString(), actual.dtype.Name());
            Assert.Equal(t.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64()), actual.shape);
            Assert.True(actual.is_contiguous(), name);
            Assert.False(actual.requires_grad, name);
            var values = t.GetProperty("values").EnumerateArray();
            if (actual.dtype == ScalarType.Float32) Assert.Equal(values.Select(v => (float)v.GetDouble()), actual.ToArray<float>());
            else Assert.Equal(values.Select(v => v.GetInt64()), actual.ToArray<long>());
        }
        Assert.Equal(ScalarType.Int64, loaded["1.num_batches_tracked"].dtype);
        Assert.Empty(loaded["1.num_batches_tracked"].shape);
    }

    [CudaFact]
    public void TinyAssetLoadsOntoTheDeviceAskedFor()
    {
        using var cpu = PthFile.Load(AssetPath("tiny_state_dict.pth"));
        using var gpu = PthFile.Load(AssetPath("tiny_state_dict.pth"), Device.CUDA);
        foreach (var (name, tensor) in gpu)
        {
            Assert.True(tensor.is_cuda, name);
            Assert.Equal(cpu[name].ToBytes(), tensor.ToBytes());
        }
    }

    [Fact]
    public void DisposeFreesEveryTensor()
    {
        var loaded = PthFile.Load(AssetPath("tiny_state_dict.pth"));
        var tensors = loaded.Values.ToList();
        loaded.Dispose();
        Assert.All(tensors, t => Assert.True(t.IsDisposed));
    }

    [Fact]
    public void MissingTensorNamesFileAndTensor()
    {
        using var loaded = PthFile.Load(AssetPath("tiny_state_dict.pth"));
        var e = Assert.Throws<KeyNotFoundException>(() => loaded["2.weight"]);
        Assert.Contains("tiny_state_dict.pth", e.Message);
        Assert.Contains("'2.weight'", e.Message);
    }

    [Fact]
    public void TruncatedFileIsRefused()
    {
        var bytes = File.ReadAllBytes(AssetPath("tiny_state_dict.pth"));
        var path = PathOf("half.pth");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Refused(path, "truncated");
    }

    [Fact]
    public void DamagedStorageBytesAreRefused()
    {
        // Flip a byte inside a storage: the zip's CRC no longer matches.
        var path = PathOf("flipped.pth");
        File.Copy(AssetPath("tiny_state_dict.pth"), path);
        using (var zip = ZipFile.OpenRead(path))
        {
            var entry = zip.GetEntry("tiny_state_dict/data/0")!;
            Assert.Equal(0, entry.CompressedLength - entry.Length); // stored, so the bytes are in the file as is
        }
        var bytes = File.ReadAllBytes(path);
        var data = Enumerable.Range(0, bytes.Length - 4).First(i => bytes.AsSpan(i, 4).SequenceEqual(PickleBytes.Floats(-0.0014408392598852515f)));
        bytes[data] ^= 0xff;
        File.WriteAllBytes(path, bytes);
        Refused(path, "tiny_state_dict/data/0");
    }

    // ---- files made on the fly by torch.save ----

    [PythonTorchFact(Torchvision = true)]
    public void MobileNetV2MatchesPyTorchBitForBit()
    {
        using var loaded = PthFile.Load(cases.PathOf("mobilenet_v2.pth"));
        Assert.Equal(314, loaded.Count);
        AssertMatchesExpected("mobilenet_v2", loaded);
    }

    [PythonTorchFact]
    public void EveryDtypeMatchesPyTorch()
    {
        using var loaded = PthFile.Load(cases.PathOf("dtypes.pth"));
        AssertMatchesExpected("dtypes", loaded);
        Assert.Equal(ScalarType.BFloat16, loaded["bf16"].dtype);
        Assert.Equal(ScalarType.Float16, loaded["fp16"].dtype);
        Assert.Equal(ScalarType.Int8, loaded["int8"].dtype);
        Assert.Equal([true, false, true, false, false, true], loaded["bool"].ToArray<bool>());
        Assert.Equal([3L, 4], loaded["bf16_transposed"].shape);
        Assert.Equal([0L, 3], loaded["empty"].shape);
        Assert.Equal(2.5f, loaded["scalar"].item<float>());
    }

    [PythonTorchFact]
    public void ViewsIntoOneSharedStorageMatchPyTorch()
    {
        var path = cases.PathOf("shared_views.pth");
        using (var zip = ZipFile.OpenRead(path))
            Assert.Single(zip.Entries, e => e.FullName.Contains("/data/", StringComparison.Ordinal));
        using var loaded = PthFile.Load(path);
        AssertMatchesExpected("shared_views", loaded);
        Assert.Equal(Enumerable.Range(10, 10).Select(i => (float)i), loaded["slice"].ToArray<float>());
        Assert.Equal(39f, loaded["element"].item<float>());
        // Tied entries are separate tensors, each owned once.
        Assert.NotSame(loaded["base"], loaded["tied"]);
    }

    [PythonTorchFact]
    public void DictOfParametersLoads()
    {
        using var loaded = PthFile.Load(cases.PathOf("parameters.pth"));
        AssertMatchesExpected("parameters", loaded);
        Assert.All(loaded.Values, t => Assert.False(t.requires_grad));
    }

    [PythonTorchFact]
    public void CheckpointWrappersYieldTheirStateDict()
    {
        using (var loaded = PthFile.Load(cases.PathOf("wrapped_state_dict.pth")))
        {
            Assert.Equal("state_dict", loaded.CheckpointKey);
            AssertMatchesExpected("wrapped_state_dict", loaded);
        }
        using (var loaded = PthFile.Load(cases.PathOf("wrapped_model.pth")))
        {
            Assert.Equal("model", loaded.CheckpointKey);
            AssertMatchesExpected("wrapped_model", loaded);
        }
    }

    [PythonTorchFact]
    public void PickleThatRunsACommandIsRefusedAndNothingRuns()
    {
        var path = cases.PathOf("runs_a_command.pth");
        var marker = cases.PathOf("pwned");
        Assert.False(File.Exists(marker));
        var e = Refused(path, "'posix.system'", "refused", "data.pkl byte ");
        Assert.NotNull(e.PickleOffset);
        Assert.False(File.Exists(marker), "the pickled command ran");
    }

    [PythonTorchFact]
    // Protocol 2 writes Python 3's builtins under their Python 2 name.
    public void PickleThatEvaluatesTextIsRefused() => Refused(cases.PathOf("evaluates_text.pth"), "'__builtin__.eval'");

    [PythonTorchFact]
    public void PickledPythonObjectIsRefused() => Refused(cases.PathOf("plain_object.pth"), "'__main__.PlainObject'", "byte 17");

    [PythonTorchFact]
    public void LegacyFormatIsRefusedWithAdvice() =>
        Refused(cases.PathOf("legacy.pth"), "legacy", "_use_new_zipfile_serialization=False", "torch.save(state_dict, f) in PyTorch >= 1.6");

    [PythonTorchFact]
    public void NestedDictsWithoutStateDictAreRefusedNamingTheKeys() =>
        Refused(cases.PathOf("nested_without_state_dict.pth"), "'encoder'", "'decoder'", "state_dict");

    [PythonTorchFact]
    public void NonTensorValueIsRefusedNamingTheKey() => Refused(cases.PathOf("int_value.pth"), "'epoch'", "an int 3");

    // ---- crafted in C#: valid layouts ----

    [Fact]
    public void CraftedStridedViewsOfOneStorageLoad()
    {
        // Storage 0..11; a transposed 3×4 view, a slice with an offset, a 0-dim element, an empty view.
        var pickle = new PickleBytes().Proto().OrderedDict().Op(PickleOpcode.Mark)
            .Text("transposed").Tensor("FloatStorage", "0", 12, 0, [4, 3], [1, 4])
            .Text("slice").Tensor("FloatStorage", "0", 12, 5, [2, 3], [3, 1])
            .Text("every_other").Tensor("FloatStorage", "0", 12, 1, [2, 2], [6, 2])
            .Text("element").Tensor("FloatStorage", "0", 12, 11, [], [])
            .Text("empty").Tensor("FloatStorage", "0", 12, 100, [0, 3], [3, 1])
            .Op(PickleOpcode.SetItems)
            // The state dict's _metadata, set by BUILD: skipped, not refused.
            .Op(PickleOpcode.EmptyDict).Text("_metadata").OrderedDict().Op(PickleOpcode.SetItem).Op(PickleOpcode.Build)
            .Op(PickleOpcode.Stop).ToArray();
        var path = PathOf("views.pth");
        PickleBytes.WriteArchive(path, pickle, [("0", PickleBytes.Floats([.. Enumerable.Range(0, 12).Select(i => (float)i)]))]);

        using var loaded = PthFile.Load(path);
        Assert.Equal(["transposed", "slice", "every_other", "element", "empty"], loaded.Keys);
        Assert.Equal([4L, 3], loaded["transposed"].shape);
        Assert.Equal([0f, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11], loaded["transposed"].ToArray<float>());
        Assert.Equal([5f, 6, 7, 8, 9, 10], loaded["slice"].ToArray<float>());
        Assert.Equal([1f, 3, 7, 9], loaded["every_other"].ToArray<float>());
        Assert.Equal(11f, loaded["element"].item<float>());
        Assert.Equal([0L, 3], loaded["empty"].shape);
    }

    [Fact]
    public void CraftedProtocol4PickleWithFramesAndMemoizeLoads()
    {
        var pickle = new PickleBytes().Proto(4).Op(PickleOpcode.Frame).Raw(new byte[8])
            .Op(PickleOpcode.EmptyDict).Op(PickleOpcode.Memoize)
            .Text("w").Op(PickleOpcode.Memoize).Tensor("LongStorage", "7", 2, 0, [2], [1]).Op(PickleOpcode.Memoize)
            .Op(PickleOpcode.SetItem)
            .Text("w_again").Op(PickleOpcode.BinGet).Raw(2).Op(PickleOpcode.SetItem)
            .Op(PickleOpcode.Stop).ToArray();
        var path = PathOf("proto4.pth");
        PickleBytes.WriteArchive(path, pickle, [("7", [.. BitConverter.GetBytes(-5L), .. BitConverter.GetBytes(long.MaxValue)])]);
        using var loaded = PthFile.Load(path);
        Assert.Equal([-5L, long.MaxValue], loaded["w"].ToArray<long>());
        Assert.Equal([-5L, long.MaxValue], loaded["w_again"].ToArray<long>());
    }

    // ---- crafted in C#: refusals ----

    [Theory]
    [InlineData("os", "system")]
    [InlineData("posix", "system")]
    [InlineData("builtins", "eval")]
    [InlineData("__builtin__", "getattr")]
    [InlineData("subprocess", "Popen")]
    [InlineData("torch", "load")]
    [InlineData("torch._utils", "_rebuild_tensor")]
    [InlineData("Collections", "OrderedDict")]
    public void GlobalsOffTheAllowListAreRefusedWhereTheyAppear(string module, string name)
    {
        var pickle = new PickleBytes().Proto().Op(PickleOpcode.EmptyDict).Text("x");
        int at = pickle.Offset;
        var bytes = pickle.Global(module, name).Text("echo pwned").Op(PickleOpcode.Tuple1).Op(PickleOpcode.Reduce)
            .Op(PickleOpcode.SetItem).Op(PickleOpcode.Stop).ToArray();
        var path = Crafted(bytes);
        var e = Refused(path, $"'{module}.{name}'", $"data.pkl byte {at}:", "refused");
        Assert.Equal(at, e.PickleOffset);
    }

    [Fact]
    public void StackGlobalOffTheAllowListIsRefused()
    {
        var pickle = new PickleBytes().Proto(4).Text("builtins").Text("exec");
        int at = pickle.Offset;
        var path = Crafted(pickle.Op(PickleOpcode.StackGlobal).Op(PickleOpcode.Stop).ToArray());
        Refused(path, "'builtins.exec'", $"byte {at}:");
    }

    [Theory]
    [InlineData((byte)PickleOpcode.NewObj, "NEWOBJ (0x81)")]
    [InlineData((byte)PickleOpcode.Inst, "INST (0x69)")]
    [InlineData((byte)PickleOpcode.Obj, "OBJ (0x6f)")]
    [InlineData((byte)PickleOpcode.Ext1, "EXT1 (0x82)")]
    [InlineData((byte)PickleOpcode.PersId, "PERSID (0x50)")]
    [InlineData((byte)PickleOpcode.NewObjEx, "NEWOBJ_EX (0x92)")]
    [InlineData((byte)PickleOpcode.Dup, "DUP (0x32)")]
    [InlineData((byte)PickleOpcode.ByteArray8, "BYTEARRAY8 (0x96)")]
    public void OpcodesAStateDictDoesNotUseAreRefused(byte opcode, string named)
    {
        var pickle = new PickleBytes().Proto().Op(PickleOpcode.EmptyDict);
        int at = pickle.Offset;
        var path = Crafted(pickle.Raw(opcode).Op(PickleOpcode.Stop).ToArray());
        Refused(path, named, $"byte {at}:");
    }

    [Fact]
    public void ByteThatIsNoOpcodeIsRefused() =>
        Refused(Crafted(new PickleBytes().Proto().Raw(0xff).ToArray()), "the byte 0xff is not a pickle opcode", "byte 2:");

    [Fact]
    public void AllowedStorageTypeCalledAsAFunctionIsRefused() =>
        Refused(Crafted(new PickleBytes().Proto().Global("torch", "FloatStorage").Int(3).Op(PickleOpcode.Tuple1).Op(PickleOpcode.Reduce).Op(PickleOpcode.Stop).ToArray()),
            "torch.FloatStorage", "persistent id");

    [Fact]
    public void OrderedDictCalledWithArgumentsIsRefused() =>
        Refused(Crafted(new PickleBytes().Proto().Global("collections", "OrderedDict").Op(PickleOpcode.EmptyList).Op(PickleOpcode.Tuple1).Op(PickleOpcode.Reduce).Op(PickleOpcode.Stop).ToArray()),
            "collections.OrderedDict with 1 argument;");

    [Fact]
    public void BackwardHooksAreRefused()
    {
        var pickle = new PickleBytes().Proto().Op(PickleOpcode.EmptyDict).Text("w")
            .Global("torch._utils", "_rebuild_tensor_v2").Op(PickleOpcode.Mark)
            .Op(PickleOpcode.Mark).Text("storage").Global("torch", "FloatStorage").Text("0").Text("cpu").Int(1).Op(PickleOpcode.Tuple).Op(PickleOpcode.BinPersId)
            .Int(0).Ints(1).Ints(1).Op(PickleOpcode.NewFalse)
            .OrderedDict().Int(0).Text("hook").Op(PickleOpcode.SetItem)
            .Op(PickleOpcode.Tuple).Op(PickleOpcode.Reduce).Op(PickleOpcode.SetItem).Op(PickleOpcode.Stop).ToArray();
        Refused(Crafted(pickle, ("0", PickleBytes.Floats(1))), "backward hooks");
    }

    [Fact]
    public void BuildOnATensorIsRefused()
    {
        var pickle = new PickleBytes().Proto().Op(PickleOpcode.EmptyDict).Text("w").Tensor("FloatStorage", "0", 1, 0, [1], [1])
            .Op(PickleOpcode.EmptyDict).Op(PickleOpcode.Build).Op(PickleOpcode.SetItem).Op(PickleOpcode.Stop).ToArray();
        Refused(Crafted(pickle, ("0", PickleBytes.Floats(1))), "BUILD sets the state of a tensor");
    }

    [Fact]
    public void StorageShorterThanTheTensorNeedsIsRefused()
    {
        var pickle = StateDict(("layer.weight", "FloatStorage", 6L, 0L, new long[] { 2, 3 }, new long[] { 3, 1 }));
        Refused(Crafted(pickle, ("0", PickleBytes.Floats(1, 2, 3, 4))), "'layer.weight'", "24 bytes", "archive/data/0 holds 16");
    }

    [Fact]
    public void MissingStorageEntryIsRefused() =>
        Refused(Crafted(StateDict(("w", "FloatStorage", 1L, 0L, new long[] { 1 }, new long[] { 1 })), ("1", PickleBytes.Floats(1))),
            "'w'", "no archive/data/0");

    [Fact]
    public void HugeElementCountIsRefusedWithoutAllocating()
    {
        const long Huge = 1L << 60;
        var path = Crafted(StateDict(("huge", "FloatStorage", Huge, 0L, new long[] { Huge }, new long[] { 1 })), ("0", PickleBytes.Floats(1, 2)));
        long before = GC.GetAllocatedBytesForCurrentThread();
        Refused(path, "'huge'", $"{Huge} elements", "holds 8");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "the refusal allocated as if the claimed size were real");
    }

    // ---- bombs: small files that would inflate or allocate gigabytes (issue 31) ----

    /// <summary>Managed bytes the action allocates on this thread (the readers inflate into managed arrays).</summary>
    private static long Allocated(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private const long GiB = 1L << 30;

    [Fact]
    public void ATensorTheCallerRefusesIsNeverInflated()
    {
        // A real tensor and 1 GiB of deflated zeros under a name the caller does not have (a model's loader says "unexpected").
        var pickle = new PickleBytes().Proto().OrderedDict().Op(PickleOpcode.Mark)
            .Text("w").Tensor("FloatStorage", "0", 4, 0, [4], [1])
            .Text("extra").Tensor("FloatStorage", "1", GiB / 4, 0, [GiB / 4], [1])
            .Op(PickleOpcode.SetItems).Op(PickleOpcode.Stop).ToArray();
        var path = PathOf("extra.pth");
        PickleBytes.WriteDeflatedZeros(path, pickle, ("0", 16), ("1", GiB));
        Assert.True(new FileInfo(path).Length < 4 << 20, "the bomb should be small");
        IReadOnlyList<WeightEntry>? seen = null;
        long allocated = Allocated(() => Assert.Equal("1 unexpected: 'extra'", Assert.Throws<ArgumentException>(() => PthFile.Load(path, check: entries =>
        {
            seen = entries;
            var unexpected = entries.Where(e => e.Name != "w").ToList();
            if (unexpected.Count > 0) throw new ArgumentException($"{unexpected.Count} unexpected: {string.Join(", ", unexpected.Select(e => $"'{e.Name}'"))}");
        })).Message));
        Assert.Equal(["'w' float32 [4]", $"'extra' float32 [{GiB / 4}]"], seen!.Select(e => e.ToString()));
        Assert.True(allocated < 16 << 20, $"{allocated} bytes allocated: the refused storage was inflated");
    }

    [Fact]
    public void AStorageFarLargerThanItsTensorsIsRefusedBeforeItIsInflated()
    {
        // The name and shape a model expects, cut from a 1 GiB storage of zeros.
        var path = PathOf("padded.pth");
        PickleBytes.WriteDeflatedZeros(path, StateDict(("bias", "FloatStorage", GiB / 4, 0L, new long[] { 10 }, new long[] { 1 })), ("0", GiB));
        long allocated = Allocated(() => Refused(path, "storage '0'", $"holds {GiB} bytes but its tensors ('bias') use 40", ".clone()"));
        Assert.True(allocated < 16 << 20, $"{allocated} bytes allocated: the storage was inflated");
        // A view of most of its storage (a slice, a transposed weight) still loads.
        var slice = Crafted(StateDict(("w", "FloatStorage", 12L, 2L, new long[] { 10 }, new long[] { 1 })), ("0", PickleBytes.Floats([.. Enumerable.Range(0, 12).Select(i => (float)i)])));
        using var loaded = PthFile.Load(slice);
        Assert.Equal(2f, loaded["w"].ToArray<float>()[0]);
    }

    [Fact]
    public void AnExpandedViewOfMoreElementsThanItsStorageIsRefused()
    {
        // torch.zeros(1).expand(2**29): stride 0, 2 GiB of float32 from four bytes.
        var path = Crafted(StateDict(("huge", "FloatStorage", 1L, 0L, new long[] { 1L << 29 }, new long[] { 0 })), ("0", PickleBytes.Floats(0)));
        long allocated = Allocated(() => Refused(path, "'huge'", $"{1L << 29} elements but its storage", "only 1", "expanded (stride 0)"));
        Assert.True(allocated < 16 << 20, $"{allocated} bytes allocated");
    }

    [Fact]
    public void ZipSizesThatDeflateCannotProduceAreRefused()
    {
        // 1 MiB of zeros deflates to about a kilobyte; the directory is then made to claim 1 GiB for it (and the pickle agrees).
        var path = PathOf("forged.pth");
        PickleBytes.WriteDeflatedZeros(path, StateDict(("w", "FloatStorage", GiB / 4, 0L, new long[] { GiB / 4 }, new long[] { 1 })), ("0", 1 << 20));
        ForgeUncompressedSize(path, "archive/data/0", GiB);
        long allocated = Allocated(() => Refused(path, "archive/data/0 claims 1073741824 bytes from", "more than deflate can produce"));
        Assert.True(allocated < 16 << 20, $"{allocated} bytes allocated");
    }

    [Fact]
    public void APickleThatInflatesPastTheBoundIsRefusedUnread()
    {
        var big = new PickleBytes().Proto().Op(PickleOpcode.BinUnicode).Raw(BitConverter.GetBytes(20_000_000)).Raw(new byte[20_000_000]).Op(PickleOpcode.Stop).ToArray();
        var path = PathOf("pickle-bomb.pth");
        PickleBytes.WriteDeflatedZeros(path, big);
        Assert.True(new FileInfo(path).Length < 1 << 20);
        long allocated = Allocated(() => Refused(path, "archive/data.pkl claims 20000008 bytes", $"{PthArchive.MaxPickleBytes}"));
        Assert.True(allocated < 16 << 20, $"{allocated} bytes allocated");
    }

    [Fact]
    public void APickleBuildingMillionsOfValuesIsRefused()
    {
        // An empty list is one byte: a few megabytes of them would be hundreds of megabytes of objects.
        var lists = new PickleBytes().Proto().Op(PickleOpcode.EmptyList).Op(PickleOpcode.Mark).Raw(Enumerable.Repeat((byte)PickleOpcode.EmptyList, 3_000_000).ToArray())
            .Op(PickleOpcode.Appends).Op(PickleOpcode.Stop).ToArray();
        Refused(Crafted(lists), $"more than {RestrictedUnpickler.MaxValues:N0} values");
    }

    /// <summary>Rewrites an entry's uncompressed size in its local header and its central directory record (zip32 fields).</summary>
    private static void ForgeUncompressedSize(string path, string entry, long size)
    {
        var bytes = File.ReadAllBytes(path);
        var name = System.Text.Encoding.UTF8.GetBytes(entry);
        int patched = 0;
        for (int i = 0; i + 46 < bytes.Length; i++)
        {
            bool local = bytes.AsSpan(i, 4).SequenceEqual("PK\x03\x04"u8) && bytes.AsSpan(i + 30, name.Length).SequenceEqual(name);
            bool central = bytes.AsSpan(i, 4).SequenceEqual("PK\x01\x02"u8) && bytes.AsSpan(i + 46, name.Length).SequenceEqual(name);
            if (local) BitConverter.TryWriteBytes(bytes.AsSpan(i + 22, 4), (uint)size);
            if (central) BitConverter.TryWriteBytes(bytes.AsSpan(i + 24, 4), (uint)size);
            if (local || central) patched++;
        }
        Assert.Equal(2, patched);
        File.WriteAllBytes(path, bytes);
    }

    [Fact]
    public void ByteCountPastSixtyFourBitsIsRefused() =>
        Refused(Crafted(StateDict(("huge", "DoubleStorage", 1L << 61, 0L, new long[] { 1 }, new long[] { 1 }))), "storage '0'", "more bytes than 64 bits");

    [Fact]
    public void ElementCountOverflowIsRefused() =>
        Refused(Crafted(StateDict(("w", "FloatStorage", 4L, 0L, new long[] { 1L << 32, 1L << 32, 1L << 32 }, new long[] { 0, 0, 0 })), ("0", PickleBytes.Floats(1, 2, 3, 4))),
            "more elements than 64 bits", "size (4294967296, 4294967296, 4294967296)");

    [Theory]
    [InlineData(1L, new long[] { 2, 2 }, new long[] { 2, 1 }, "reaches element 4")]
    [InlineData(0L, new long[] { 2, 3 }, new long[] { 1, 2 }, "reaches element 5")]
    [InlineData(-1L, new long[] { 2 }, new long[] { 1 }, "negative storage offset")]
    [InlineData(0L, new long[] { -1 }, new long[] { 1 }, "negative size")]
    [InlineData(0L, new long[] { 2 }, new long[] { -1 }, "negative stride")]
    [InlineData(0L, new long[] { 2, 2 }, new long[] { 1 }, "2 sizes but 1 strides")]
    [InlineData(1L, new long[] { 2 }, new long[] { long.MaxValue }, "64-bit range")]
    public void ViewsOutsideTheirStorageAreRefused(long offset, long[] size, long[] stride, string fragment) =>
        Refused(Crafted(StateDict(("w", "FloatStorage", 4L, offset, size, stride)), ("0", PickleBytes.Floats(1, 2, 3, 4))), fragment, "storage '0'");

    [Fact]
    public void BoolStorageWithAByteOtherThanZeroOrOneIsRefused() =>
        Refused(Crafted(StateDict(("mask", "BoolStorage", 3L, 0L, new long[] { 3 }, new long[] { 1 })), ("0", [1, 0, 2])), "'mask'", "the byte 2 at element 2");

    [Fact]
    public void BadPersistentIdsAreRefused()
    {
        var wrongTag = new PickleBytes().Proto().Op(PickleOpcode.Mark).Text("file").Text("/etc/passwd").Op(PickleOpcode.Tuple).Op(PickleOpcode.BinPersId).Op(PickleOpcode.Stop).ToArray();
        Refused(Crafted(wrongTag), "BINPERSID", "('storage', storage_type, key, location, numel)");
        var escapingKey = new PickleBytes().Proto().Op(PickleOpcode.Mark).Text("storage").Global("torch", "FloatStorage").Text("../../x").Text("cpu").Int(1)
            .Op(PickleOpcode.Tuple).Op(PickleOpcode.BinPersId).Op(PickleOpcode.Stop).ToArray();
        Refused(Crafted(escapingKey), "'../../x'", "storage key");
    }

    [Fact]
    public void TopLevelThatIsNotADictIsRefused() =>
        Refused(Crafted(new PickleBytes().Proto().Op(PickleOpcode.EmptyList).Op(PickleOpcode.Stop).ToArray()), "a list of 0", "not a dict");

    [Fact]
    public void NonStringTensorNameIsRefused()
    {
        var pickle = new PickleBytes().Proto().Op(PickleOpcode.EmptyDict).Int(7).Tensor("FloatStorage", "0", 1, 0, [1], [1]).Op(PickleOpcode.SetItem).Op(PickleOpcode.Stop).ToArray();
        Refused(Crafted(pickle, ("0", PickleBytes.Floats(1))), "an int 7 as a key");
    }

    [Fact]
    public void StateDictEntryThatIsNotTensorsIsRefusedNamingTheKey()
    {
        var pickle = new PickleBytes().Proto().Op(PickleOpcode.EmptyDict)
            .Text("state_dict").Op(PickleOpcode.EmptyDict).Text("layer.scale").Int(3).Op(PickleOpcode.SetItem).Op(PickleOpcode.SetItem)
            .Op(PickleOpcode.Stop).ToArray();
        Refused(Crafted(pickle), "'state_dict'", "'layer.scale'", "an int 3");
    }

    [Fact]
    public void PickleWithoutStopIsRefused()
    {
        var pickle = new PickleBytes().Proto().Op(PickleOpcode.EmptyDict);
        Refused(Crafted(pickle.ToArray()), "without a STOP", $"byte {pickle.Offset}:");
    }

    [Fact]
    public void StringRunningPastTheEndIsRefused() =>
        Refused(Crafted(new PickleBytes().Proto().Op(PickleOpcode.BinUnicode).Raw(0xff, 0xff, 0xff, 0x7f).Raw("abc"u8.ToArray()).ToArray()), "BINUNICODE needs 2147483647 bytes", "byte 2:");

    [Fact]
    public void MemoEntryNeverStoredIsRefused() =>
        Refused(Crafted(new PickleBytes().Proto().Op(PickleOpcode.BinGet).Raw(9).Op(PickleOpcode.Stop).ToArray()), "entry 9", "byte 2:");

    [Fact]
    public void StackUnderflowIsRefused() =>
        Refused(Crafted(new PickleBytes().Proto().Op(PickleOpcode.EmptyDict).Op(PickleOpcode.SetItem).Op(PickleOpcode.Stop).ToArray()), "SETITEM needs a value", "byte 3:");

    [Fact]
    public void RandomBytesAreRefused()
    {
        var path = PathOf("noise.pth");
        File.WriteAllBytes(path, [.. Enumerable.Range(0, 1000).Select(i => (byte)(i * 37 + 11))]);
        Refused(path, "not a zip archive", "torch.save");
    }

    [Fact]
    public void EmptyFileIsRefused()
    {
        var path = PathOf("empty.pth");
        File.WriteAllBytes(path, []);
        Refused(path, "empty");
    }

    [Fact]
    public void SafetensorsFileIsRefusedWithAdvice()
    {
        var path = PathOf("model.pth");
        using (var w = torch.ones(2)) SafeTensors.Save(path, [new("w", w)]);
        Refused(path, "safetensors", "SafeTensors.Load");
    }

    [Fact]
    public void LegacyMagicIsRecognisedWithoutPython()
    {
        var path = PathOf("legacy.pth");
        File.WriteAllBytes(path, [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e, 0x80]);
        Refused(path, "legacy format", "PyTorch >= 1.6");
    }

    [Fact]
    public void ZipsThatTorchSaveDidNotWriteAreRefused()
    {
        var noPickle = PathOf("no-pickle.pth");
        using (var zip = ZipFile.Open(noPickle, ZipArchiveMode.Create)) zip.CreateEntry("archive/version");
        Refused(noPickle, "no archive/data.pkl");

        var twoFolders = PathOf("two-folders.pth");
        PickleBytes.WriteArchive(twoFolders, StateDict(), [], extraEntries: [("other/data.pkl", [])]);
        Refused(twoFolders, "2 top-level folders", "'archive'", "'other'");

        var torchScript = PathOf("scripted.pt");
        PickleBytes.WriteArchive(torchScript, StateDict(), [], extraEntries: [("archive/code/__torch__.py", [])]);
        Refused(torchScript, "TorchScript", "torch.save(model.state_dict(), f)");

        var bigEndian = PathOf("big-endian.pth");
        PickleBytes.WriteArchive(bigEndian, StateDict(), [], extraEntries: [("archive/byteorder", "big"u8.ToArray())]);
        Refused(bigEndian, "archive/byteorder says 'big'");
    }

    [Fact]
    public void LittleEndianByteOrderAndAnyArchiveNameAreAccepted()
    {
        var path = PathOf("named.pth");
        PickleBytes.WriteArchive(path, StateDict(("w", "HalfStorage", 2L, 1L, new long[] { 1 }, new long[] { 1 })), [("0", [0x00, 0x3c, 0x00, 0xc0])],
            prefix: "my_model-v2", extraEntries: [("my_model-v2/byteorder", "little"u8.ToArray())]);
        using var loaded = PthFile.Load(path);
        Assert.Equal(ScalarType.Float16, loaded["w"].dtype);
        Assert.Equal([-2f], loaded["w"].ToArray<float>());
    }

    [Fact]
    public void RefusalsAreBadInputForTheCli()
    {
        // The CLI maps FormatException (like InvalidDataException, which is sealed) to exit code 2.
        var e = Refused(Crafted(new PickleBytes().Proto().Op(PickleOpcode.EmptyList).Op(PickleOpcode.Stop).ToArray()), "list");
        Assert.IsAssignableFrom<FormatException>(e);
        Assert.Equal("the pickled object is a list of 0, not a dict of name → tensor (a state dict)", e.Problem);
    }

    [Fact]
    public void MissingFileIsFileNotFound() =>
        Assert.Throws<FileNotFoundException>(() => PthFile.Load(PathOf("absent.pth")));

    // ---- helpers ----

    private static PthFormatException Refused(string path, params string[] fragments)
    {
        var e = Assert.Throws<PthFormatException>(() => PthFile.Load(path).Dispose());
        Assert.StartsWith($"{path}: ", e.Message);
        Assert.Equal(path, e.Path);
        foreach (var fragment in fragments) Assert.True(e.Message.Contains(fragment, StringComparison.Ordinal), $"'{fragment}' is not in: {e.Message}");
        return e;
    }

    private string Crafted(byte[] pickle, params (string Key, byte[] Bytes)[] storages)
    {
        var path = PathOf($"crafted-{Guid.NewGuid():N}.pth");
        PickleBytes.WriteArchive(path, pickle, storages);
        return path;
    }

    /// <summary>A dict of tensors as torch.save writes it, each on storage "0".</summary>
    private static byte[] StateDict(params (string Name, string StorageType, long Numel, long Offset, long[] Size, long[] Stride)[] tensors)
    {
        var pickle = new PickleBytes().Proto().OrderedDict();
        if (tensors.Length > 0)
        {
            pickle.Op(PickleOpcode.Mark);
            foreach (var t in tensors) pickle.Text(t.Name).Tensor(t.StorageType, "0", t.Numel, t.Offset, t.Size, t.Stride);
            pickle.Op(PickleOpcode.SetItems);
        }
        return pickle.Op(PickleOpcode.Stop).ToArray();
    }

    /// <summary>Checks names (in order), dtypes, shapes and raw bytes against what make_assets.py wrote beside the case.</summary>
    private void AssertMatchesExpected(string caseName, PthStateDict loaded)
    {
        using var index = JsonDocument.Parse(File.ReadAllText(cases.PathOf($"{caseName}.expected.json")));
        var blob = File.ReadAllBytes(cases.PathOf($"{caseName}.expected.bin"));
        var expected = index.RootElement.EnumerateArray().ToList();
        Assert.Equal(expected.Select(e => e.GetProperty("name").GetString()), loaded.Keys);
        foreach (var e in expected)
        {
            var name = e.GetProperty("name").GetString()!;
            var actual = loaded[name];
            Assert.True(e.GetProperty("dtype").GetString() == actual.dtype.Name(), $"{name}: dtype {actual.dtype.Name()}, expected {e.GetProperty("dtype").GetString()}");
            Assert.Equal(e.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64()), actual.shape);
            var bytes = blob.AsSpan(e.GetProperty("offset").GetInt32(), e.GetProperty("length").GetInt32());
            Assert.True(bytes.SequenceEqual(actual.ToBytes()), $"{name}: the values differ from PyTorch's");
        }
    }
}
