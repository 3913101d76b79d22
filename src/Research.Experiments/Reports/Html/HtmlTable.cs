using System.Net;
using System.Text;

namespace Research.Experiments.Reports.Html;

/// <summary>A cell: its text, the number it sorts by (null: sorts as text), a link, or a check box (named run) with a value.</summary>
public readonly record struct HtmlCell(string Text, double? Sort = null, string? Href = null, string? Check = null)
{
    public static implicit operator HtmlCell(string text) => new(text);

    public static HtmlCell Number(double? v, string format = "0.####") =>
        v is { } x ? new HtmlCell(x.ToString(format, CultureInfo.InvariantCulture), x) : new HtmlCell("", null);

    public static HtmlCell Count(long v) => new(v.ToString("N0", CultureInfo.InvariantCulture), v);
}

/// <summary>
/// A table that report.js makes sortable (click a heading; again to reverse): numeric columns sort
/// by each cell's data-sort value. Every text is HTML-encoded here (names come from files).
/// </summary>
public sealed class HtmlTable(string id, IReadOnlyList<string> headers)
{
    private readonly List<HtmlCell[]> _rows = [];
    private readonly List<string?> _rowClasses = [];

    public int Count => _rows.Count;

    public HtmlTable Add(IEnumerable<HtmlCell> cells, string? rowClass = null)
    {
        var row = cells.ToArray();
        if (row.Length != headers.Count) throw new ArgumentException($"table {id}: a row has {row.Length} cells for {headers.Count} headings");
        _rows.Add(row);
        _rowClasses.Add(rowClass);
        return this;
    }

    public string ToHtml()
    {
        var numeric = Enumerable.Range(0, headers.Count).Select(c => _rows.Count > 0 && _rows.All(r => r[c].Sort is not null || r[c].Text.Length == 0)
                                                                      && _rows.Any(r => r[c].Sort is not null)).ToArray();
        var sb = new StringBuilder();
        sb.Append("<div class=\"table-wrap\"><table class=\"sortable\" id=\"").Append(Encode(id)).Append("\"><thead><tr>");
        for (int c = 0; c < headers.Count; c++)
            sb.Append("<th data-type=\"").Append(numeric[c] ? "number" : "text").Append("\" aria-sort=\"none\" tabindex=\"0\">").Append(Encode(headers[c])).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        for (int r = 0; r < _rows.Count; r++)
        {
            sb.Append(_rowClasses[r] is { } cls ? $"<tr class=\"{Encode(cls)}\">" : "<tr>");
            for (int c = 0; c < headers.Count; c++)
            {
                var cell = _rows[r][c];
                sb.Append(numeric[c] ? "<td class=\"num\"" : "<td");
                if (cell.Sort is { } v) sb.Append(" data-sort=\"").Append(v.ToString("R", CultureInfo.InvariantCulture)).Append('"');
                sb.Append('>');
                if (cell.Check is { } value) sb.Append("<input type=\"checkbox\" name=\"run\" value=\"").Append(Encode(value)).Append("\" aria-label=\"").Append(Encode(cell.Text)).Append("\">");
                else if (cell.Href is { } href) sb.Append("<a href=\"").Append(Encode(href)).Append("\">").Append(Encode(cell.Text)).Append("</a>");
                else sb.Append(Encode(cell.Text));
                sb.Append("</td>");
            }
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table></div>");
        return sb.ToString();
    }

    /// <summary>All of a CSV's columns (numbers shown to four decimals, sorted by their full value).</summary>
    public static HtmlTable Of(string id, TableFile table, Func<IReadOnlyDictionary<string, string>, string?>? rowClass = null)
    {
        var t = new HtmlTable(id, table.Header);
        foreach (var row in table.Rows)
            t.Add(table.Header.Select(h => row.TryGetValue(h, out var s) ? Cell(s) : ""), rowClass?.Invoke(row));
        return t;
    }

    /// <summary>A CSV cell: a number when it reads as one (integers with thousands separators).</summary>
    public static HtmlCell Cell(string text)
    {
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && Math.Abs(n) >= 10000) return HtmlCell.Count(n);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? HtmlCell.Number(v) : text;
    }

    public static string Encode(string text) => WebUtility.HtmlEncode(text);
}
