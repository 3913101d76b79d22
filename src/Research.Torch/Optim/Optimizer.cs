using System.Globalization;

namespace Research.Torch.Optim;

/// <summary>
/// Parameters sharing a learning rate and weight decay (e.g. BN and biases without decay).
/// <see cref="InitialLearningRate"/> is what schedules scale.
/// </summary>
public sealed class ParamGroup
{
    public ParamGroup(IEnumerable<Parameter> parameters, double? lr = null, double? weight_decay = null)
    {
        Parameters = parameters.ToList();
        RequestedLearningRate = lr;
        RequestedWeightDecay = weight_decay;
    }

    public IReadOnlyList<Parameter> Parameters { get; }
    internal double? RequestedLearningRate { get; }
    internal double? RequestedWeightDecay { get; }
    public double LearningRate { get; set; }
    public double InitialLearningRate { get; internal set; }
    public double WeightDecay { get; set; }
    /// <summary>
    /// The learning rate as a 0-dim tensor on the parameters' device (see <see cref="Optimizer.UseLearningRateTensors"/>):
    /// a captured CUDA graph reads it at every replay, where a number would be frozen into the capture.
    /// </summary>
    public Tensor? LearningRateTensor { get; internal set; }
}

/// <summary>
/// Base of the optimizers: parameter groups, per-parameter state tensors, zero_grad, and a
/// state dict of named tensors (for safetensors checkpoints).
/// </summary>
public abstract class Optimizer : IDisposable
{
    private readonly List<ParamGroup> _groups;
    private readonly List<Dictionary<string, Tensor>> _state = new();
    private readonly List<long> _steps = new();

    protected Optimizer(IEnumerable<ParamGroup> groups, double lr, double weightDecay)
    {
        if (lr < 0) throw new ArgumentOutOfRangeException(nameof(lr), lr, "learning rate must be >= 0");
        if (weightDecay < 0) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "weight decay must be >= 0");
        _groups = groups.ToList();
        if (_groups.Count == 0 || _groups.All(g => g.Parameters.Count == 0))
            throw new ArgumentException("optimizer got an empty parameter list");
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var g in _groups)
        {
            g.LearningRate = g.RequestedLearningRate ?? lr;
            g.InitialLearningRate = g.LearningRate;
            g.WeightDecay = g.RequestedWeightDecay ?? weightDecay;
            foreach (var p in g.Parameters)
            {
                if (!seen.Add(p)) throw new ArgumentException("a parameter appears in more than one parameter group");
                _state.Add(new Dictionary<string, Tensor>());
                _steps.Add(0);
            }
        }
    }

    public IReadOnlyList<ParamGroup> ParamGroups => _groups;

    /// <summary>Sets every group's learning rate to factor × its initial rate (what schedules call).</summary>
    public void ScaleLearningRates(double factor)
    {
        foreach (var g in _groups)
        {
            g.LearningRate = g.InitialLearningRate * factor;
            if (g.LearningRateTensor is { } t)
                using (torch.no_grad()) t.fill_(g.LearningRate);
        }
    }

    /// <summary>
    /// Keeps each group's learning rate in a device tensor that the update reads (for CUDA graphs);
    /// only optimizers whose update supports it (SGD) accept this.
    /// </summary>
    public void UseLearningRateTensors(Device device)
    {
        if (!SupportsLearningRateTensors) throw new NotSupportedException($"{GetType().Name} reads its learning rate as a number; CUDA graphs need SGD");
        foreach (var g in _groups)
            g.LearningRateTensor ??= torch.full([], g.LearningRate, ScalarType.Float32, device).DetachFromDisposeScope();
    }

    /// <summary>Whether <see cref="Update"/> reads <see cref="ParamGroup.LearningRateTensor"/> when it is set.</summary>
    protected virtual bool SupportsLearningRateTensors => false;

    public void zero_grad(bool set_to_none = true)
    {
        foreach (var g in _groups)
            foreach (var p in g.Parameters)
                p.zero_grad(set_to_none);
    }

    /// <summary>
    /// A state tensor of the i-th parameter, counting across groups in order (e.g. SGD's
    /// momentum_buffer), for look-ahead updates such as DARTS's unrolled step. The optimizer
    /// keeps ownership: do not dispose or modify it.
    /// </summary>
    public bool TryGetState(int index, string key, out Tensor tensor)
    {
        if (index < 0 || index >= _state.Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"the optimizer has {_state.Count} parameters");
        return _state[index].TryGetValue(key, out tensor!);
    }

    /// <summary>One update of every parameter that has a gradient.</summary>
    public void step()
    {
        using var _ = torch.no_grad();
        int index = 0;
        foreach (var g in _groups)
            foreach (var p in g.Parameters)
            {
                int i = index++;
                using var scope = torch.NewDisposeScope();
                var grad = p.grad;
                if (grad is null) continue;
                _steps[i]++;
                Update(p, grad, g, new ParameterState(_state[i], _steps[i]));
            }
    }

    /// <summary>Updates one parameter in place. Temporaries die with the enclosing scope.</summary>
    protected abstract void Update(Parameter p, Tensor grad, ParamGroup group, ParameterState state);

    /// <summary>
    /// Named tensors: <c>state.{i}.{key}</c> per parameter (i counts across groups),
    /// <c>state.{i}.step</c>, and <c>group.{g}.lr</c>/<c>.initial_lr</c>/<c>.weight_decay</c>. New handles the caller owns.
    /// </summary>
    public Dictionary<string, Tensor> state_dict()
    {
        var d = new Dictionary<string, Tensor>();
        for (int i = 0; i < _state.Count; i++)
        {
            d[$"state.{i}.step"] = torch.scalar_tensor(_steps[i], ScalarType.Int64).DetachFromDisposeScope();
            foreach (var (k, t) in _state[i]) d[$"state.{i}.{k}"] = t.detach().DetachFromDisposeScope();
        }
        for (int g = 0; g < _groups.Count; g++)
        {
            d[$"group.{g}.lr"] = torch.scalar_tensor(_groups[g].LearningRate, ScalarType.Float64).DetachFromDisposeScope();
            d[$"group.{g}.initial_lr"] = torch.scalar_tensor(_groups[g].InitialLearningRate, ScalarType.Float64).DetachFromDisposeScope();
            d[$"group.{g}.weight_decay"] = torch.scalar_tensor(_groups[g].WeightDecay, ScalarType.Float64).DetachFromDisposeScope();
        }
        return d;
    }

    /// <summary>Restores a state dict made by an optimizer of the same type over the same parameters.</summary>
    public void load_state_dict(IReadOnlyDictionary<string, Tensor> source)
    {
        var problems = new List<string>();
        for (int g = 0; g < _groups.Count; g++)
            foreach (var k in new[] { "lr", "initial_lr", "weight_decay" })
                if (!source.ContainsKey($"group.{g}.{k}")) problems.Add($"missing 'group.{g}.{k}'");
        var byParam = new Dictionary<int, Dictionary<string, Tensor>>();
        foreach (var (key, t) in source)
        {
            if (!key.StartsWith("state.", StringComparison.Ordinal)) continue;
            var parts = key.Split('.', 3);
            if (parts.Length != 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var i) || i < 0 || i >= _state.Count)
            {
                problems.Add($"'{key}' does not name a parameter of this optimizer ({_state.Count} parameters)");
                continue;
            }
            (byParam.TryGetValue(i, out var m) ? m : byParam[i] = new())[parts[2]] = t;
        }
        var parameters = _groups.SelectMany(g => g.Parameters).ToList();
        foreach (var (i, entries) in byParam)
            foreach (var (k, t) in entries)
                if (k != "step" && !t.shape.SequenceEqual(parameters[i].shape))
                    problems.Add($"'state.{i}.{k}': expected shape [{string.Join(", ", parameters[i].shape)}], got [{string.Join(", ", t.shape)}]");
        if (problems.Count > 0) throw new ArgumentException($"optimizer load_state_dict: {string.Join("; ", problems)}");

        for (int g = 0; g < _groups.Count; g++)
        {
            _groups[g].LearningRate = source[$"group.{g}.lr"].item<double>();
            _groups[g].InitialLearningRate = source[$"group.{g}.initial_lr"].item<double>();
            _groups[g].WeightDecay = source[$"group.{g}.weight_decay"].item<double>();
        }
        for (int i = 0; i < _state.Count; i++)
        {
            foreach (var t in _state[i].Values) t.Dispose();
            _state[i].Clear();
            _steps[i] = 0;
            if (!byParam.TryGetValue(i, out var entries)) continue;
            var dev = parameters[i].device;
            foreach (var (k, t) in entries)
            {
                if (k == "step") _steps[i] = t.item<long>();
                else _state[i][k] = t.to(dev, copy: true).DetachFromDisposeScope();
            }
        }
    }

    public void Dispose()
    {
        foreach (var s in _state)
        {
            foreach (var t in s.Values) t.Dispose();
            s.Clear();
        }
        foreach (var g in _groups)
        {
            g.LearningRateTensor?.Dispose();
            g.LearningRateTensor = null;
        }
        GC.SuppressFinalize(this);
    }
}

/// <summary>One parameter's optimizer state: named tensors kept across steps, and its step count (1 on the first update).</summary>
public readonly struct ParameterState
{
    private readonly Dictionary<string, Tensor> _tensors;

    internal ParameterState(Dictionary<string, Tensor> tensors, long step)
    {
        _tensors = tensors;
        Step = step;
    }

    public long Step { get; }

    public bool TryGet(string name, out Tensor tensor) => _tensors.TryGetValue(name, out tensor!);

    /// <summary>The named state, created by <paramref name="init"/> on first use and kept out of any scope.</summary>
    public Tensor GetOrCreate(string name, Func<Tensor> init)
    {
        if (_tensors.TryGetValue(name, out var t)) return t;
        t = init().DetachFromDisposeScope();
        _tensors[name] = t;
        return t;
    }
}
