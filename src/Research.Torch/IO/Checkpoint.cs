using System.Globalization;
using Research.Torch.Modules;
using Research.Torch.Optim;

namespace Research.Torch.IO;

/// <summary>
/// A training checkpoint as one safetensors file, readable from Python: tensors under
/// <c>model.</c>, <c>optimizer.</c>, <c>ema.</c> and <c>rng.cpu</c>; the scheduler position and
/// the caller's values (epoch, best metric...) in the header's metadata. Written atomically.
/// </summary>
public static class Checkpoint
{
    public const string Format = "research-checkpoint/1";

    public static void Save(string path, Module model, Optimizer? optimizer = null, LRScheduler? scheduler = null,
        ExponentialMovingAverage? ema = null, IReadOnlyDictionary<string, string>? metadata = null, bool includeRng = true,
        IReadOnlyList<KeyValuePair<string, Optimizer>>? extraOptimizers = null)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        try
        {
            void Add(string prefix, Dictionary<string, Tensor> d)
            {
                foreach (var (k, t) in d) tensors.Add(new(prefix + k, t));
            }
            Add("model.", model.state_dict());
            if (optimizer is not null) Add("optimizer.", optimizer.state_dict());
            if (ema is not null) Add("ema.", ema.state_dict());
            foreach (var (name, opt) in extraOptimizers ?? []) Add(name + ".", opt.state_dict());
            if (includeRng) tensors.Add(new("rng.cpu", torch.random.get_rng_state().DetachFromDisposeScope()));
            var meta = new Dictionary<string, string>();
            if (metadata is not null)
                foreach (var (k, v) in metadata) meta[k] = v;
            meta["format"] = Format;
            if (optimizer is not null) meta["optimizer"] = optimizer.GetType().Name;
            foreach (var (name, opt) in extraOptimizers ?? []) meta[name + ".type"] = opt.GetType().Name;
            if (scheduler is not null) meta["scheduler_position"] = scheduler.Position.ToString(CultureInfo.InvariantCulture);
            SafeTensors.Save(path, tensors, meta);
        }
        finally
        {
            foreach (var (_, t) in tensors) t.Dispose();
        }
    }

    /// <summary>The checkpoint's metadata alone (its header; no tensor is read).</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path) => SafeTensors.ReadHeader(path).Metadata;

    /// <summary>
    /// Restores what the checkpoint holds into the given objects (each must match what was
    /// saved: same architecture, optimizer type, parameter order) and returns its metadata.
    /// Errors name the file and the tensor.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Load(string path, Module model, Optimizer? optimizer = null, LRScheduler? scheduler = null,
        ExponentialMovingAverage? ema = null, bool restoreRng = true, IReadOnlyList<KeyValuePair<string, Optimizer>>? extraOptimizers = null)
    {
        using var file = SafeTensors.Load(path);
        if (!file.Metadata.TryGetValue("format", out var f) || f != Format)
            throw new InvalidDataException($"{path}: not a {Format} checkpoint (metadata 'format' is {(f is null ? "missing" : $"'{f}'")})");
        Dictionary<string, Tensor> Section(string prefix) =>
            file.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(k => k[prefix.Length..], k => file[k]);
        // All or nothing: if any part fails to load, what was already restored is put back.
        var backup = Snapshot(model, optimizer, ema);
        var extras = (extraOptimizers ?? []).Select(kv => (kv.Key, kv.Value, saved: Copy(kv.Value.state_dict()))).ToList();
        long? position = scheduler?.Position;
        try
        {
            model.load_state_dict(Section("model."));
            if (optimizer is not null)
            {
                var saved = file.Metadata.GetValueOrDefault("optimizer");
                if (saved != optimizer.GetType().Name)
                    throw new InvalidDataException($"{path}: the checkpoint holds {(saved is null ? "no optimizer" : $"{saved} state")}, not {optimizer.GetType().Name} state");
                optimizer.load_state_dict(Require(Section("optimizer."), path, "optimizer"));
            }
            if (ema is not null) ema.load_state_dict(Require(Section("ema."), path, "EMA"));
            foreach (var (name, opt, _) in extras)
            {
                var saved = file.Metadata.GetValueOrDefault(name + ".type");
                if (saved != opt.GetType().Name)
                    throw new InvalidDataException($"{path}: the checkpoint holds {(saved is null ? $"no '{name}' optimizer" : $"{saved} state for '{name}'")}, not {opt.GetType().Name} state");
                opt.load_state_dict(Require(Section(name + "."), path, name));
            }
            if (scheduler is not null)
            {
                if (!file.Metadata.TryGetValue("scheduler_position", out var pos) || !long.TryParse(pos, NumberStyles.None, CultureInfo.InvariantCulture, out var p))
                    throw new InvalidDataException($"{path}: no scheduler position in the metadata");
                scheduler.SetPosition(p);
            }
            if (restoreRng && file.TryGetValue("rng.cpu", out var rng)) torch.random.set_rng_state(rng);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or TorchException)
        {
            model.load_state_dict(backup.model);
            if (optimizer is not null) optimizer.load_state_dict(backup.optimizer!);
            if (ema is not null) ema.load_state_dict(backup.ema!);
            foreach (var (_, opt, saved) in extras) opt.load_state_dict(saved);
            if (position is { } pos0) scheduler!.SetPosition(pos0);
            if (e is InvalidDataException) throw;
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        finally
        {
            foreach (var d in new[] { backup.model, backup.optimizer, backup.ema }.Concat(extras.Select(e => e.saved)))
                if (d is not null)
                    foreach (var t in d.Values) t.Dispose();
        }
        return file.Metadata.Where(kv => kv.Key is not ("format" or "optimizer") && !kv.Key.EndsWith(".type", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
    }

    private static (Dictionary<string, Tensor> model, Dictionary<string, Tensor>? optimizer, Dictionary<string, Tensor>? ema) Snapshot(
        Module model, Optimizer? optimizer, ExponentialMovingAverage? ema)
    {
        return (Copy(model.state_dict()), optimizer is null ? null : Copy(optimizer.state_dict()), ema is null ? null : Copy(ema.state_dict()));
    }

    private static Dictionary<string, Tensor> Copy(Dictionary<string, Tensor> d)
    {
        var c = d.ToDictionary(kv => kv.Key, kv => kv.Value.clone().DetachFromDisposeScope());
        foreach (var t in d.Values) t.Dispose();
        return c;
    }

    private static Dictionary<string, Tensor> Require(Dictionary<string, Tensor> section, string path, string what) =>
        section.Count > 0 ? section : throw new InvalidDataException($"{path}: the checkpoint holds no {what} state");
}
