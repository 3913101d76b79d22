using Research.Core.Text;

namespace Research.Models.LatencyTables;

/// <summary>
/// Measures every part the given networks have, once per distinct key (a part that occurs in many networks, or many
/// times in one, is measured once), on one engine, batch and thread count, into a latency table; each network that
/// <paramref name="whole"/> picks is also measured whole, the same way, beside the sum of its parts and its cell ops' shares
/// of that sum (what the table's calibration is fitted to). Parts and wholes are measured in interleaved rounds
/// (<see cref="LatencyTiming.Interleaved"/>), so that the calibration compares networks and parts timed in the same spells.
/// </summary>
public static class LatencyTableBuilder
{
    public static LatencyTable Measure(IEnumerable<NetworkSpec> specs, ILatencyEngine engine, int threads, int batch, LatencyTiming timing, TextWriter? log = null,
        Func<NetworkSpec, bool>? whole = null)
    {
        if (batch < 1) throw new ArgumentException($"--batch {batch}: must be >= 1");
        timing.Validate();
        var traced = new List<TracedNetwork>();
        try
        {
            // Every network is traced first, so that its parts and wholes can be measured in interleaved rounds.
            var parts = new List<(TracedNetwork Network, TracedPart Part)>();
            var seen = new HashSet<LatencyKey>();
            var wholes = new List<(TracedNetwork Network, string Hash)>();
            var seenWhole = new HashSet<(string, string)>();
            foreach (var spec in specs)
            {
                var t = TracedNetwork.Trace(spec);
                traced.Add(t);
                foreach (var part in t.Parts)
                    if (seen.Add(part.Key)) parts.Add((t, part));
                if (whole?.Invoke(spec) != true) continue;
                string hash = NetworkLatency.HashOf(spec);
                if (seenWhole.Add((spec.Name, hash))) wholes.Add((t, hash));
            }
            if (traced.Count == 0) throw new ArgumentException("no network to measure");
            var measurements = parts.Select(p => (Func<double>)(() => engine.MeasurePart(p.Network, p.Part, batch, timing)))
                .Concat(wholes.Select(w => (Func<double>)(() => engine.MeasureNetwork(w.Network, batch, timing)))).ToList();
            string spanText = timing.SpanSeconds > 0 ? $" or more, until they span {Numbers.RoundTrip(timing.SpanSeconds)} s" : "";
            log?.WriteLine($"measuring {parts.Count} part(s) and {wholes.Count} whole network(s) in {timing.Rounds} interleaved round(s){spanText}");
            var ms = timing.Interleaved(measurements, out int roundsRun, out double seconds,
                r => log?.WriteLine(timing.SpanSeconds == 0 ? $"round {r} of {timing.Rounds}" : $"round {r}"));
            var entries = new Dictionary<LatencyKey, double>();
            for (int i = 0; i < parts.Count; i++)
            {
                var key = parts[i].Part.Key;
                entries[key] = ms[i];
                log?.WriteLine($"entry {key.Op} {key.Shape} {key.Structure} ms {Numbers.Fixed(ms[i], 4)}");
            }
            var measuredWhole = new List<NetworkLatency>();
            for (int i = 0; i < wholes.Count; i++)
            {
                var (t, hash) = wholes[i];
                var spec = t.Spec;
                double measured = ms[parts.Count + i], sum = t.Parts.Sum(p => entries[p.Key]);
                measuredWhole.Add(new NetworkLatency(spec.Name, hash, spec.InChannels, spec.Resolution, measured, sum, t.CellOpMs(k => entries[k])));
                log?.WriteLine($"network {spec.Name} {hash} ms {Numbers.Fixed(measured, 4)} parts_ms {Numbers.Fixed(sum, 4)} ratio {Numbers.Fixed(measured / sum, 4)}");
            }
            var machine = MachineKey.Here(engine.Name, engine.Version, engine.Device, threads, batch);
            machine["timing"] = $"warm-up {timing.Warmup}, median of {timing.Repeats}, median of {roundsRun} interleaved rounds over {Numbers.Fixed(seconds, 0)} s, " +
                                $"process warm-up {Numbers.RoundTrip(LatencyTiming.ProcessWarmup.TotalSeconds)} s";
            machine["networks"] = traced.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return new LatencyTable(machine, entries, networks: measuredWhole);
        }
        finally
        {
            foreach (var t in traced) t.Dispose();
        }
    }
}
