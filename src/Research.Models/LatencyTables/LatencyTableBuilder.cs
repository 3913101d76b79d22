using Research.Core.Text;

namespace Research.Models.LatencyTables;

/// <summary>
/// Measures every part the given networks have, once per distinct key (a part that occurs in many networks, or many
/// times in one, is measured once), on one engine, batch and thread count, into a latency table; each network that
/// <paramref name="whole"/> picks is also measured whole, the same way, beside the sum of its parts and its cell ops' shares
/// of that sum (what the table's calibration is fitted to). Parts and wholes are measured in interleaved rounds
/// (<see cref="LatencyTiming.Interleaved"/>), so that the calibration compares networks and parts timed in the same spells.
/// Held-out networks are measured whole in the same rounds but are not part of the table: none of their parts is added (each
/// must be one of the table's) and none of them calibrates it, so they test its predictions under the same spells of the machine.
/// </summary>
public static class LatencyTableBuilder
{
    public static LatencyTable Measure(IEnumerable<NetworkSpec> specs, ILatencyEngine engine, int threads, int batch, LatencyTiming timing, TextWriter? log = null,
        Func<NetworkSpec, bool>? whole = null) => Measure(specs, [], engine, threads, batch, timing, out _, log, whole);

    /// <param name="heldOut">networks measured whole beside the table (not written to it): their parts must be among the table's</param>
    /// <param name="heldOutMeasured">each held-out network as measured, with the sum of its parts and its cell ops' shares</param>
    public static LatencyTable Measure(IEnumerable<NetworkSpec> specs, IReadOnlyList<NetworkSpec> heldOut, ILatencyEngine engine, int threads, int batch,
        LatencyTiming timing, out List<NetworkLatency> heldOutMeasured, TextWriter? log = null, Func<NetworkSpec, bool>? whole = null)
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
            var held = new List<TracedNetwork>();
            var seenHeld = new HashSet<(string, string)>();
            // A calibration network under another name is the same network: compared without names.
            var calibrating = wholes.Select(w => Unnamed(w.Network.Spec)).ToHashSet(StringComparer.Ordinal);
            foreach (var spec in heldOut)
            {
                if (calibrating.Contains(Unnamed(spec)))
                    throw new ArgumentException($"held-out network {spec.Name} is also measured whole to calibrate the table (as itself or under another name), so it is not held out");
                // Given twice (a glob and its file): measured and counted once, as calibration networks are.
                if (!seenHeld.Add((spec.Name, NetworkLatency.HashOf(spec)))) continue;
                var t = TracedNetwork.Trace(spec);
                traced.Add(t);
                held.Add(t);
                if (t.Parts.FirstOrDefault(p => !seen.Contains(p.Key)) is { } missing)
                    throw new ArgumentException($"held-out network {spec.Name}: its part {missing.Key.Op} at {missing.Key.Shape} (structure {missing.Key.Structure}) " +
                                                "is not among the parts this run measures; a held-out network must be made of them (parts kept from an existing table " +
                                                "were measured in other rounds)");
            }
            var measurements = parts.Select(p => (Func<double>)(() => engine.MeasurePart(p.Network, p.Part, batch, timing)))
                .Concat(wholes.Select(w => (Func<double>)(() => engine.MeasureNetwork(w.Network, batch, timing))))
                .Concat(held.Select(h => (Func<double>)(() => engine.MeasureNetwork(h, batch, timing)))).ToList();
            string spanText = timing.SpanSeconds > 0 ? $" or more, until they span {Numbers.RoundTrip(timing.SpanSeconds)} s" : "";
            log?.WriteLine($"measuring {parts.Count} part(s), {wholes.Count} whole network(s) and {held.Count} held-out network(s) in {timing.Rounds} interleaved round(s){spanText}");
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
                var n = Whole(wholes[i].Network, ms[parts.Count + i], entries);
                measuredWhole.Add(n);
                log?.WriteLine($"network {n.Name} {n.SpecHash} ms {Numbers.Fixed(n.MeasuredMs, 4)} parts_ms {Numbers.Fixed(n.PartsMs, 4)} ratio {Numbers.Fixed(n.Ratio, 4)}");
            }
            heldOutMeasured = held.Select((t, i) => Whole(t, ms[parts.Count + wholes.Count + i], entries)).ToList();
            var machine = MachineKey.Here(engine.Name, engine.Version, engine.Device, threads, batch);
            machine["timing"] = $"warm-up {timing.Warmup}, median of {timing.Repeats}, median of {roundsRun} interleaved rounds over {Numbers.Fixed(seconds, 0)} s, " +
                                $"process warm-up {Numbers.RoundTrip(LatencyTiming.ProcessWarmup.TotalSeconds)} s";
            machine["networks"] = (traced.Count - held.Count).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return new LatencyTable(machine, entries, networks: measuredWhole);
        }
        finally
        {
            foreach (var t in traced) t.Dispose();
        }
    }

    /// <summary>A network's spec hash without its name: two names of one network are one network.</summary>
    private static string Unnamed(NetworkSpec spec) => NetworkLatency.HashOf(spec with { Name = "" });

    /// <summary>A network measured whole, beside the sum of its parts' entries and its cell ops' shares of that sum.</summary>
    private static NetworkLatency Whole(TracedNetwork t, double measured, Dictionary<LatencyKey, double> entries) =>
        new(t.Spec.Name, NetworkLatency.HashOf(t.Spec), t.Spec.InChannels, t.Spec.Resolution, measured, t.Parts.Sum(p => entries[p.Key]), t.CellOpMs(k => entries[k]));
}
