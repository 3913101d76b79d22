using System.Reflection;

namespace Research.Torch.Modules;

/// <summary>
/// A network component with named parameters, buffers and submodules, in registration
/// order (as PyTorch's nn.Module). Register explicitly (register_parameter/buffer/module)
/// or by reflection over fields (<see cref="RegisterComponents"/>, as TorchSharp does).
/// A module owns its parameters and buffers: Dispose frees them and its submodules.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<KeyValuePair<string, Parameter?>> _parameters = new();
    private readonly List<KeyValuePair<string, Tensor?>> _buffers = new();
    private readonly HashSet<string> _nonPersistent = new();
    private readonly List<KeyValuePair<string, Module>> _modules = new();
    private readonly HashSet<string> _names = new();
    private bool _disposed;

    protected Module(string name)
    {
        GetName = name;
    }

    /// <summary>The module's type name, as shown in summaries (e.g. Conv2d).</summary>
    public string GetName { get; }

    public bool training { get; private set; } = true;

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"{GetName}: component name '{name}' must be non-empty and contain no '.'", nameof(name));
        if (!_names.Add(name))
            throw new ArgumentException($"{GetName}: a parameter, buffer or submodule named '{name}' is already registered", nameof(name));
    }

    public void register_parameter(string name, Parameter? p)
    {
        CheckName(name);
        _parameters.Add(new(name, p));
    }

    /// <summary>Registers state that is not trained (BN running statistics); the module takes ownership.</summary>
    public void register_buffer(string name, Tensor? t, bool persistent = true)
    {
        CheckName(name);
        t?.DetachFromDisposeScope();
        _buffers.Add(new(name, t));
        if (!persistent) _nonPersistent.Add(name);
    }

    public void register_module(string name, Module m)
    {
        CheckName(name);
        _modules.Add(new(name, m));
    }

    /// <summary>Replaces a registered buffer's tensor (the old one is disposed).</summary>
    protected void set_buffer(string name, Tensor t)
    {
        int i = _buffers.FindIndex(kv => kv.Key == name);
        if (i < 0) throw new ArgumentException($"{GetName}: no buffer named '{name}'", nameof(name));
        t.DetachFromDisposeScope();
        var old = _buffers[i].Value;
        _buffers[i] = new(name, t);
        if (old != null && !ReferenceEquals(old, t)) old.Dispose();
    }

    /// <summary>
    /// Registers this instance's fields of type Parameter, Module and Tensor (as buffers),
    /// in declaration order, named after the field without a leading underscore.
    /// </summary>
    protected void RegisterComponents()
    {
        var types = new List<Type>();
        for (var t = GetType(); t != null && t != typeof(Module); t = t.BaseType) types.Insert(0, t);
        foreach (var type in types)
        {
            var fields = type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Where(f => !f.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute)) || f.Name.Contains("BackingField"))
                .OrderBy(f => f.MetadataToken);
            foreach (var f in fields)
            {
                var name = FieldName(f.Name);
                var value = f.GetValue(this);
                switch (value)
                {
                    case Parameter p: register_parameter(name, p); break;
                    case Module m: register_module(name, m); break;
                    case Tensor t: register_buffer(name, t); break;
                }
            }
        }
    }

    private static string FieldName(string field)
    {
        if (field.StartsWith('<')) field = field[1..field.IndexOf('>')]; // auto-property backing field
        return field.TrimStart('_');
    }

    // ---- traversal ----

    public IEnumerable<(string name, Module module)> named_children() => _modules.Select(kv => (kv.Key, kv.Value));

    public IEnumerable<Module> children() => _modules.Select(kv => kv.Value);

    /// <summary>This module ("") and every descendant, depth first, with dotted names.</summary>
    public IEnumerable<(string name, Module module)> named_modules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (n, m) in _modules)
            foreach (var x in m.named_modules(prefix.Length == 0 ? n : prefix + "." + n))
                yield return x;
    }

    public IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true)
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, m) in recurse ? named_modules() : [("", this)])
            foreach (var (n, p) in m._parameters)
                if (p != null && seen.Add(p))
                    yield return (prefix.Length == 0 ? n : prefix + "." + n, p);
    }

    public IEnumerable<Parameter> parameters(bool recurse = true) => named_parameters(recurse).Select(x => x.parameter);

    public IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true)
    {
        foreach (var (prefix, m) in recurse ? named_modules() : [("", this)])
            foreach (var (n, b) in m._buffers)
                if (b != null)
                    yield return (prefix.Length == 0 ? n : prefix + "." + n, b);
    }

    public IEnumerable<Tensor> buffers(bool recurse = true) => named_buffers(recurse).Select(x => x.buffer);

    // ---- modes, devices, gradients ----

    public virtual Module train(bool on = true)
    {
        training = on;
        foreach (var (_, m) in _modules) m.train(on);
        return this;
    }

    public Module eval() => train(false);

    /// <summary>Moves every parameter and buffer in place (handles stay valid, as with PyTorch's .to).</summary>
    public Module to(Device device) => Convert(t => t.to(device), _ => true);

    /// <summary>Casts floating-point parameters and buffers; integer buffers (e.g. counters) keep their type.</summary>
    public Module to(ScalarType dtype) => Convert(t => t.to(dtype), t => t.dtype.IsFloatingPoint());

    public Module to(Device device, ScalarType dtype) => to(device).to(dtype);

    /// <summary>
    /// Stores 4-d parameters and buffers (conv weights) in <paramref name="format"/>, in place.
    /// libtorch's convolutions follow their weight's layout, so with NHWC weights the activations
    /// are NHWC from the first conv on (PyTorch's <c>model.to(memory_format=...)</c>).
    /// </summary>
    public Module to(MemoryFormat format) => Convert(t => t.contiguous(format), t => t.dim() == 4);

    private Module Convert(Func<Tensor, Tensor> f, Func<Tensor, bool> applies)
    {
        using (torch.no_grad())
        {
            foreach (var t in parameters().Cast<Tensor>().Concat(buffers()))
            {
                if (!applies(t)) continue;
                using var moved = f(t);
                t.set_data(moved);
            }
        }
        return this;
    }

    public void zero_grad(bool set_to_none = true)
    {
        foreach (var p in parameters()) p.zero_grad(set_to_none);
    }

    // ---- state ----

    /// <summary>
    /// Parameters then persistent buffers of each module, in registration order, as new
    /// handles to the same tensors (the caller owns the handles, not the data).
    /// </summary>
    public Dictionary<string, Tensor> state_dict()
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var (prefix, m) in named_modules())
        {
            string Full(string n) => prefix.Length == 0 ? n : prefix + "." + n;
            foreach (var (n, p) in m._parameters)
                if (p != null) d[Full(n)] = p.detach();
            foreach (var (n, b) in m._buffers)
                if (b != null && !m._nonPersistent.Contains(n)) d[Full(n)] = b.detach();
        }
        return d;
    }

    /// <summary>
    /// Copies values into the parameters and buffers. Strict: every key must match a
    /// tensor of the same shape, and none may be missing; the error names the tensor
    /// and both shapes. Nothing is changed when a check fails.
    /// </summary>
    public void load_state_dict(IReadOnlyDictionary<string, Tensor> source, bool strict = true)
    {
        var own = state_dict();
        try
        {
            var problems = new List<string>();
            foreach (var (name, t) in own)
            {
                if (!source.TryGetValue(name, out var s))
                {
                    if (strict) problems.Add($"missing key '{name}'");
                    continue;
                }
                var (ws, hs) = (t.shape, s.shape);
                if (!ws.SequenceEqual(hs))
                    problems.Add($"'{name}': expected shape [{string.Join(", ", ws)}], got [{string.Join(", ", hs)}]");
            }
            if (strict)
                foreach (var k in source.Keys.Where(k => !own.ContainsKey(k)))
                    problems.Add($"unexpected key '{k}'");
            if (problems.Count > 0)
                throw new ArgumentException($"load_state_dict into {GetName}: {string.Join("; ", problems)}");
            using (torch.no_grad())
                foreach (var (name, t) in own)
                    if (source.TryGetValue(name, out var s))
                        t.copy_(s);
        }
        finally
        {
            foreach (var t in own.Values) t.Dispose();
        }
    }

    // ---- hooks ----

    private readonly List<Func<Module, Tensor, Tensor?>> _preHooks = new();
    private readonly List<Func<Module, Tensor, Tensor, Tensor?>> _hooks = new();

    protected IReadOnlyList<Func<Module, Tensor, Tensor?>> ForwardPreHooks => _preHooks;
    protected IReadOnlyList<Func<Module, Tensor, Tensor, Tensor?>> ForwardHooks => _hooks;

    /// <summary>Whether a forward or pre-forward hook is registered (a caller that would skip <c>call</c> must not then).</summary>
    public bool has_hooks => _preHooks.Count > 0 || _hooks.Count > 0;

    /// <summary>
    /// Called after forward with (module, input, output); a non-null return replaces the
    /// output. Dispose the returned handle to remove the hook.
    /// </summary>
    public IDisposable register_forward_hook(Func<Module, Tensor, Tensor, Tensor?> hook)
    {
        _hooks.Add(hook);
        return new HookHandle(() => _hooks.Remove(hook));
    }

    public IDisposable register_forward_hook(Action<Module, Tensor, Tensor> hook) =>
        register_forward_hook((m, i, o) => { hook(m, i, o); return null; });

    /// <summary>Called before forward with (module, input); a non-null return replaces the input.</summary>
    public IDisposable register_forward_pre_hook(Func<Module, Tensor, Tensor?> hook)
    {
        _preHooks.Add(hook);
        return new HookHandle(() => _preHooks.Remove(hook));
    }

    private sealed class HookHandle(Action remove) : IDisposable
    {
        private Action? _remove = remove;

        public void Dispose()
        {
            _remove?.Invoke();
            _remove = null;
        }
    }

    // ---- lifetime ----

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (_disposed || !disposing) return;
        _disposed = true;
        foreach (var (_, p) in _parameters) p?.Dispose();
        foreach (var (_, b) in _buffers) b?.Dispose();
        foreach (var (_, m) in _modules) m.Dispose();
    }

    public override string ToString() => GetName;
}

/// <summary>A module with a typed forward; <see cref="call"/> runs the hooks around it.</summary>
public abstract class Module<TIn, TOut> : Module
{
    protected Module(string name) : base(name) { }

    public abstract TOut forward(TIn input);

    public virtual TOut call(TIn input)
    {
        if (ForwardPreHooks.Count == 0 && ForwardHooks.Count == 0) return forward(input);
        if (input is not Tensor x || typeof(TOut) != typeof(Tensor))
            throw new InvalidOperationException($"{GetName}: forward hooks need a Tensor-to-Tensor module");
        foreach (var h in ForwardPreHooks.ToArray())
            if (h(this, x) is { } replaced) x = replaced;
        var y = (Tensor)(object)forward((TIn)(object)x)!;
        foreach (var h in ForwardHooks.ToArray())
            if (h(this, x, y) is { } replaced) y = replaced;
        return (TOut)(object)y;
    }
}
