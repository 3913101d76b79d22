namespace Research.Torch.IO;

/// <summary>
/// A state dict from a file in either format a researcher brings: safetensors, or PyTorch's zip
/// format (`torch.save`, .pth/.pt), told apart by their first bytes, not their extensions. The
/// tensors are owned by the returned object (dispose it).
/// </summary>
public static class WeightFile
{
    /// <param name="check">given every tensor's name, dtype and shape once the file's header (or pickle) is read
    /// and before any tensor data is read or inflated; it throws to refuse the file (e.g. tensors the model
    /// does not have), so a file padded with tensors nobody asked for costs nothing.</param>
    public static IWeightTensors Load(string path, Device? device = null, Action<IReadOnlyList<WeightEntry>>? check = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"weights file not found: {path}", path);
        Span<byte> magic = stackalloc byte[4];
        using (var f = File.OpenRead(path))
            if (f.Read(magic) < 4)
                throw new SafeTensorsFormatException(path, $"{new FileInfo(path).Length} bytes: too short for a weights file");
        if (magic.SequenceEqual("PK\x03\x04"u8)) return new Loaded(Pth.PthFile.Load(path, device, check));
        return new Loaded(SafeTensors.Load(path, device, check));
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
