using System.Collections;

namespace Research.Torch.Modules;

/// <summary>Passes the input through its modules in order; children are named 0, 1, ... or as given.</summary>
public sealed class Sequential : Module<Tensor, Tensor>, IEnumerable<Module<Tensor, Tensor>>
{
    private readonly List<Module<Tensor, Tensor>> _layers = new();

    public Sequential() : base(nameof(Sequential)) { }

    public Sequential(params Module<Tensor, Tensor>[] modules) : base(nameof(Sequential))
    {
        foreach (var m in modules) append(m);
    }

    public Sequential(params (string name, Module<Tensor, Tensor> module)[] modules) : base(nameof(Sequential))
    {
        foreach (var (n, m) in modules) append(n, m);
    }

    public Sequential append(Module<Tensor, Tensor> m) => append(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), m);

    public Sequential append(string name, Module<Tensor, Tensor> m)
    {
        register_module(name, m);
        _layers.Add(m);
        return this;
    }

    public int Count => _layers.Count;

    public Module<Tensor, Tensor> this[int i] => _layers[i];

    /// <summary>Intermediate outputs are owned by the caller's DisposeScope, as in any forward.</summary>
    public override Tensor forward(Tensor input)
    {
        if (_layers.Count == 0) return input.alias();
        var x = input;
        foreach (var m in _layers) x = m.call(x);
        return x;
    }

    public IEnumerator<Module<Tensor, Tensor>> GetEnumerator() => _layers.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>An indexed list of submodules (named 0, 1, ...) with no forward of its own.</summary>
public sealed class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
{
    private readonly List<T> _items = new();

    public ModuleList(params T[] modules) : base("ModuleList")
    {
        foreach (var m in modules) Add(m);
    }

    public void Add(T m)
    {
        register_module(_items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), m);
        _items.Add(m);
    }

    public T this[int i] => _items[i];
    public int Count => _items.Count;
    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Submodules by name, in insertion order, with no forward of its own.</summary>
public sealed class ModuleDict<T> : Module, IEnumerable<KeyValuePair<string, T>> where T : Module
{
    private readonly List<KeyValuePair<string, T>> _items = new();

    public ModuleDict() : base("ModuleDict") { }

    public void Add(string name, T m)
    {
        register_module(name, m);
        _items.Add(new(name, m));
    }

    public T this[string name] =>
        _items.FirstOrDefault(kv => kv.Key == name).Value ?? throw new KeyNotFoundException($"ModuleDict has no module '{name}'");

    public bool ContainsKey(string name) => _items.Any(kv => kv.Key == name);
    public int Count => _items.Count;
    public IEnumerable<string> Keys => _items.Select(kv => kv.Key);
    public IEnumerator<KeyValuePair<string, T>> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Returns its input (a new handle to it).</summary>
public sealed class Identity() : Module<Tensor, Tensor>(nameof(Identity))
{
    public override Tensor forward(Tensor input) => input.alias();
}

/// <summary>Flattens dims start..end (default: all but the batch dim).</summary>
public sealed class Flatten(long startDim = 1, long endDim = -1) : Module<Tensor, Tensor>(nameof(Flatten))
{
    public override Tensor forward(Tensor input) => input.flatten(startDim, endDim);
}
