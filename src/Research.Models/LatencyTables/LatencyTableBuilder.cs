using Research.Core.Text;

namespace Research.Models.LatencyTables;

/// <summary>
/// Measures every part the given networks have, once per distinct key (a part that occurs in many networks, or many
/// times in one, is measured once), on one engine, batch and thread count, into a latency table.
/// </summary>
public static class LatencyTableBuilder
{
    public static LatencyTable Measure(IEnumerable<NetworkSpec> specs, ILatencyEngine engine, int threads, int batch, LatencyTiming timing, TextWriter? log = null)
    {
        if (batch < 1) throw new ArgumentException($"--batch {batch}: must be >= 1");
        timing.Validate();
        var entries = new Dictionary<LatencyKey, double>();
        int networks = 0;
        foreach (var spec in specs)
        {
            using var traced = TracedNetwork.Trace(spec);
            networks++;
            foreach (var part in traced.Parts)
            {
                if (entries.ContainsKey(part.Key)) continue;
                double ms = engine.MeasurePart(traced, part, batch, timing);
                entries[part.Key] = ms;
                log?.WriteLine($"entry {part.Key.Op} {part.Key.Shape} {part.Key.Structure} ms {Numbers.Fixed(ms, 4)}");
            }
        }
        if (networks == 0) throw new ArgumentException("no network to measure");
        var machine = MachineKey.Here(engine.Name, engine.Version, engine.Device, threads, batch);
        machine["timing"] = $"warm-up {timing.Warmup}, median of {timing.Repeats}";
        machine["networks"] = networks.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new LatencyTable(machine, entries);
    }
}
