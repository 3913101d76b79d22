using Research.Core.Text;

namespace Research.Models.LatencyTables;

/// <summary>
/// Measures every part the given networks have, once per distinct key (a part that occurs in many networks, or many
/// times in one, is measured once), on one engine, batch and thread count, into a latency table; each network that
/// <paramref name="whole"/> picks is also measured whole, the same way, beside the sum of its parts and its cell ops' shares
/// of that sum (what the table's calibration is fitted to).
/// </summary>
public static class LatencyTableBuilder
{
    public static LatencyTable Measure(IEnumerable<NetworkSpec> specs, ILatencyEngine engine, int threads, int batch, LatencyTiming timing, TextWriter? log = null,
        Func<NetworkSpec, bool>? whole = null)
    {
        if (batch < 1) throw new ArgumentException($"--batch {batch}: must be >= 1");
        timing.Validate();
        var entries = new Dictionary<LatencyKey, double>();
        var measuredWhole = new Dictionary<(string, string), NetworkLatency>();
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
            if (whole?.Invoke(spec) != true) continue;
            string hash = NetworkLatency.HashOf(spec);
            if (measuredWhole.ContainsKey((spec.Name, hash))) continue;
            double measured = engine.MeasureNetwork(traced, batch, timing), parts = traced.Parts.Sum(p => entries[p.Key]);
            measuredWhole[(spec.Name, hash)] = new NetworkLatency(spec.Name, hash, spec.InChannels, spec.Resolution, measured, parts, traced.CellOpMs(k => entries[k]));
            log?.WriteLine($"network {spec.Name} {hash} ms {Numbers.Fixed(measured, 4)} parts_ms {Numbers.Fixed(parts, 4)} ratio {Numbers.Fixed(measured / parts, 4)}");
        }
        if (networks == 0) throw new ArgumentException("no network to measure");
        var machine = MachineKey.Here(engine.Name, engine.Version, engine.Device, threads, batch);
        machine["timing"] = $"warm-up {timing.Warmup}, median of {timing.Repeats}, process warm-up {Numbers.RoundTrip(LatencyTiming.ProcessWarmup.TotalSeconds)} s";
        machine["networks"] = networks.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new LatencyTable(machine, entries, networks: measuredWhole.Values.ToList());
    }
}
