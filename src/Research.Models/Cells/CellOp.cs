using System.Text.RegularExpressions;
using Research.Models.Specs;

namespace Research.Models.Cells;

/// <summary>What a cell edge can compute.</summary>
public enum CellOpKind
{
    /// <summary>The zero op (DARTS's <c>none</c>): the edge contributes nothing; never in a derived cell.</summary>
    Zero,
    /// <summary>Identity; a factorized 1×1 reduction when the edge strides.</summary>
    Skip,
    MaxPool,
    AvgPool,
    /// <summary>A mobile block (MBConv, sandglass, Ghost, Shuffle, ...) from a block template.</summary>
    Block,
}

/// <summary>
/// A named candidate operation, defined by a compact text: <c>none</c>, <c>skip</c>,
/// <c>max_pool_k3</c>, <c>avg_pool_k3</c>, or a block template without repeats, stride and
/// channels, which the cell supplies (e.g. <c>ir_k3_e3_arelu_noskip</c>). Strict on parse.
/// </summary>
public sealed partial record CellOp
{
    private CellOp(string name, string definition, CellOpKind kind, int kernel, BlockSpec? template)
    {
        (Name, Definition, Kind, Kernel, Template) = (name, definition, kind, kernel, template);
    }

    public string Name { get; }
    public string Definition { get; }
    public CellOpKind Kind { get; }
    /// <summary>Pooling window (pools only).</summary>
    public int Kernel { get; }
    /// <summary>The block, with placeholder channels (blocks only); see <see cref="BlockFor"/>.</summary>
    public BlockSpec? Template { get; }

    public bool IsZero => Kind == CellOpKind.Zero;
    public bool IsSkip => Kind == CellOpKind.Skip;

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^(max|avg)_pool_k([0-9]+)$")]
    private static partial Regex PoolPattern();

    public static CellOp Parse(string name, string definition)
    {
        if (string.IsNullOrWhiteSpace(name) || !NamePattern().IsMatch(name))
            throw new SpecFormatException($"op name '{name}': use lower-case letters, digits and '_', starting with a letter");
        var def = (definition ?? "").Trim();
        if (def == "none") return new CellOp(name, def, CellOpKind.Zero, 0, null);
        if (def == "skip") return new CellOp(name, def, CellOpKind.Skip, 0, null);
        if (PoolPattern().Match(def) is { Success: true } m)
        {
            int k = int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (k < 1 || k % 2 == 0) throw new SpecFormatException($"op '{name}': '{def}': the pooling window must be odd");
            return new CellOp(name, def, m.Groups[1].Value == "max" ? CellOpKind.MaxPool : CellOpKind.AvgPool, k, null);
        }
        foreach (var tok in def.Split('_').Skip(1))
            if (tok.Length > 1 && tok[0] is 'r' or 's' or 'c' && char.IsAsciiDigit(tok[1]))
                throw new SpecFormatException($"op '{name}': '{def}': token '{tok}': a cell op takes no repeats, stride or channels (the cell sets them)");
        BlockSpec template;
        try
        {
            template = BlockSpec.Parse(def + "_c8");
        }
        catch (SpecFormatException e)
        {
            throw new SpecFormatException($"op '{name}': '{def}' is not none, skip, max_pool_kK, avg_pool_kK or a block template: {e.Message}");
        }
        if (template.Kind == BlockKind.Conv && template.MaxPool) throw new SpecFormatException($"op '{name}': '{def}': the mp flag changes the size; use max_pool_k3");
        if (template.Kind == BlockKind.Cell) throw new SpecFormatException($"op '{name}': '{def}': a cell cannot be an op of a cell");
        return new CellOp(name, def, CellOpKind.Block, 0, template);
    }

    /// <summary>The block this op is on an edge of width <paramref name="channels"/> with a stride.</summary>
    public BlockSpec BlockFor(int channels, int stride) =>
        (Template ?? throw new InvalidOperationException($"op '{Name}' is not a block")) with { OutChannels = channels, Stride = stride, Repeats = 1 };

    public bool Equals(CellOp? other) => other is not null && Name == other.Name && Definition == other.Definition;

    public override int GetHashCode() => HashCode.Combine(Name, Definition);

    public override string ToString() => $"{Name}: {Definition}";
}
