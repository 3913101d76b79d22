using System.Text.Json;
using Research.Torch.IO;
using Research.Torch.Modules;

namespace Research.Torch.Tests;

public sealed class StateDictTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("research-torch-statedict-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Sequential Model() => torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3, padding: 1),
        torch.nn.BatchNorm2d(4),
        torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(4, 3));

    /// <summary>A model whose BN buffers hold more than their initial values.</summary>
    private static Sequential TrainedModel()
    {
        var m = Model();
        using var scope = torch.NewDisposeScope();
        m.call(torch.randn(2, 3, 5, 5));
        m.call(torch.randn(2, 3, 5, 5));
        return m;
    }

    private static Dictionary<string, byte[]> Bytes(Module m)
    {
        var sd = m.state_dict();
        try
        {
            return sd.ToDictionary(kv => kv.Key, kv => kv.Value.ToBytes());
        }
        finally
        {
            foreach (var t in sd.Values) t.Dispose();
        }
    }

    private string SaveStateDict(Module m, string name)
    {
        var path = Path.Combine(_dir, name);
        var sd = m.state_dict();
        try
        {
            SafeTensors.Save(path, sd);
        }
        finally
        {
            foreach (var t in sd.Values) t.Dispose();
        }
        return path;
    }

    [Fact]
    public void SafeTensorsRoundTripIsBitIdentical()
    {
        using var source = TrainedModel();
        var path = SaveStateDict(source, "model.safetensors");
        using var target = Model(); // fresh weights from other draws of the generator
        var expected = Bytes(source);
        Assert.NotEqual(expected["0.weight"], Bytes(target)["0.weight"]);
        Assert.Equal(2L, ((BatchNorm2d)source[1]).num_batches_tracked!.item<long>());

        using (var file = SafeTensors.Load(path))
        {
            Assert.Equal(expected.Keys, file.Keys);
            target.load_state_dict(file);
        }

        var actual = Bytes(target);
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (name, bytes) in expected) Assert.True(bytes.AsSpan().SequenceEqual(actual[name]), name);
        // The copies went into the target's own tensors (the file is disposed by now).
        Assert.Equal(2L, ((BatchNorm2d)target[1]).num_batches_tracked!.item<long>());
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 3, 5, 5);
        source.eval();
        target.eval();
        Assert.Equal(source.call(x).ToBytes(), target.call(x).ToBytes());
    }

    private const string ReadScript = """
        import json, struct, sys
        import numpy as np
        path, name = sys.argv[1], sys.argv[2]
        with open(path, "rb") as f:
            data = f.read()
        n = struct.unpack("<Q", data[:8])[0]
        header = json.loads(data[8:8 + n])
        info = header[name]
        begin, end = info["data_offsets"]
        dtype = {"F32": "<f4", "F64": "<f8", "I64": "<i8"}[info["dtype"]]
        a = np.frombuffer(data[8 + n + begin:8 + n + end], dtype=dtype).reshape(info["shape"])
        print(json.dumps({"dtype": info["dtype"], "shape": list(a.shape), "values": [float(v) for v in a.ravel()]}))
        """;

    [PythonNumpyFact]
    public void PythonNumpyReadsTheSameWeights()
    {
        using var model = TrainedModel();
        var path = SaveStateDict(model, "for-python.safetensors");
        var script = Path.Combine(_dir, "read.py");
        File.WriteAllText(script, ReadScript);
        foreach (var name in new[] { "0.weight", "1.running_var" })
        {
            using var doc = JsonDocument.Parse(PythonNumpy.Run(script, path, name));
            var root = doc.RootElement;
            Tensor t = name == "0.weight" ? ((Conv2d)model[0]).weight : ((BatchNorm2d)model[1]).running_var!;
            Assert.Equal("F32", root.GetProperty("dtype").GetString());
            Assert.Equal(t.shape, root.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
            // float32 → Python float → JSON (shortest round-trip repr) is exact.
            Assert.Equal(t.ToArray<float>().Select(v => (double)v), root.GetProperty("values").EnumerateArray().Select(e => e.GetDouble()));
        }
    }

    [Fact]
    public void WrongShapeThrowsNamingTensorAndShapesAndChangesNothing()
    {
        using var model = Model();
        var before = Bytes(model);
        using var other = Model();
        var source = other.state_dict();
        try
        {
            source["5.weight"].Dispose();
            source["5.weight"] = torch.zeros(7, 4);
            var e = Assert.Throws<ArgumentException>(() => model.load_state_dict(source));
            Assert.Contains("'5.weight'", e.Message);
            Assert.Contains("[3, 4]", e.Message);
            Assert.Contains("[7, 4]", e.Message);
            Assert.DoesNotContain("0.weight", e.Message);
            // Every other tensor was loadable, yet none was copied.
            var after = Bytes(model);
            foreach (var (name, bytes) in before) Assert.True(bytes.AsSpan().SequenceEqual(after[name]), name);
        }
        finally
        {
            foreach (var t in source.Values) t.Dispose();
        }
    }

    [Fact]
    public void MissingAndUnexpectedKeysAreNamed()
    {
        using var model = Model();
        var before = Bytes(model);
        using var other = Model();
        var source = other.state_dict();
        try
        {
            source.Remove("1.running_var", out var removed);
            removed!.Dispose();
            source["head.weight"] = torch.zeros(1);
            var e = Assert.Throws<ArgumentException>(() => model.load_state_dict(source));
            Assert.Contains("missing key '1.running_var'", e.Message);
            Assert.Contains("unexpected key 'head.weight'", e.Message);
            var after = Bytes(model);
            foreach (var (name, bytes) in before) Assert.True(bytes.AsSpan().SequenceEqual(after[name]), name);

            // Non-strict: loads what matches and ignores the rest.
            model.load_state_dict(source, strict: false);
            Assert.Equal(Bytes(other)["0.weight"], Bytes(model)["0.weight"]);
            Assert.Equal(before["1.running_var"], Bytes(model)["1.running_var"]);
        }
        finally
        {
            foreach (var t in source.Values) t.Dispose();
        }
    }
}
