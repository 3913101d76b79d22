using Research.Models.Cells;
using Research.Core.Yaml;
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
    private static readonly string[] LayoutKeys =
        ["cells", "channels", "stem_multiplier", "stem_stride", "reductions", "drop_path", "drop_path_schedule", "auxiliary", "dropout", "affine"];

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
        if (!Network.Affine) throw new SpecFormatException($"{source}: network: affine: false applies to the supernet only (a trained network's batch norms are affine)");
        if (Supernet.Auxiliary > 0) throw new SpecFormatException($"{source}: supernet: auxiliary applies to the network only");
        // Each op at every width a cell gives it (supernet and network), so a bad template is named with its file now.
        var widths = Supernet.CellWidths().Concat(Network.CellWidths()).Select(w => w.C).Distinct();
        foreach (var op in Ops)
            foreach (int c in widths)
                try
                {
                    op.CheckWidth(c);
                }
                catch (SpecFormatException e)
                {
                    throw new SpecFormatException($"{source}: ops.{op.Name}: {e.Message}");
                }
        return this;
    }

    public static SearchSpace Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"search space file not found: {path}", path);
        return Parse(File.ReadAllText(path), path);
    }

    public static SearchSpace Parse(string yaml, string source = "<space>")
    {
        var checker = new YamlChecker(source);
        var root = checker.LoadRoot(yaml, string.Join(", ", TopKeys));
        var space = root is null ? null : Read(checker, root);
        if (checker.HasErrors || space is null) throw new SpecFormatException(string.Join("\n", checker.Errors));
        return space.Validate(source);
    }

    private static SearchSpace? Read(YamlChecker checker, YamlMappingNode root)
    {
        var top = checker.Map(root, "", TopKeys)!;
        foreach (var k in new[] { "name", "ops", "supernet", "network" })
            if (!top.Has(k)) top.Missing(k);
        string? name = top["name"] is { } nn ? checker.String(nn, "name") : null;
        var ops = new List<CellOp>();
        if (top["ops"] is YamlMappingNode opsNode)
            foreach (var (k, v) in opsNode.Children)
            {
                string opName = (k as YamlScalarNode)?.Value ?? "";
                if (checker.String(v, $"ops.{opName}") is not { } definition) continue;
                try
                {
                    ops.Add(CellOp.Parse(opName, definition));
                }
                catch (SpecFormatException e)
                {
                    checker.Error(v, $"ops.{opName}", e.Message);
                }
            }
        else if (top["ops"] is { } bad)
            checker.Error(bad, "ops", "must map op names to definitions (none, skip, max_pool_k3, avg_pool_k3 or a block template such as ir_k3_e3_arelu)");
        int nodes = top["nodes"] is { } n ? checker.Int(n, "nodes") ?? 4 : 4;
        var supernet = top["supernet"] is { } sn ? Layout(checker, sn, "supernet") : null;
        var network = top["network"] is { } nw ? Layout(checker, nw, "network") : null;
        return name is null || supernet is null || network is null ? null : new SearchSpace(name, ops.ToEquatableList(), nodes, supernet, network);
    }

    private static CellNetworkLayout? Layout(YamlChecker checker, YamlNode node, string key)
    {
        var m = checker.Map(node, key, LayoutKeys);
        if (m is null) return null;
        var defaults = new CellNetworkLayout();
        int Integer(string k, int fallback) => m[k] is { } v ? checker.Int(v, m.Sub(k)) ?? fallback : fallback;
        double Fraction(string k) => m[k] is { } v ? checker.Number(v, m.Sub(k)) ?? 0 : 0;
        return new CellNetworkLayout
        {
            Cells = Integer("cells", defaults.Cells), Channels = Integer("channels", defaults.Channels), StemMultiplier = Integer("stem_multiplier", defaults.StemMultiplier),
            StemStride = Integer("stem_stride", defaults.StemStride), Reductions = m["reductions"] is { } red ? checker.IntList(red, m.Sub("reductions"))?.ToEquatableList() : null,
            DropPath = Fraction("drop_path"), Dropout = Fraction("dropout"), Auxiliary = Fraction("auxiliary"),
            DropPathSchedule = m["drop_path_schedule"] is { } ds ? Schedule(checker, ds, m.Sub("drop_path_schedule")) : DropSchedule.Depth,
            Affine = m["affine"] is not { } af || (checker.Bool(af, m.Sub("affine")) ?? true),
        };
    }

    private static DropSchedule Schedule(YamlChecker checker, YamlNode node, string key)
    {
        var text = checker.String(node, key);
        if (text == "epoch") return DropSchedule.Epoch;
        if (text is not null && text != "depth") checker.Error(node, key, $"must be depth or epoch, got '{text}'");
        return DropSchedule.Depth;
    }
}
