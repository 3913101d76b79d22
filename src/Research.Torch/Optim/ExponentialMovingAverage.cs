using Research.Torch.Modules;

namespace Research.Torch.Optim;

/// <summary>
/// An exponential moving average of a model's parameters and floating-point buffers
/// (shadow ← d·shadow + (1−d)·value after each update; integer buffers are copied).
/// With warmup, d = min(decay, (1+n)/(10+n)) so early averages are not stuck at the init.
/// Evaluate with the averaged weights inside <see cref="Apply"/>.
/// </summary>
public sealed class ExponentialMovingAverage : IDisposable
{
    private readonly Dictionary<string, Tensor> _shadow;

    public ExponentialMovingAverage(Module model, double decay = 0.9999, bool warmup = false)
    {
        if (decay < 0 || decay > 1) throw new ArgumentOutOfRangeException(nameof(decay), decay, "EMA decay must be in [0, 1]");
        Decay = decay;
        Warmup = warmup;
        _shadow = new();
        using (torch.no_grad())
            foreach (var (name, t) in model.state_dict())
            {
                _shadow[name] = t.clone().DetachFromDisposeScope();
                t.Dispose();
            }
    }

    public double Decay { get; }
    public bool Warmup { get; }
    public long Updates { get; private set; }

    /// <summary>The decay the next update will use.</summary>
    public double CurrentDecay => Warmup ? Math.Min(Decay, (1.0 + Updates) / (10.0 + Updates)) : Decay;

    public void Update(Module model)
    {
        double d = CurrentDecay;
        var current = model.state_dict();
        try
        {
            using (torch.no_grad())
                foreach (var (name, shadow) in _shadow)
                {
                    if (!current.TryGetValue(name, out var t))
                        throw new ArgumentException($"EMA: the model has no tensor '{name}' (was the EMA made for another model?)");
                    if (shadow.dtype.IsFloatingPoint()) shadow.lerp_(t, 1 - d);
                    else shadow.copy_(t);
                }
        }
        finally
        {
            foreach (var t in current.Values) t.Dispose();
        }
        Updates++;
    }

    /// <summary>Loads the averaged weights into the model until the returned scope is disposed.</summary>
    public IDisposable Apply(Module model)
    {
        var backup = new Dictionary<string, Tensor>();
        foreach (var (name, t) in model.state_dict())
        {
            using (t) backup[name] = t.clone().DetachFromDisposeScope();
        }
        model.load_state_dict(_shadow);
        return new Restore(model, backup);
    }

    /// <summary>Copies the averaged weights into the model for good (e.g. before saving the final weights).</summary>
    public void CopyTo(Module model) => model.load_state_dict(_shadow);

    /// <summary>The shadow tensors (new handles) and the update count under <c>updates</c>.</summary>
    public Dictionary<string, Tensor> state_dict()
    {
        var d = _shadow.ToDictionary(kv => kv.Key, kv => kv.Value.detach().DetachFromDisposeScope());
        d["updates"] = torch.scalar_tensor(Updates, ScalarType.Int64).DetachFromDisposeScope();
        return d;
    }

    public void load_state_dict(IReadOnlyDictionary<string, Tensor> source)
    {
        var missing = _shadow.Keys.Where(k => !source.ContainsKey(k)).Append("updates").Where(k => !source.ContainsKey(k)).ToList();
        if (missing.Count > 0) throw new ArgumentException($"EMA load_state_dict: missing {string.Join(", ", missing.Select(m => $"'{m}'"))}");
        foreach (var (name, shadow) in _shadow)
        {
            var s = source[name];
            if (!shadow.shape.SequenceEqual(s.shape))
                throw new ArgumentException($"EMA load_state_dict: '{name}' expected shape [{string.Join(", ", shadow.shape)}], got [{string.Join(", ", s.shape)}]");
        }
        using (torch.no_grad())
            foreach (var (name, shadow) in _shadow) shadow.copy_(source[name]);
        Updates = source["updates"].item<long>();
    }

    public void Dispose()
    {
        foreach (var t in _shadow.Values) t.Dispose();
        _shadow.Clear();
    }

    private sealed class Restore(Module model, Dictionary<string, Tensor> backup) : IDisposable
    {
        public void Dispose()
        {
            if (backup.Count == 0) return;
            model.load_state_dict(backup);
            foreach (var t in backup.Values) t.Dispose();
            backup.Clear();
        }
    }
}
