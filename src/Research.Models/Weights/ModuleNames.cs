namespace Research.Models.Weights;

/// <summary>
/// A family's naming written as module paths: our module → theirs. A tensor keeps its own name
/// within its module (weight, bias, running_mean, …), so a network's tensor map follows from this.
/// </summary>
public sealed class ModuleNames(string naming)
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

    /// <summary>A built block's modules by its kind's names for a layout (<see cref="Blocks.BlockKind.WeightNames"/>).</summary>
    public void Block(string layout, Torch.Modules.Module block, string ours, string theirs)
    {
        var kind = Blocks.BlockKindRegistry.Default.ForModule(block.GetType())
                   ?? throw new ArgumentException($"{naming} names: {ours} is a {block.GetType().Name}, which no registered block kind builds");
        if (!kind.WeightNames.TryGetValue(layout, out var names))
            throw new ArgumentException($"{naming} names: '{kind.Code}' blocks ({ours}) have no names in the {layout} layout");
        names(this, block, ours, theirs);
    }

    /// <summary>
    /// Every block of <paramref name="net"/> (ours: stages.{stage}.{index}) by its kind's names in <paramref name="layout"/>,
    /// under the path <paramref name="theirs"/> gives for (stage, index in the stage, position in the whole list counted from
    /// <paramref name="first"/>). Returns the position after the last block, where libraries that list blocks flat put the next module.
    /// </summary>
    public int BlocksOf(Network net, string layout, Func<int, int, int, string> theirs, int first = 0)
    {
        int k = first;
        foreach (var (s, b, block) in net.Blocks()) Block(layout, block, $"stages.{s}.{b}", theirs(s, b, k++));
        return k;
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
