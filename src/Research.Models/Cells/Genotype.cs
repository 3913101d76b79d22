using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Research.Models.Cells;

/// <summary>One input of a node: the op and the state it reads (0, 1: the cell's inputs; 2…: earlier nodes).</summary>
public sealed record GenotypeEdge(string Op, int Input)
{
    public override string ToString() => $"{Op}@{Input.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Parses <c>op@input</c>.</summary>
    public static GenotypeEdge Parse(string text)
    {
        int at = text.LastIndexOf('@');
        if (at <= 0 || !int.TryParse(text.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var input))
            throw new SpecFormatException($"edge '{text}': expected op@input, e.g. mbconv_k3_e3@0");
        return new GenotypeEdge(text[..at], input);
    }
}

/// <summary>A derived cell: two edges per intermediate node, in node order, and the nodes concatenated as its output.</summary>
public sealed record CellGenotype(EquatableList<GenotypeEdge> Edges, EquatableList<int> Concat)
{
    public const int EdgesPerNode = 2;

    public int Nodes => Edges.Count / EdgesPerNode;

    public void Validate(IReadOnlyDictionary<string, CellOp> ops, string label)
    {
        if (Edges.Count == 0 || Edges.Count % EdgesPerNode != 0)
            throw new SpecFormatException($"{label}: {Edges.Count} edges; a cell needs {EdgesPerNode} per node");
        for (int i = 0; i < Edges.Count; i++)
        {
            var e = Edges[i];
            int node = i / EdgesPerNode;
            if (!ops.TryGetValue(e.Op, out var op))
                throw new SpecFormatException($"{label}: edge {i} '{e}': unknown op '{e.Op}' (the genotype's ops: {string.Join(", ", ops.Keys)})");
            if (op.IsZero) throw new SpecFormatException($"{label}: edge {i} '{e}': the zero op cannot be a derived edge");
            if (e.Input < 0 || e.Input > node + 1)
                throw new SpecFormatException($"{label}: edge {i} '{e}': node {node + 2} can read states 0..{node + 1}, not {e.Input}");
        }
        if (Concat.Count == 0 || Concat.Distinct().Count() != Concat.Count || Concat.Any(c => c < 2 || c > Nodes + 1))
            throw new SpecFormatException($"{label}: concat [{string.Join(", ", Concat)}] must list distinct nodes in 2..{Nodes + 1}");
    }

    public override string ToString()
    {
        var nodes = Enumerable.Range(0, Nodes).Select(n => string.Join(" ", Edges.Skip(n * EdgesPerNode).Take(EdgesPerNode)));
        return $"{string.Join(" | ", nodes)} ; concat {string.Join(",", Concat)}";
    }
}

/// <summary>
/// A searched cell pair (DARTS's genotypes.py as data): normal and reduction cells, and the
/// definitions of the ops they name, so a genotype file is self-contained. Value equality.
/// </summary>
public sealed record Genotype(CellGenotype Normal, CellGenotype Reduce, EquatableList<CellOp> Ops)
{
    public IReadOnlyDictionary<string, CellOp> OpTable => Ops.ToDictionary(o => o.Name);

    public CellOp Op(string name) => OpTable.TryGetValue(name, out var op) ? op : throw new SpecFormatException($"genotype: unknown op '{name}'");

    public Genotype Validate()
    {
        if (Ops.Select(o => o.Name).Distinct().Count() != Ops.Count) throw new SpecFormatException("genotype: an op name is defined twice");
        var table = OpTable;
        Normal.Validate(table, "genotype normal cell");
        Reduce.Validate(table, "genotype reduction cell");
        return this;
    }

    /// <summary>Only the ops the cells use, in the given order (what a derived genotype keeps).</summary>
    public static EquatableList<CellOp> UsedOps(IEnumerable<CellOp> all, params CellGenotype[] cells)
    {
        var used = cells.SelectMany(c => c.Edges).Select(e => e.Op).ToHashSet();
        return all.Where(o => used.Contains(o.Name)).ToEquatableList();
    }

    /// <summary>The readable one-line form.</summary>
    public override string ToString() => $"normal: {Normal} // reduce: {Reduce}";

    public JsonObject ToJsonObject()
    {
        var ops = new JsonObject();
        foreach (var o in Ops) ops[o.Name] = o.Definition;
        static JsonArray Edges(CellGenotype c) => new(c.Edges.Select(e => (JsonNode?)JsonValue.Create(e.ToString())).ToArray());
        static JsonArray Ints(CellGenotype c) => new(c.Concat.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray());
        return new JsonObject
        {
            ["normal"] = Edges(Normal), ["normal_concat"] = Ints(Normal),
            ["reduce"] = Edges(Reduce), ["reduce_concat"] = Ints(Reduce),
            ["ops"] = ops,
        };
    }

    public static Genotype FromJsonObject(JsonObject o, string source)
    {
        string[] allowed = ["normal", "normal_concat", "reduce", "reduce_concat", "ops"];
        foreach (var (k, _) in o)
            if (!allowed.Contains(k)) throw new SpecFormatException($"{source}: unknown key '{k}' in the genotype (allowed: {string.Join(", ", allowed)})");
        JsonNode Need(string key) => o[key] ?? throw new SpecFormatException($"{source}: the genotype has no '{key}'");
        try
        {
            var ops = Need("ops") as JsonObject ?? throw new SpecFormatException($"{source}: 'ops' must map op names to definitions");
            var opList = ops.Select(kv => CellOp.Parse(kv.Key, kv.Value?.GetValue<string>() ?? "")).ToEquatableList();
            CellGenotype Cell(string edges, string concat) => new(
                ((Need(edges) as JsonArray) ?? throw new SpecFormatException($"{source}: '{edges}' must be a list of op@input strings"))
                    .Select(n => GenotypeEdge.Parse(n?.GetValue<string>() ?? "")).ToEquatableList(),
                ((Need(concat) as JsonArray) ?? throw new SpecFormatException($"{source}: '{concat}' must be a list of node indices"))
                    .Select(n => n!.GetValue<int>()).ToEquatableList());
            return new Genotype(Cell("normal", "normal_concat"), Cell("reduce", "reduce_concat"), opList).Validate();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException)
        {
            throw new SpecFormatException($"{source}: malformed genotype: {e.Message}");
        }
        catch (SpecFormatException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
        {
            throw new SpecFormatException($"{source}: {e.Message}");
        }
    }
}
