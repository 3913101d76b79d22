using System.Globalization;
using System.Text;
using Research.Core.Csv;
using Research.Core.IO;
using Research.Core.Text;

namespace Research.Models.LatencyTables;

/// <summary>
/// Measured latencies of network parts on one machine (ProxylessNAS, FBNet, Once-for-All): each part, measured once per input
/// shape, with the machine it was measured on; a network's latency is predicted as the sum of its parts' entries, each times
/// its factor from <see cref="Factors"/>, fitted to the whole networks measured beside their parts: k (the median of measured /
/// sum of parts) for every part, or a factor per cell op where the networks tell the ops apart (1 when the table holds none).
/// The file is a CSV (op, structure, in_channels, height, width, ms, kind, parts_ms, op_parts) after '# key: value' lines that
/// hold the machine (pandas: <c>read_csv(path, comment='#')</c>): part rows (kind 'part'), then one row per measured network
/// (kind 'network': op its name, structure its spec's hash, in_channels and height/width its input, ms measured, parts_ms the
/// sum of its parts, op_parts its cell ops' shares of that sum as <c>definition=ms;...</c>). A table without the kind column
/// (written before calibration) is all parts; one without op_parts is calibrated by k alone.
/// </summary>
public sealed class LatencyTable
{
    /// <summary>The columns every table has (tables written before calibration have only these).</summary>
    public static readonly string[] Columns = ["op", "structure", "in_channels", "height", "width", "ms"];
    /// <summary>The columns written now: a row's kind ('part' or 'network') and, for a network, the sum of its parts and its cell ops' shares.</summary>
    public static readonly string[] AllColumns = [.. Columns, "kind", "parts_ms", "op_parts"];
    public const string PartKind = "part", NetworkKind = "network";
    /// <summary>The header line with the calibration: derived from the network rows when saved, never read back as a machine key.</summary>
    public const string CalibrationKey = "calibration";

    public LatencyTable(IReadOnlyDictionary<string, string> machine, IReadOnlyDictionary<LatencyKey, double> entries, string source = "latency table",
        IReadOnlyList<NetworkLatency>? networks = null)
    {
        Machine = machine;
        Entries = entries;
        Source = source;
        Networks = networks ?? [];
        Factors = LatencyCalibration.Fit(Networks);
    }

    public IReadOnlyDictionary<string, string> Machine { get; }
    public IReadOnlyDictionary<LatencyKey, double> Entries { get; }
    /// <summary>The whole networks measured beside their parts (for a --space table, the genotypes drawn to calibrate it).</summary>
    public IReadOnlyList<NetworkLatency> Networks { get; }
    /// <summary>The factors each part's entry is multiplied by, fitted to <see cref="Networks"/> (see <see cref="LatencyCalibration"/>).</summary>
    public LatencyCalibration Factors { get; }

    /// <summary>
    /// The factor of every part without one of its own: k, the median over <see cref="Networks"/> of measured / sum of parts (1
    /// without networks), or, fitted per cell op, the factor of the parts that are not cell ops.
    /// </summary>
    public double Calibration => Factors.Rest;
    /// <summary>Where it was read from (messages name it).</summary>
    public string Source { get; }

    public string Engine => Machine.GetValueOrDefault("engine") ?? "?";
    public int Threads => int.TryParse(Machine.GetValueOrDefault("threads"), NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : 0;
    public int Batch => int.TryParse(Machine.GetValueOrDefault("batch"), NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b : 1;

    /// <summary>The uncalibrated milliseconds of a network's parts: the sum of their entries, each as often as it occurs.</summary>
    public double PredictParts(IEnumerable<LatencyPartCount> parts)
    {
        double total = 0;
        foreach (var p in parts) total += Entry(p.Key) * p.Count;
        return total;
    }

    /// <summary>A whole network's predicted milliseconds from its parts: the sum of their entries, each times its factor.</summary>
    public double Predict(IEnumerable<LatencyPartCount> parts)
    {
        double total = 0;
        foreach (var p in parts) total += Entry(p.Key) * p.Count * Factors.Factor(p.Group);
        return total;
    }

    /// <summary>A network's predicted milliseconds, calibrated (it is built and traced once, at batch 1, to find its parts).</summary>
    public double Predict(NetworkSpec spec)
    {
        using var traced = TracedNetwork.Trace(spec);
        return Predict(traced.Counts);
    }

    /// <summary>The header line that says what the factors are and where they come from.</summary>
    public string CalibrationText => Factors.ToString();

    /// <summary>A part's entry; a part the table lacks is an <see cref="InvalidDataException"/> naming it and its input shape.</summary>
    public double Entry(LatencyKey key) => Entries.TryGetValue(key, out var ms) ? ms
        : throw new InvalidDataException(
            $"{Source}: no entry for {key.Op} at {key.Shape} (structure {key.Structure}; {Engine}, batch {Batch}, {Threads} thread(s)): the table was measured " +
            "for other networks; add it with `research bench latency-table --model NAME|--space S ... --out` this table (the same engine, threads and batch)");

    /// <summary>
    /// The keys whose values differ between this table's machine and <paramref name="here"/>, as "key: table 'a', here 'b'"; a key
    /// of <see cref="MachineKey.AddedLater"/> counts only where both have it.
    /// </summary>
    public List<string> Mismatches(IReadOnlyDictionary<string, string> here) =>
        MachineKey.Compared.Where(k => !MachineKey.AddedLater.Contains(k) || (Machine.ContainsKey(k) && here.ContainsKey(k)))
            .Where(k => Machine.GetValueOrDefault(k) != here.GetValueOrDefault(k))
            .Select(k => $"{k}: table '{Machine.GetValueOrDefault(k) ?? "none"}', here '{here.GetValueOrDefault(k) ?? "none"}'").ToList();

    public void Save(string path)
    {
        var text = new StringBuilder("# research latency table: milliseconds per part (median of timed runs), predicted network latency = sum of its parts, each x its calibration factor\n");
        foreach (var (k, v) in Machine.Where(kv => kv.Key != CalibrationKey).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            text.Append("# ").Append(k).Append(": ").Append(v).Append('\n');
        text.Append("# ").Append(CalibrationKey).Append(": ").Append(CalibrationText).Append('\n');
        var parts = Entries.OrderBy(e => e.Key.Op, StringComparer.Ordinal).ThenBy(e => e.Key.Channels).ThenBy(e => e.Key.Height)
            .ThenBy(e => e.Key.Structure, StringComparer.Ordinal).Select(e => new[]
            {
                e.Key.Op, e.Key.Structure, Numbers.Integer(e.Key.Channels), Numbers.Integer(e.Key.Height), Numbers.Integer(e.Key.Width), Numbers.RoundTrip(e.Value),
                PartKind, "", "",
            });
        var networks = Networks.OrderBy(n => n.Name, StringComparer.Ordinal).ThenBy(n => n.SpecHash, StringComparer.Ordinal).Select(n => new[]
        {
            n.Name, n.SpecHash, Numbers.Integer(n.Channels), Numbers.Integer(n.Resolution), Numbers.Integer(n.Resolution), Numbers.RoundTrip(n.MeasuredMs),
            NetworkKind, Numbers.RoundTrip(n.PartsMs), OpPartsText(n.Ops),
        });
        text.Append(CsvTable.ToText(AllColumns, parts.Concat(networks)));
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
                // The calibration line is derived from the network rows, not a property of the machine.
                if (colon > 0 && line[1..colon].Trim() is var k && k != CalibrationKey) machine[k] = line[(colon + 1)..].Trim();
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
        var networks = new Dictionary<(string, string), NetworkLatency>();
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            string where = $"{path}: entry {i + 1}";
            int Integer(string c) => int.TryParse(r[c], NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v
                : throw new InvalidDataException($"{where}: {c} '{r[c]}' is not a positive integer");
            double Ms(string c)
            {
                double v = Numbers.ParseDouble(r[c], $"{where}: {c}");
                return v >= 0 && !double.IsInfinity(v) ? v : throw new InvalidDataException($"{where}: {c} {r[c]} must be a finite number >= 0");
            }
            double ms = Ms("ms");
            string kind = r.GetValueOrDefault("kind") is { Length: > 0 } given ? given : PartKind;
            if (kind == NetworkKind)
            {
                if (!r.ContainsKey("parts_ms")) throw new InvalidDataException($"{path}: no 'parts_ms' column for its network rows (expected {string.Join(",", AllColumns)})");
                double parts = Ms("parts_ms");
                if (parts <= 0) throw new InvalidDataException($"{where}: parts_ms {r["parts_ms"]} must be > 0 (the sum of the network's parts)");
                if (Integer("height") != Integer("width")) throw new InvalidDataException($"{where}: a network's height and width are its resolution, the same");
                var opParts = r.GetValueOrDefault("op_parts") is { Length: > 0 } text ? ParseOpParts(text, parts, where) : null;
                var n = new NetworkLatency(r["op"], r["structure"], Integer("in_channels"), Integer("height"), ms, parts, opParts);
                if (!networks.TryAdd(n.Key, n)) throw new InvalidDataException($"{where}: network {n.Name} (spec {n.SpecHash}) is given twice");
                continue;
            }
            if (kind != PartKind) throw new InvalidDataException($"{where}: kind '{kind}' is neither '{PartKind}' nor '{NetworkKind}'");
            var key = new LatencyKey(r["op"], r["structure"], Integer("in_channels"), Integer("height"), Integer("width"));
            if (!entries.TryAdd(key, ms)) throw new InvalidDataException($"{where}: {key} is given twice");
        }
        return new LatencyTable(machine, entries, path, networks.Values.ToList());
    }

    /// <summary>A network's cell-op shares as the op_parts column holds them: <c>definition=ms</c> joined by ';', in ordinal order.</summary>
    public static string OpPartsText(IReadOnlyDictionary<string, double> ops) =>
        string.Join(';', ops.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}={Numbers.RoundTrip(o.Value)}"));

    private static Dictionary<string, double> ParseOpParts(string text, double partsMs, string where)
    {
        var ops = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var item in text.Split(';'))
        {
            int eq = item.IndexOf('=');
            if (eq <= 0 || item.IndexOf('=', eq + 1) >= 0)
                throw new InvalidDataException($"{where}: op_parts item '{item}' is not definition=ms (items joined by ';')");
            string op = item[..eq];
            double v = Numbers.ParseDouble(item[(eq + 1)..], $"{where}: op_parts {op}");
            if (!(v >= 0) || double.IsInfinity(v)) throw new InvalidDataException($"{where}: op_parts {op} {item[(eq + 1)..]} must be a finite number >= 0");
            if (!ops.TryAdd(op, v)) throw new InvalidDataException($"{where}: op_parts names {op} twice");
        }
        // The shares are parts of parts_ms (up to the rounding of their sum).
        if (ops.Values.Sum() > partsMs * (1 + 1e-9))
            throw new InvalidDataException($"{where}: op_parts sum to {Numbers.RoundTrip(ops.Values.Sum())} ms, more than parts_ms {Numbers.RoundTrip(partsMs)}");
        return ops;
    }

    /// <summary>This table with <paramref name="more"/>'s entries and networks added (replacing the same keys): both must be of one machine.</summary>
    public LatencyTable Merge(LatencyTable more)
    {
        if (Mismatches(more.Machine) is { Count: > 0 } differ)
            throw new InvalidDataException($"{Source} was measured elsewhere or otherwise ({string.Join("; ", differ)}): write the new table to another file");
        var entries = new Dictionary<LatencyKey, double>(Entries);
        foreach (var (k, v) in more.Entries) entries[k] = v;
        var networks = Networks.ToDictionary(n => n.Key);
        foreach (var n in more.Networks) networks[n.Key] = n;
        return new LatencyTable(more.Machine, entries, Source, networks.Values.ToList());
    }
}
