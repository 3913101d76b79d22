using CsvHelper;

namespace Research.Experiments.Reports.Html;

/// <summary>
/// A CSV of a run read for showing, never failing: a file replaced while it is read (the writers
/// rename a new file over it, so the open handle still reads the old one whole), truncated by hand,
/// or half-written gives the rows that are whole and a <see cref="Problem"/> saying what was left out.
/// </summary>
public sealed record TableFile(string Path, IReadOnlyList<string> Header, IReadOnlyList<Dictionary<string, string>> Rows, string? Problem)
{
    /// <summary>Reads <paramref name="path"/>; null when it does not exist (what is missing is the caller's to say).</summary>
    public static TableFile? Read(string path)
    {
        string text;
        try
        {
            if (!File.Exists(path)) return null;
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            text = reader.ReadToEnd();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new TableFile(path, [], [], $"unreadable ({e.Message})");
        }
        return Parse(path, text);
    }

    public static TableFile Parse(string path, string text)
    {
        if (text.Length == 0) return new TableFile(path, [], [], "empty (being written, or truncated)");
        var problems = new List<string>();
        // Every writer ends a file with a line break: text after the last one is a row cut short.
        int end = text.LastIndexOf('\n');
        if (end < text.Length - 1)
        {
            problems.Add("the last line is incomplete (truncated, or being written) and is left out");
            if (end < 0) return new TableFile(path, [], [], problems[0]);
            text = text[..(end + 1)];
        }
        var rows = new List<Dictionary<string, string>>();
        string[] header = [];
        try
        {
            using var csv = CsvReader.FromText(text, CsvReaderOptions.Default);
            csv.ReadHeader();
            header = csv.Headers.ToArray();
            int line = 1;
            while (csv.Read())
            {
                line++;
                if (csv.FieldCount != header.Length)
                {
                    problems.Add(string.Create(CultureInfo.InvariantCulture, $"row {line} has {csv.FieldCount} of {header.Length} fields and is left out"));
                    continue;
                }
                var row = new Dictionary<string, string>(StringComparer.Ordinal);
                for (int i = 0; i < header.Length; i++) row[header[i]] = csv.GetString(i);
                rows.Add(row);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            problems.Add($"unreadable after row {rows.Count + 1} ({e.Message})");
        }
        return new TableFile(path, header, rows, problems.Count == 0 ? null : string.Join("; ", problems));
    }

    public bool Has(string column) => Header.Contains(column);

    /// <summary>A column's values as numbers (null where a cell is empty or not a number).</summary>
    public double?[] Numbers(string column) => Rows.Select(r => Number(r, column)).ToArray();

    public static double? Number(IReadOnlyDictionary<string, string> row, string column) =>
        row.TryGetValue(column, out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : null;
}
