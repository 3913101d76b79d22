using System.Globalization;
using System.Text;
using Research.Core.Csv;
using Research.Core.IO;
using Research.Core.Text;

namespace Research.Models.LatencyTables;

/// <summary>
/// Measured latencies of network parts on one machine (ProxylessNAS, FBNet, Once-for-All): each part, measured once per input
/// shape, with the machine it was measured on; a network's latency is predicted as the sum of its parts' entries. The file is a
/// CSV (op, structure, in_channels, height, width, ms) after '# key: value' lines that hold the machine (pandas:
/// <c>read_csv(path, comment='#')</c>).
/// </summary>
public sealed class LatencyTable
{
    public static readonly string[] Columns = ["op", "structure", "in_channels", "height", "width", "ms"];

    public LatencyTable(IReadOnlyDictionary<string, string> machine, IReadOnlyDictionary<LatencyKey, double> entries, string source = "latency table")
    {
        Machine = machine;
        Entries = entries;
        Source = source;
    }

    public IReadOnlyDictionary<string, string> Machine { get; }
    public IReadOnlyDictionary<LatencyKey, double> Entries { get; }
    /// <summary>Where it was read from (messages name it).</summary>
    public string Source { get; }

    public string Engine => Machine.GetValueOrDefault("engine") ?? "?";
    public int Threads => int.TryParse(Machine.GetValueOrDefault("threads"), NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : 0;
    public int Batch => int.TryParse(Machine.GetValueOrDefault("batch"), NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b : 1;

    /// <summary>The predicted milliseconds of a network's parts: the sum of their entries, each as often as it occurs.</summary>
    public double Predict(IEnumerable<LatencyPartCount> parts)
    {
        double total = 0;
        foreach (var p in parts) total += Entry(p.Key) * p.Count;
        return total;
    }

    /// <summary>A network's predicted milliseconds (it is built and traced once, at batch 1, to find its parts).</summary>
    public double Predict(NetworkSpec spec)
    {
        using var traced = TracedNetwork.Trace(spec);
        return Predict(traced.Counts);
    }

    /// <summary>A part's entry; a part the table lacks is an <see cref="InvalidDataException"/> naming it and its input shape.</summary>
    public double Entry(LatencyKey key) => Entries.TryGetValue(key, out var ms) ? ms
        : throw new InvalidDataException(
            $"{Source}: no entry for {key.Op} at {key.Shape} (structure {key.Structure}; {Engine}, batch {Batch}, {Threads} thread(s)): the table was measured " +
            "for other networks; add it with `research bench latency-table --model NAME|--space S ... --out` this table (the same engine, threads and batch)");

    /// <summary>The keys whose values differ between this table's machine and <paramref name="here"/>, as "key: table 'a', here 'b'".</summary>
    public List<string> Mismatches(IReadOnlyDictionary<string, string> here) =>
        MachineKey.Compared.Where(k => Machine.GetValueOrDefault(k) != here.GetValueOrDefault(k))
            .Select(k => $"{k}: table '{Machine.GetValueOrDefault(k) ?? "none"}', here '{here.GetValueOrDefault(k) ?? "none"}'").ToList();

    public void Save(string path)
    {
        var text = new StringBuilder("# research latency table: milliseconds per part (median of timed runs), predicted network latency = sum of its parts\n");
        foreach (var (k, v) in Machine.OrderBy(kv => kv.Key, StringComparer.Ordinal)) text.Append("# ").Append(k).Append(": ").Append(v).Append('\n');
        text.Append(CsvTable.ToText(Columns, Entries.OrderBy(e => e.Key.Op, StringComparer.Ordinal).ThenBy(e => e.Key.Channels).ThenBy(e => e.Key.Height)
            .ThenBy(e => e.Key.Structure, StringComparer.Ordinal).Select(e => new[]
            {
                e.Key.Op, e.Key.Structure, Numbers.Integer(e.Key.Channels), Numbers.Integer(e.Key.Height), Numbers.Integer(e.Key.Width), Numbers.RoundTrip(e.Value),
            })));
        DurableFile.WriteAllText(path, text.ToString());
    }

    public static LatencyTable Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"latency table not found: {path}", path);
        var machine = new Dictionary<string, string>(StringComparer.Ordinal);
        var csv = new StringBuilder();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.StartsWith('#'))
            {
                int colon = line.IndexOf(':');
                if (colon > 0) machine[line[1..colon].Trim()] = line[(colon + 1)..].Trim();
                continue;
            }
            csv.Append(line).Append('\n');
        }
        if (!machine.ContainsKey("engine")) throw new InvalidDataException($"{path}: no '# engine: ...' line (not a latency table written by `research bench latency-table`)");
        var rows = CsvTable.Parse(csv.ToString());
        if (rows.Count > 0)
            foreach (var c in Columns)
                if (!rows[0].ContainsKey(c)) throw new InvalidDataException($"{path}: no '{c}' column (expected {string.Join(",", Columns)})");
        var entries = new Dictionary<LatencyKey, double>();
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            string where = $"{path}: entry {i + 1}";
            int Integer(string c) => int.TryParse(r[c], NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v
                : throw new InvalidDataException($"{where}: {c} '{r[c]}' is not a positive integer");
            double ms = Numbers.ParseDouble(r["ms"], $"{where}: ms");
            if (!(ms >= 0) || double.IsInfinity(ms)) throw new InvalidDataException($"{where}: ms {r["ms"]} must be a finite number >= 0");
            var key = new LatencyKey(r["op"], r["structure"], Integer("in_channels"), Integer("height"), Integer("width"));
            if (!entries.TryAdd(key, ms)) throw new InvalidDataException($"{where}: {key} is given twice");
        }
        return new LatencyTable(machine, entries, path);
    }

    /// <summary>This table with <paramref name="more"/>'s entries added (replacing the same keys): both must be of one machine.</summary>
    public LatencyTable Merge(LatencyTable more)
    {
        if (Mismatches(more.Machine) is { Count: > 0 } differ)
            throw new InvalidDataException($"{Source} was measured elsewhere or otherwise ({string.Join("; ", differ)}): write the new table to another file");
        var entries = new Dictionary<LatencyKey, double>(Entries);
        foreach (var (k, v) in more.Entries) entries[k] = v;
        return new LatencyTable(more.Machine, entries, Source);
    }
}
