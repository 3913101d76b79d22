using System.Collections;

namespace Research.Torch.IO;

/// <summary>
/// The tensors and metadata loaded from a safetensors file, by name, in header order.
/// It owns the tensors: Dispose frees them all (keep one past that with
/// <see cref="Tensor.alias"/>, which shares its storage).
/// </summary>
public sealed class SafeTensorsFile : IReadOnlyDictionary<string, Tensor>, IDisposable
{
    private readonly Dictionary<string, Tensor> _byName;
    private readonly KeyValuePair<string, Tensor>[] _ordered;

    internal SafeTensorsFile(SafeTensorsHeader header, Tensor[] tensors)
    {
        Header = header;
        _ordered = new KeyValuePair<string, Tensor>[tensors.Length];
        _byName = new Dictionary<string, Tensor>(tensors.Length, StringComparer.Ordinal);
        for (int i = 0; i < tensors.Length; i++)
        {
            var name = header.Tensors[i].Name;
            _ordered[i] = new(name, tensors[i]);
            _byName.Add(name, tensors[i]);
        }
    }

    public string Path => Header.Path;

    /// <summary>Names, dtypes, shapes and offsets as the file's header gave them.</summary>
    public SafeTensorsHeader Header { get; }

    public IReadOnlyDictionary<string, string> Metadata => Header.Metadata;

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
