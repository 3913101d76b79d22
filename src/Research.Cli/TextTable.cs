using System.Text;

namespace Research.Cli;

/// <summary>A plain aligned text table (numbers right-aligned), for terminal output that scripts can also read.</summary>
public sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = new();

    public void Add(params object[] cells) => _rows.Add(cells.Select(c => c switch
    {
        double d => d.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture),
        long or int => string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0:N0}", c),
        _ => c?.ToString() ?? "",
    }).ToArray());

    public override string ToString()
    {
        var all = _rows.Prepend(headers).ToList();
        var widths = headers.Select((_, i) => all.Max(r => i < r.Length ? r[i].Length : 0)).ToArray();
        bool Numeric(int col) => _rows.Count > 0 && _rows.All(r => col >= r.Length || r[col].Length == 0 || char.IsDigit(r[col][^1]));
        var sb = new StringBuilder();
        foreach (var r in all)
        {
            for (int i = 0; i < headers.Length; i++)
            {
                var cell = i < r.Length ? r[i] : "";
                sb.Append(Numeric(i) && !ReferenceEquals(r, headers) ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]));
                if (i < headers.Length - 1) sb.Append("  ");
            }
            sb.AppendLine();
        }
        return sb.ToString();
    }
}
