using System.Text;

namespace Research.Experiments.Reports;

/// <summary>Minimal RFC 4180 CSV: fields quoted only when they hold a comma, quote or line break.</summary>
public static class CsvText
{
    public static string Field(string? s) =>
        s is null ? "" : s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;

    public static string Line(IEnumerable<string?> fields) => string.Join(",", fields.Select(Field));

    /// <summary>Rows as header → value maps.</summary>
    public static List<Dictionary<string, string>> Read(string path)
    {
        var lines = Parse(File.ReadAllText(path));
        if (lines.Count == 0) return [];
        var header = lines[0];
        return lines.Skip(1).Where(l => l.Count > 1 || l[0].Length > 0)
            .Select(l => header.Select((h, i) => (h, v: i < l.Count ? l[i] : "")).ToDictionary(x => x.h, x => x.v)).ToList();
    }

    public static List<List<string>> Parse(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false, any = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            any = true;
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(cell.ToString()); cell.Clear(); }
            else if (c == '\n' || c == '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                row.Add(cell.ToString());
                cell.Clear();
                rows.Add(row);
                row = new List<string>();
                any = false;
            }
            else cell.Append(c);
        }
        if (any) { row.Add(cell.ToString()); rows.Add(row); }
        return rows;
    }
}
