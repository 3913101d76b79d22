using Research.Models.Cells;
using Research.Models.Specs;

namespace Research.Experiments.Reports.Html;

/// <summary>
/// Reads back the one-line genotype that darts_epochs.csv holds for every epoch
/// (<c>normal: op@0 op@1 | op@1 op@2 ; concat 2,3 // reduce: …</c>, <see cref="Genotype.ToString"/>),
/// so the live view can draw the cell a running search would derive now, before genotype.json exists.
/// </summary>
public static class GenotypeText
{
    /// <summary>The two cells, or null when the text is not in that form.</summary>
    public static (CellGenotype Normal, CellGenotype Reduce)? TryParse(string? text)
    {
        if (text is null) return null;
        var halves = text.Split("//", StringSplitOptions.TrimEntries);
        if (halves.Length != 2 || !halves[0].StartsWith("normal:", StringComparison.Ordinal) || !halves[1].StartsWith("reduce:", StringComparison.Ordinal)) return null;
        try
        {
            return (Cell(halves[0]["normal:".Length..]), Cell(halves[1]["reduce:".Length..]));
        }
        catch (Exception e) when (e is SpecFormatException or FormatException or OverflowException)
        {
            return null;
        }
    }

    private static CellGenotype Cell(string text)
    {
        var parts = text.Split(';', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !parts[1].StartsWith("concat", StringComparison.Ordinal)) throw new FormatException("no concat");
        var edges = parts[0].Split([' ', '|'], StringSplitOptions.RemoveEmptyEntries).Select(GenotypeEdge.Parse).ToEquatableList();
        var concat = parts[1]["concat".Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture)).ToEquatableList();
        if (edges.Count == 0 || edges.Count % CellGenotype.EdgesPerNode != 0) throw new FormatException("edges");
        return new CellGenotype(edges, concat);
    }
}
