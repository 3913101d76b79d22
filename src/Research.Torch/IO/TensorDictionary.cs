using System.Collections;

namespace Research.Torch.IO;

/// <summary>
/// Tensors read from a file, by name, in the order the file lists them (what the safetensors and
/// .pth readers return). It owns the tensors: Dispose frees them all (keep one past that with
/// <see cref="Tensor.alias"/>, which shares its storage).
/// </summary>
public abstract class TensorDictionary : IReadOnlyDictionary<string, Tensor>, IDisposable
{
    private readonly Dictionary<string, Tensor> _byName;
    private readonly KeyValuePair<string, Tensor>[] _ordered;

    private protected TensorDictionary(IReadOnlyList<string> names, Tensor[] tensors)
    {
        _ordered = new KeyValuePair<string, Tensor>[tensors.Length];
        _byName = new Dictionary<string, Tensor>(tensors.Length, StringComparer.Ordinal);
        for (int i = 0; i < tensors.Length; i++)
        {
            _ordered[i] = new(names[i], tensors[i]);
            _byName.Add(names[i], tensors[i]);
        }
    }

    /// <summary>The file the tensors came from.</summary>
    public abstract string Path { get; }

    public Tensor this[string name] =>
        _byName.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"{Path} has no tensor '{name}'");

    public int Count => _ordered.Length;
    public IEnumerable<string> Keys => _ordered.Select(kv => kv.Key);
    public IEnumerable<Tensor> Values => _ordered.Select(kv => kv.Value);
    public bool ContainsKey(string key) => _byName.ContainsKey(key);
    public bool TryGetValue(string key, out Tensor value) => _byName.TryGetValue(key, out value!);
    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, Tensor>>)_ordered).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        foreach (var kv in _ordered) kv.Value.Dispose();
    }
}
