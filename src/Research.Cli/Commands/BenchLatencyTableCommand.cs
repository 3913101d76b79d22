using System.Diagnostics;
using Research.Core.Csv;
using Research.Core.IO;
using Research.Cli.Benchmarks;
using Research.Experiments.Config;
using Research.Models.LatencyTables;
using Research.Models.Networks;
using Research.Models.Specs;
using Research.Search.Baseline;
using Research.Search.Darts;
using Research.Search.Latency;
using Research.Training;

namespace Research.Cli.Commands;

/// <summary>
/// `research bench latency-table`: measures every part (stem, each block at each input shape, head; for a search space, each
/// op at each position of its supernet and network layouts, each cell's preprocessing and node sums) that the given networks
/// or space have, once each, on one engine, device, thread count and batch, into a latency table; an existing table of the
/// same machine and settings gains the new entries. Given networks (--model), it also measures each whole, the same way, so the
/// table's calibration (median of measured / sum of parts) scales its predictions; for a space, --calibrate N genotypes drawn
/// from it are measured whole in its network layout (the one searches predict for), and with them the layout's one-op probe
/// networks, which tell the ops apart: the table's calibration is then fitted per cell op (<see cref="LatencyCalibration"/>).
/// --held-out networks are measured whole in the same rounds and predicted from the finished table, which they neither enter
/// nor calibrate (<see cref="HeldOutLatency"/>).
/// </summary>
public static class BenchLatencyTableCommand
{
    public static Command Create()
    {
        var models = new Option<string[]>("--model") { Description = "networks to measure: registered names, spec or genotype files; repeat (or a shell glob) for a family", AllowMultipleArgumentsPerToken = true };
        var space = new Option<string?>("--space") { Description = "a search space: every op at every position of its supernet and network layouts" };
        var dataset = new Option<string?>("--dataset") { Description = "take the input shape (channels, size, classes) of this dataset: " + string.Join(", ", DatasetInfo.All.Select(d => d.Name)) };
        var engine = new Option<string>("--engine") { Description = "libtorch (eager, CPU or CUDA) or onnxruntime (the exported graph, CPU)", DefaultValueFactory = _ => LatencyEngines.Libtorch }
            .AcceptOnlyFromAmong(LatencyEngines.Names);
        var batch = new Option<int>("--batch") { Description = "batch size the entries are measured at", DefaultValueFactory = _ => 1 };
        var warmup = new Option<int>("--warmup") { Description = "untimed runs before each measurement (the process's first measurement also runs 2 s untimed first)", DefaultValueFactory = _ => new LatencyTiming().Warmup };
        var repeats = new Option<int>("--repeats") { Description = "timed runs; the entry is their median", DefaultValueFactory = _ => new LatencyTiming().Repeats };
        var rounds = new Option<int>("--rounds")
        {
            Description = "every part and whole network measured this many times, in interleaved rounds; each entry is the median of its rounds",
            DefaultValueFactory = _ => new LatencyTiming().Rounds,
        };
        var span = new Option<double>("--span-seconds")
        {
            Description = "past --rounds, rounds go on until they span this many seconds (slow and fast spells of a shared machine last tens of seconds; 0: --rounds only)",
            DefaultValueFactory = _ => LatencyTiming.TableSpanSeconds,
        };
        var threads = CommonOptions.Threads();
        threads.DefaultValueFactory = _ => 1;
        var outFile = new Option<string>("--out") { Description = "the table to write (an existing table of this machine and settings gains the new entries)", Required = true };
        var calibrate = new Option<int>("--calibrate")
        {
            Description = "with --space: genotypes drawn from the space and measured whole in its network layout, with one network per op, for the table's calibration per cell op (0: none)",
            DefaultValueFactory = _ => CalibrationGenotypes,
        };
        var heldOut = new Option<string[]>("--held-out")
        {
            Description = "networks measured whole in the same rounds but kept out of the table and its calibration, each predicted from the table " +
                          "and its error printed (registered names, spec or genotype files made of the table's parts; repeat or glob)",
            AllowMultipleArgumentsPerToken = true,
        };
        var heldOutCsv = new Option<string?>("--held-out-csv") { Description = "with --held-out: write each held-out network's measured and predicted milliseconds and errors here" };
        var overrides = new SettingOptions<ModelOverrides>(ModelOverrides.Settings);
        var execution = new SettingOptions<ExecutionConfig>(ExecutionConfig.Settings, except: ExecutionConfig.InferenceExcept);
        var cmd = new Command("latency-table", "measure a latency table: every part of the networks, family or search space, once per input shape")
            { models, space, dataset, engine, batch, warmup, repeats, rounds, span, threads, outFile, calibrate, heldOut, heldOutCsv };
        execution.AddTo(cmd);
        overrides.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            int t = parse.GetValue(threads), b = parse.GetValue(batch);
            if (t < 1) throw new ArgumentException($"--threads {t}: a latency table is measured at a fixed thread count (>= 1)");
            if (b < 1) throw new ArgumentException($"--batch {b}: must be >= 1");
            CommonOptions.ApplyThreads(t);
            var device = execution.Bind(parse).ResolveDevice();
            var timing = new LatencyTiming(parse.GetValue(warmup), parse.GetValue(repeats), parse.GetValue(rounds), parse.GetValue(span)).Validate();
            var eng = LatencyEngines.Create(parse.GetValue(engine)!, device, t);
            var modelList = parse.GetValue(models) ?? [];
            if ((modelList.Length > 0) == (parse.GetValue(space) is not null)) throw new ArgumentException("name what to measure: --model (repeatable) or --space");
            InputShape? shape = null;
            if (parse.GetValue(dataset) is { } d)
                shape = DatasetInfo.Find(d)?.Shape ?? throw new ArgumentException($"--dataset {d}: one of {string.Join(", ", DatasetInfo.All.Select(x => x.Name))}");
            var modelOverrides = overrides.Bind(parse);
            int drawn = parse.GetValue(calibrate);
            if (drawn < 0) throw new ArgumentException($"--calibrate {drawn}: must be >= 0");
            // Given networks are their own calibration (each is measured whole): a count to draw would be ignored, so refuse it.
            if (parse.GetValue(space) is null && parse.GetResult(calibrate) is { Implicit: false })
                throw new ArgumentException($"--calibrate {drawn}: only with --space (the --model networks are measured whole and calibrate the table themselves)");
            List<NetworkSpec> specs;
            Func<NetworkSpec, bool> whole = _ => true;
            if (parse.GetValue(space) is { } spacePath)
            {
                var sp = SearchSpace.Load(spacePath);
                var network = Shaped(sp.Network, modelOverrides, shape);
                var calibration = RandomSearch.Sample(sp, drawn, CalibrationSeed).Select((g, i) => network.ToSpec(g, $"calibrate-{sp.Name}-{i}")).ToList();
                var probes = SpaceLatency.ProbeSpecs(sp, network).ToList();
                specs = [.. SpaceLatency.ProbeSpecs(sp, Shaped(sp.Supernet, modelOverrides, shape)), .. probes, .. calibration];
                // The one-op networks (each op on every edge) are what tells the ops' factors apart; drawn genotypes alone mix them alike.
                var measuredWhole = (drawn > 0 ? [.. probes, .. calibration] : new List<NetworkSpec>()).ToHashSet(ReferenceEqualityComparer.Instance);
                whole = s => measuredWhole.Contains(s);
            }
            else specs = modelList.Select(m => ModelSource.ResolveFor(m, modelOverrides, shape)).ToList();
            var heldOutSpecs = (parse.GetValue(heldOut) ?? []).Select(m => ModelSource.ResolveFor(m, modelOverrides, shape)).ToList();
            string? heldOutPath = parse.GetValue(heldOutCsv);
            if (heldOutPath is not null && heldOutSpecs.Count == 0) throw new ArgumentException("--held-out-csv: name the held-out networks with --held-out");
            // A table already there must be of this machine and settings: checked before anything is measured.
            string path = parse.GetValue(outFile)!;
            if (heldOutPath is not null && Path.GetFullPath(heldOutPath) == Path.GetFullPath(path))
                throw new ArgumentException($"--held-out-csv {heldOutPath}: the same file as --out; name another");
            if (heldOutPath is not null && Directory.Exists(heldOutPath)) throw new ArgumentException($"--held-out-csv {heldOutPath}: a folder; name a file");
            var existing = File.Exists(path) ? LatencyTable.Load(path) : null;
            LatencyEngines.Here(eng, t, b, existing);
            // The file's rows keep a name and a hash that includes it: a renamed copy of one of them cannot be told from here.
            if (existing is not null && heldOutSpecs.FirstOrDefault(h => existing.Networks.Any(n => n.Key == (h.Name, NetworkLatency.HashOf(h)))) is { } calibrating)
                throw new ArgumentException($"held-out network {calibrating.Name} is measured whole in {path} and calibrates it, so it is not held out");
            o.WriteLine($"engine {eng.Name} {eng.Version} device {device} threads {t} batch {b} networks {specs.Count} cpu {MachineKey.CpuModel()}");
            var clock = Stopwatch.StartNew();
            var table = LatencyTableBuilder.Measure(specs, heldOutSpecs, eng, t, b, timing, out var heldOutMeasured, o, whole);
            int added = existing is null ? table.Entries.Count : table.Entries.Keys.Count(k => !existing.Entries.ContainsKey(k));
            if (existing is not null) table = existing.Merge(table);
            table.Save(path);
            var compared = HeldOutLatency.Compare(table, heldOutMeasured);
            o.WriteLine($"entries {table.Entries.Count}");
            o.WriteLine($"new_entries {added}");
            o.WriteLine($"measured_networks {table.Networks.Count}");
            o.WriteLine($"calibration {Numbers.Fixed(table.Calibration, 4)}");
            foreach (var (op, f) in table.Factors.Ops.OrderBy(p => p.Key, StringComparer.Ordinal)) o.WriteLine($"calibration_op {op} {Numbers.Fixed(f, 4)}");
            if (table.Factors.NotFitted is { } why) o.WriteLine($"calibration_per_op none: {why}");
            o.WriteLine($"table {path}");
            if (compared.Count > 0) WriteHeldOut(o, compared, heldOutPath);
            o.WriteLine($"seconds {Numbers.Fixed(clock.Elapsed.TotalSeconds, 1)}");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>Each held-out network's prediction against its measurement, then the median and 90th percentile of the errors.</summary>
    private static void WriteHeldOut(TextWriter o, List<HeldOutLatency> compared, string? csvPath)
    {
        foreach (var h in compared)
            o.WriteLine($"held_out {h.Network.Name} predicted_ms {Numbers.Fixed(h.PredictedMs, 4)} measured_ms {Numbers.Fixed(h.MeasuredMs, 4)} " +
                        $"parts_ms {Numbers.Fixed(h.Network.PartsMs, 4)} error {Numbers.Fixed(h.Error, 4)} error_k_only {Numbers.Fixed(h.KOnlyError, 4)}");
        o.WriteLine($"held_out_networks {compared.Count}");
        foreach (var (name, error) in new (string, Func<HeldOutLatency, double>)[] { ("", h => h.Error), ("_k_only", h => h.KOnlyError), ("_uncalibrated", h => h.UncalibratedError) })
        {
            o.WriteLine($"held_out_median_error{name} {Numbers.Fixed(HeldOutLatency.Percentile(compared.Select(error), 0.5), 4)}");
            o.WriteLine($"held_out_p90_error{name} {Numbers.Fixed(HeldOutLatency.Percentile(compared.Select(error), 0.9), 4)}");
        }
        if (csvPath is null) return;
        DurableFile.WriteAllText(csvPath, CsvTable.ToText(HeldOutLatency.Columns, compared.Select(h => h.Row())));
        o.WriteLine($"held_out_csv {csvPath}");
    }

    /// <summary>Genotypes a space table measures whole by default: enough for a median, a few seconds at batch 1.</summary>
    public const int CalibrationGenotypes = 8;

    /// <summary>The seed the calibration genotypes are drawn with: not a search's default (0), so a default search's candidates are not the networks its table was fitted on.</summary>
    public const int CalibrationSeed = 7919;

    /// <summary>A space's layout at the dataset's shape (or the overrides', or the layout's own).</summary>
    private static Models.Cells.CellNetworkLayout Shaped(Models.Cells.CellNetworkLayout l, ModelOverrides overrides, InputShape? shape) => l with
    {
        InChannels = overrides.InChannels ?? shape?.Channels ?? l.InChannels, Classes = overrides.Classes ?? shape?.Classes ?? l.Classes,
        Resolution = overrides.Resolution ?? shape?.Size ?? l.Resolution,
    };
}
