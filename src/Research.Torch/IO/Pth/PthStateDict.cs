using System.Collections;

namespace Research.Torch.IO.Pth;

/// <summary>
/// The tensors of a PyTorch state dict file, by name, in the order the file lists them.
/// It owns the tensors: Dispose frees them all (keep one past that with
/// <see cref="Tensor.alias"/>, which shares its storage). Tensors come out contiguous and
/// without requires_grad, whatever layout and flags they were saved with.
/// </summary>
public sealed class PthStateDict : IReadOnlyDictionary<string, Tensor>, IDisposable
{
    private readonly Dictionary<string, Tensor> _byName;
    private readonly KeyValuePair<string, Tensor>[] _ordered;

    internal PthStateDict(string path, string? checkpointKey, IReadOnlyList<string> names, Tensor[] tensors)
    {
        Path = path;
        CheckpointKey = checkpointKey;
        _ordered = new KeyValuePair<string, Tensor>[tensors.Length];
        _byName = new Dictionary<string, Tensor>(tensors.Length, StringComparer.Ordinal);
        for (int i = 0; i < tensors.Length; i++)
        {
            _ordered[i] = new(names[i], tensors[i]);
            _byName.Add(names[i], tensors[i]);
        }
    }

    public string Path { get; }

    /// <summary>
    /// The key of the checkpoint entry the tensors came from ("state_dict" or "model") when the
    /// file is a checkpoint dict wrapping the state dict; null when the file is the state dict itself.
    /// </summary>
    public string? CheckpointKey { get; }

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
