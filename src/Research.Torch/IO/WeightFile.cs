namespace Research.Torch.IO;

/// <summary>
/// A state dict from a file in either format a researcher brings: safetensors, or PyTorch's zip
/// format (`torch.save`, .pth/.pt), told apart by their first bytes, not their extensions. The
/// tensors are owned by the returned object (dispose it).
/// </summary>
public static class WeightFile
{
    public static IWeightTensors Load(string path, Device? device = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"weights file not found: {path}", path);
        Span<byte> magic = stackalloc byte[4];
        using (var f = File.OpenRead(path))
            if (f.Read(magic) < 4)
                throw new SafeTensorsFormatException(path, $"{new FileInfo(path).Length} bytes: too short for a weights file");
        if (magic.SequenceEqual("PK\x03\x04"u8)) return new Loaded(Pth.PthFile.Load(path, device));
        return new Loaded(SafeTensors.Load(path, device));
    }

    private sealed class Loaded(IReadOnlyDictionary<string, Tensor> tensors) : IWeightTensors
    {
        public Tensor this[string key] => tensors[key];
        public IEnumerable<string> Keys => tensors.Keys;
        public IEnumerable<Tensor> Values => tensors.Values;
        public int Count => tensors.Count;
        public bool ContainsKey(string key) => tensors.ContainsKey(key);
        public bool TryGetValue(string key, out Tensor value) => tensors.TryGetValue(key, out value!);
        public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() => tensors.GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        public void Dispose() => (tensors as IDisposable)?.Dispose();
    }
}

/// <summary>A loaded state dict: tensors by name, owned until disposed.</summary>
public interface IWeightTensors : IReadOnlyDictionary<string, Tensor>, IDisposable;
