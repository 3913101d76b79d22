using Research.Models.Cells;
using Research.Models.Specs;
using YamlDotNet.RepresentationModel;

namespace Research.Search.Darts;

/// <summary>
/// A cell search space as data (search-spaces/*.yaml): the candidate ops by name, the
/// nodes per cell, the supernet's layout, and the layout the derived genotype is trained in.
/// Loading is strict: an unknown key, a wrong type or a bad op is an error naming file, line and key.
/// </summary>
public sealed record SearchSpace(string Name, EquatableList<CellOp> Ops, int Nodes, CellNetworkLayout Supernet, CellNetworkLayout Network)
{
    private static readonly string[] TopKeys = ["name", "ops", "nodes", "supernet", "network"];
    private static readonly string[] LayoutKeys = ["cells", "channels", "stem_multiplier", "stem_stride", "reductions", "drop_path", "dropout"];

    /// <summary>Edges of a cell: node i reads the two inputs and the i nodes before it.</summary>
    public int Edges => Enumerable.Range(0, Nodes).Sum(i => i + 2);

    public IReadOnlyList<string> OpNames => Ops.Select(o => o.Name).ToList();

    public SearchSpace Validate(string source = "search space")
    {
        if (Ops.Count < 2) throw new SpecFormatException($"{source}: 'ops' needs at least two candidate ops");
        if (Ops.Select(o => o.Name).Distinct().Count() != Ops.Count) throw new SpecFormatException($"{source}: an op name is given twice");
        if (Ops.All(o => o.IsZero)) throw new SpecFormatException($"{source}: 'ops' needs at least one op besides none");
        if (Nodes is < 1 or > 8) throw new SpecFormatException($"{source}: 'nodes' {Nodes} must be in 1..8");
        Supernet.Validate($"{source}: supernet");
        Network.Validate($"{source}: network");
        return this;
    }

    public static SearchSpace Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"search space file not found: {path}", path);
        return Parse(File.ReadAllText(path), path);
    }

    public static SearchSpace Parse(string yaml, string source = "<space>")
    {
        var root = StrictYaml.LoadRoot(yaml, source, string.Join(", ", TopKeys));
        var r = new StrictYaml(source);
        var top = r.Mapping(root, null, TopKeys);
        foreach (var k in new[] { "name", "ops", "supernet", "network" })
            if (!top.ContainsKey(k)) throw new SpecFormatException($"{source}:{root.Start.Line}: missing key '{k}'");
        string name = r.String(top["name"], "name");
        if (top["ops"] is not YamlMappingNode opsNode)
            throw new SpecFormatException($"{source}:{top["ops"].Start.Line}: 'ops' must map op names to definitions (none, skip, max_pool_k3, avg_pool_k3 or a block template such as ir_k3_e3_arelu)");
        var ops = new List<CellOp>();
        foreach (var (k, v) in opsNode.Children)
        {
            string opName = (k as YamlScalarNode)?.Value ?? "";
            try
            {
                ops.Add(CellOp.Parse(opName, r.String(v, $"ops.{opName}")));
            }
            catch (SpecFormatException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
            {
                throw new SpecFormatException($"{source}:{v.Start.Line}: ops.{opName}: {e.Message}");
            }
        }
        int nodes = top.TryGetValue("nodes", out var n) ? r.Int(n, "nodes") : 4;
        var space = new SearchSpace(name, ops.ToEquatableList(), nodes, Layout(r, top["supernet"], "supernet"), Layout(r, top["network"], "network"));
        return space.Validate(source);
    }

    private static CellNetworkLayout Layout(StrictYaml r, YamlNode node, string key)
    {
        var m = r.Mapping(node, key, LayoutKeys);
        var d = new CellNetworkLayout();
        int I(string k, int def) => m.TryGetValue(k, out var v) ? r.Int(v, $"{key}.{k}") : def;
        double D(string k) => m.TryGetValue(k, out var v) ? r.Double(v, $"{key}.{k}") : 0;
        EquatableList<int>? reductions = null;
        if (m.TryGetValue("reductions", out var red))
            reductions = (red as YamlSequenceNode ?? throw r.Error(red, $"{key}.reductions", "a list of cell indices"))
                .Select(x => r.Int(x, $"{key}.reductions")).ToEquatableList();
        return new CellNetworkLayout
        {
            Cells = I("cells", d.Cells), Channels = I("channels", d.Channels), StemMultiplier = I("stem_multiplier", d.StemMultiplier),
            StemStride = I("stem_stride", d.StemStride), Reductions = reductions, DropPath = D("drop_path"), Dropout = D("dropout"),
        };
    }
}
