using CsvHelper;
using Research.Core.IO;

namespace Research.Core.Csv;

/// <summary>
/// CSV files of the project's reports through CsvHelper: RFC 4180, a header row, '\n' line ends,
/// fields quoted only when they hold a comma, a quote or a line break, UTF-8 without a BOM.
/// Writes are durable (<see cref="DurableFile"/>).
/// </summary>
public static class CsvTable
{
    private static readonly CsvWriterOptions WriterOptions = CsvWriterOptions.Default with { NewLine = "\n" };

    public static string ToText(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string?>> rows)
    {
        var text = new StringWriter();
        using (var csv = CsvWriter.Create(text, WriterOptions, leaveOpen: true))
        {
            csv.WriteHeader(header.ToArray());
            foreach (var row in rows)
            {
                if (row.Count != header.Count)
                    throw new ArgumentException($"a CSV row has {row.Count} fields, the header {header.Count} ({string.Join(",", header)})");
                foreach (var field in row) csv.WriteField(field ?? "");
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
        var header = csv.Headers.ToArray();
        while (csv.Read())
        {
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < header.Length; i++) row[header[i]] = i < csv.FieldCount ? csv.GetString(i) : "";
            rows.Add(row);
        }
        return rows;
    }
}
