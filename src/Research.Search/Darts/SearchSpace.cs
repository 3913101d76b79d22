using System.Globalization;
using Research.Models.Cells;
using Research.Models.Specs;
using YamlDotNet.Core;
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
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new SpecFormatException($"{source}:{e.Start.Line}: invalid YAML: {e.Message}");
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new SpecFormatException($"{source}: expected one YAML mapping with {string.Join(", ", TopKeys)}");
        var top = Mapping(source, root, "space", TopKeys);
        foreach (var k in new[] { "name", "ops", "supernet", "network" })
            if (!top.ContainsKey(k)) throw new SpecFormatException($"{source}:{root.Start.Line}: missing key '{k}'");
        string name = Scalar(source, top["name"], "name");
        if (top["ops"] is not YamlMappingNode opsNode)
            throw new SpecFormatException($"{source}:{top["ops"].Start.Line}: 'ops' must map op names to definitions (none, skip, max_pool_k3, avg_pool_k3 or a block template such as ir_k3_e3_arelu)");
        var ops = new List<CellOp>();
        foreach (var (k, v) in opsNode.Children)
        {
            string opName = (k as YamlScalarNode)?.Value ?? "";
            try
            {
                ops.Add(CellOp.Parse(opName, Scalar(source, v, $"ops.{opName}")));
            }
            catch (SpecFormatException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
            {
                throw new SpecFormatException($"{source}:{v.Start.Line}: ops.{opName}: {e.Message}");
            }
        }
        int nodes = top.TryGetValue("nodes", out var n) ? Int(source, n, "nodes") : 4;
        var space = new SearchSpace(name, ops.ToEquatableList(), nodes, Layout(source, top["supernet"], "supernet"), Layout(source, top["network"], "network"));
        return space.Validate(source);
    }

    private static CellNetworkLayout Layout(string source, YamlNode node, string key)
    {
        var m = Mapping(source, node, key, LayoutKeys);
        var d = new CellNetworkLayout();
        int I(string k, int def) => m.TryGetValue(k, out var v) ? Int(source, v, $"{key}.{k}") : def;
        double D(string k) => m.TryGetValue(k, out var v) ? Double(source, v, $"{key}.{k}") : 0;
        EquatableList<int>? reductions = null;
        if (m.TryGetValue("reductions", out var r))
            reductions = (r as YamlSequenceNode ?? throw new SpecFormatException($"{source}:{r.Start.Line}: '{key}.reductions' must be a list of cell indices"))
                .Select(x => Int(source, x, $"{key}.reductions")).ToEquatableList();
        return new CellNetworkLayout
        {
            Cells = I("cells", d.Cells), Channels = I("channels", d.Channels), StemMultiplier = I("stem_multiplier", d.StemMultiplier),
            StemStride = I("stem_stride", d.StemStride), Reductions = reductions, DropPath = D("drop_path"), Dropout = D("dropout"),
        };
    }

    private static Dictionary<string, YamlNode> Mapping(string source, YamlNode node, string key, string[] allowed)
    {
        if (node is not YamlMappingNode m) throw new SpecFormatException($"{source}:{node.Start.Line}: '{key}' must be a mapping");
        var d = new Dictionary<string, YamlNode>();
        foreach (var (k, v) in m.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            if (!allowed.Contains(name))
                throw new SpecFormatException($"{source}:{k.Start.Line}: unknown key '{name}'{(key == "space" ? "" : $" in '{key}'")} (allowed: {string.Join(", ", allowed)})");
            if (!d.TryAdd(name, v)) throw new SpecFormatException($"{source}:{k.Start.Line}: key '{name}' is given twice");
        }
        return d;
    }

    private static string Scalar(string source, YamlNode n, string key) =>
        n is YamlScalarNode { Value: { Length: > 0 } v } ? v : throw new SpecFormatException($"{source}:{n.Start.Line}: '{key}' must be a non-empty string");

    private static int Int(string source, YamlNode n, string key) =>
        n is YamlScalarNode { Value: { } v } && int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)
            ? i : throw new SpecFormatException($"{source}:{n.Start.Line}: '{key}' must be an integer");

    private static double Double(string source, YamlNode n, string key) =>
        n is YamlScalarNode { Value: { } v } && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
            ? d : throw new SpecFormatException($"{source}:{n.Start.Line}: '{key}' must be a number");
}
