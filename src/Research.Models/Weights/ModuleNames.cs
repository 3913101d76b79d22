using Research.Models.Networks;
using Research.Torch;
using Research.Torch.Modules;

namespace Research.Models.Weights;

/// <summary>
/// A family's naming written as module paths: our module → theirs. A tensor keeps its own name
/// within its module (weight, bias, running_mean, …), so a network's tensor map follows from this.
/// </summary>
internal sealed class ModuleNames(string naming)
{
    private readonly Dictionary<string, string> _modules = new(StringComparer.Ordinal);

    public void Add(string ours, string theirs)
    {
        if (!_modules.TryAdd(ours, theirs)) throw new InvalidOperationException($"{naming} names: module '{ours}' is mapped twice");
    }

    /// <summary>One of our ConvBnAct units (conv + bn) as their separate conv and BN modules.</summary>
    public void ConvBn(string ours, string theirConv, string theirBn)
    {
        Add(ours + ".conv", theirConv);
        Add(ours + ".bn", theirBn);
    }

    /// <summary>One of our ConvBnAct units as a conv-BN(-act) Sequential of theirs: [0] conv, [1] BN.</summary>
    public void ConvBnSequential(string ours, string theirs) => ConvBn(ours, theirs + ".0", theirs + ".1");

    /// <summary>Our squeeze-excitation (<c>OURS.se.fc1</c>, <c>.fc2</c>) as their reducing and expanding convs.</summary>
    public void SqueezeExcitation(string ours, string theirReduce, string theirExpand)
    {
        Add(ours + ".se.fc1", theirReduce);
        Add(ours + ".se.fc2", theirExpand);
    }

    /// <summary>
    /// Each of the network's blocks in order, as <typeparamref name="TBlock"/>, with our path (stages.S.B) and where it
    /// stands: its stage, its index in the stage and its index among all blocks (from 0). Returns the number of blocks.
    /// </summary>
    public int Blocks<TBlock>(Network net, Action<string, TBlock, (int Stage, int Index, int Flat)> map) where TBlock : Module<Tensor, Tensor>
    {
        int flat = 0;
        foreach (var (s, b, block) in net.Blocks()) map($"stages.{s}.{b}", (TBlock)block, (s, b, flat++));
        return flat;
    }

    /// <summary>Every tensor of the network by its module's mapping; a tensor whose module is not mapped is an error.</summary>
    public NameMap Build(IEnumerable<string> ourTensors)
    {
        var pairs = new List<(string, string)>();
        var unmapped = new List<string>();
        foreach (var name in ourTensors)
        {
            int dot = name.LastIndexOf('.');
            if (dot > 0 && _modules.TryGetValue(name[..dot], out var module)) pairs.Add((name, module + name[dot..]));
            else unmapped.Add(name);
        }
        if (unmapped.Count > 0)
            throw new ArgumentException($"no {naming} name for {unmapped.Count} tensor(s): {string.Join(", ", unmapped.Take(5))}{(unmapped.Count > 5 ? ", …" : "")}");
        return new NameMap(naming, pairs);
    }
}
