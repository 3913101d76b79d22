using CsvHelper;
using Research.Core.IO;

namespace Research.Core.Csv;

/// <summary>
/// CSV files of the project's reports through CsvHelper: RFC 4180, a header row, '\n' line ends,
/// fields quoted only when they hold a comma, a quote or a line break, UTF-8 without a BOM.
/// Writes are durable (<see cref="DurableFile"/>). Text that a spreadsheet would run as a formula
/// (a field starting with =, +, -, @, a tab or a carriage return that is not a number, e.g. a class
/// named after a folder "=HYPERLINK(...)") is written with a leading apostrophe, as OWASP advises;
/// <see cref="Parse"/> takes it off again, so the project reads back exactly what it wrote.
/// </summary>
public static class CsvTable
{
    private static readonly CsvWriterOptions WriterOptions = CsvWriterOptions.Default with { NewLine = "\n" };

    public static string ToText(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string?>> rows)
    {
        var text = new StringWriter();
        using (var csv = CsvWriter.Create(text, WriterOptions, leaveOpen: true))
        {
            csv.WriteHeader(header.Select(Defuse).ToArray());
            foreach (var row in rows)
            {
                if (row.Count != header.Count)
                    throw new ArgumentException($"a CSV row has {row.Count} fields, the header {header.Count} ({string.Join(",", header)})");
                foreach (var field in row) csv.WriteField(Defuse(field ?? ""));
                csv.EndRecord();
            }
        }
        return text.ToString();
    }

    public static void Write(string path, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string?>> rows) =>
        DurableFile.WriteAllText(path, ToText(header, rows));

    /// <summary>Records through CsvHelper's generated writer (types marked [CsvRecord]), durably.</summary>
    public static void WriteRecords<T>(string path, IEnumerable<T> records) => DurableFile.Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
        using (var csv = CsvWriter.Create(writer, WriterOptions, leaveOpen: true))
            csv.WriteRecords(records);
        writer.Flush();
    });

    /// <summary>Rows as header → value maps.</summary>
    public static List<Dictionary<string, string>> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: not found", path);
        return Parse(File.ReadAllText(path));
    }

    public static List<Dictionary<string, string>> Parse(string text)
    {
        var rows = new List<Dictionary<string, string>>();
        if (text.Length == 0) return rows;
        using var csv = CsvReader.FromText(text, CsvReaderOptions.Default);
        csv.ReadHeader();
        var header = csv.Headers.Select(Restore).ToArray();
        while (csv.Read())
        {
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < header.Length; i++) row[header[i]] = i < csv.FieldCount ? Restore(csv.GetString(i)) : "";
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>
    /// The field as written: with an apostrophe before text a spreadsheet would take for a formula, and before
    /// an apostrophe that already stands there (so that <see cref="Restore"/> is exact).
    /// </summary>
    public static string Defuse(string field) => NeedsApostrophe(field) ? "'" + field : field;

    /// <summary>The field as it was before <see cref="Defuse"/>.</summary>
    public static string Restore(string field) => field.StartsWith('\'') && NeedsApostrophe(field[1..]) ? field[1..] : field;

    private static bool NeedsApostrophe(string field)
    {
        var rest = field.AsSpan().TrimStart('\'');
        return rest.Length > 0 && rest[0] is '=' or '+' or '-' or '@' or '\t' or '\r'
               && !double.TryParse(rest, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);
    }
}
