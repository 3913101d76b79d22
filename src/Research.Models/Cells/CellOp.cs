using System.Text.RegularExpressions;

namespace Research.Models.Cells;

/// <summary>
/// A named candidate operation, defined by a compact text in one of the registered forms
/// (<see cref="CellOpFormRegistry"/>): <c>none</c>, <c>skip</c>, <c>max_pool_k3</c>,
/// <c>avg_pool_k3</c>, or a block template without repeats, stride and channels, which the cell
/// supplies (e.g. <c>ir_k3_e3_arelu_noskip</c>, DARTS's <c>sp_k3</c>). Strict on parse.
/// </summary>
public sealed partial record CellOp
{
    public CellOp(string name, string definition, CellOpForm form, int kernel = 0, BlockSpec? template = null)
    {
        (Name, Definition, Form, Kernel, Template) = (name, definition, form, kernel, template);
    }

    public string Name { get; }
    public string Definition { get; }
    public CellOpForm Form { get; }
    /// <summary>Pooling window (pools only).</summary>
    public int Kernel { get; }
    /// <summary>The block, without channels (block templates only); see <see cref="BlockFor"/>.</summary>
    public BlockSpec? Template { get; }

    public bool IsZero => Form.IsZero;
    public bool IsSkip => Form.IsSkip;

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex NamePattern();

    public static CellOp Parse(string name, string definition) => Parse(name, definition, CellOpFormRegistry.Default);

    public static CellOp Parse(string name, string definition, CellOpFormRegistry forms)
    {
        if (string.IsNullOrWhiteSpace(name) || !NamePattern().IsMatch(name))
            throw new SpecFormatException($"op name '{name}': use lower-case letters, digits and '_', starting with a letter");
        var def = (definition ?? "").Trim();
        foreach (var form in forms.Forms)
            if (form.TryParse(name, def) is { } op) return op;
        throw new SpecFormatException($"op '{name}': '{def}' is not one of: {string.Join(", ", forms.Syntaxes)}");
    }

    /// <summary>The block this op is on an edge of width <paramref name="channels"/> with a stride (its rules checked at that width).</summary>
    public BlockSpec BlockFor(int channels, int stride)
    {
        var spec = (Template ?? throw new InvalidOperationException($"op '{Name}' is not a block")) with { OutChannels = channels, Stride = stride, Repeats = 1 };
        try
        {
            spec.Validate();
        }
        catch (SpecFormatException e)
        {
            throw new SpecFormatException($"op '{Name}' ({Definition}) at width {channels}: {e.Message}");
        }
        return spec;
    }

    /// <summary>Checks the op at a width a cell will give it.</summary>
    public void CheckWidth(int channels) => Form.CheckWidth(this, channels);

    public bool Equals(CellOp? other) => other is not null && Name == other.Name && Definition == other.Definition;

    public override int GetHashCode() => HashCode.Combine(Name, Definition);

    public override string ToString() => $"{Name}: {Definition}";
}
