using System.Text.Json;
using System.Text.Json.Nodes;
using Research.Experiments.Config;
using Research.Experiments.Runs;
using Research.Models.Cells;

namespace Research.Experiments.Reports.Html;

/// <summary>One trained network of a run with its per-epoch history: a family member, a baseline, a grid or random candidate, or the model of `research train`.</summary>
public sealed record TrainedRun(string Group, string Name, string Dir, TableFile? History, JsonObject? Metrics);

/// <summary>Where a run stands: a state (done, running, failed, stopped, pending) and a line for people.</summary>
public sealed record RunState(string State, string Text)
{
    public const string Done = "done";
    public const string Running = "running";
    public const string Failed = "failed";
    /// <summary>A single command's output without its last file: still being written, or stopped.</summary>
    public const string Incomplete = "incomplete";
    public const string Pending = "pending";
}

/// <summary>
/// Everything the HTML report and the live view show of one run directory, read at one moment and
/// never failing: each file may be missing, half-written or damaged, and <see cref="Notes"/> says
/// which and what was made of it. Reads only; takes no lock and writes nothing.
/// </summary>
public sealed class RunSnapshot
{
    public required string Dir { get; init; }
    public required IReadOnlyList<string> Kinds { get; init; }
    public string Name => Path.GetFileName(Path.GetFullPath(Dir).TrimEnd(Path.DirectorySeparatorChar));
    public Manifest? Manifest { get; private set; }
    public JsonObject? TrainConfig { get; private set; }
    public List<string> Notes { get; } = [];

    public string? DartsDir { get; private set; }
    public GenotypeFile? Genotype { get; private set; }
    public TableFile? DartsEpochs { get; private set; }
    public TableFile? Alphas { get; private set; }

    public string? RandomDir { get; private set; }
    public TableFile? RandomBaseline { get; private set; }

    public string? GridDir { get; private set; }
    public TableFile? Candidates { get; private set; }
    public JsonObject? GridBest { get; private set; }

    public TableFile? Scale { get; private set; }
    public TableFile? Family { get; private set; }
    public TableFile? Ablation { get; private set; }
    public List<TrainedRun> Trained { get; } = [];
    public IReadOnlyList<string> LogTail { get; private set; } = [];
    public RunState State { get; private set; } = new(RunState.Pending, "");
    public DateTimeOffset? LastWrite { get; init; }

    public bool IsExperiment => Kinds.Contains(RunFolder.Experiment);

    /// <summary>Reads the run in <paramref name="dir"/> (whatever <see cref="RunFolder.Kinds"/> finds there).</summary>
    public static RunSnapshot Read(string dir)
    {
        var kinds = Directory.Exists(dir) ? RunFolder.Kinds(dir) : [];
        var s = new RunSnapshot { Dir = dir, Kinds = kinds, LastWrite = RunFingerprint.Of(dir).LastWrite };
        if (!Directory.Exists(dir)) s.Notes.Add($"{dir}: no such directory");
        else if (kinds.Count == 0)
            s.Notes.Add($"{dir}: no run files here (manifest.json, history.csv, genotype.json, darts_epochs.csv, candidates.csv, random_baseline.csv)");
        else if (s.IsExperiment) s.ReadExperiment();
        else s.ReadCommandOutput();
        return s;
    }

    private string Rel(string path) => Path.GetRelativePath(Dir, path);

    private void ReadExperiment()
    {
        var layout = new RunLayout(Dir);
        try
        {
            Manifest = Manifest.Load(layout.Manifest);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or FormatException or InvalidOperationException or JsonException)
        {
            Notes.Add($"manifest.json: {e.Message} (stages and settings are not shown)");
        }
        var stages = Manifest?.Stages.ToDictionary(x => x.Name) ?? [];
        bool Configured(string stage) => stages.ContainsKey(stage) || Directory.Exists(layout.Stage(stage));
        // A missing output is expected while its stage waits or runs; said as a note either way.
        void Expect(string stage, string path, string what)
        {
            string status = stages.TryGetValue(stage, out var st) ? st.Status : "not recorded";
            if (File.Exists(path) || status == StageStatus.Pending) return; // a stage still to come has nothing to show yet
            string why = status switch
            {
                StageStatus.Done => "missing, though the stage is done (deleted?)",
                StageStatus.Running => "not written yet (the stage is running)",
                StageStatus.Failed => "missing (the stage failed)",
                _ => $"not written (stage {stage}: {status})",
            };
            Notes.Add($"{Rel(path)}: {what} {why}");
        }

        if (Configured("darts")) ReadDarts(layout.DartsDir, path => Expect("darts", path, "the searched cell is"));
        if (Configured("random")) ReadRandom(layout.RandomDir);
        if (Configured("grid"))
        {
            ReadGrid(layout.GridDir);
            Expect("grid", layout.GridBest, "the grid's winner is");
        }
        if (Configured("ablation")) Ablation = Table(layout.AblationCsv);
        if (Configured("scale"))
        {
            Scale = Table(layout.ScaleCsv);
            Expect("scale", layout.ScaleCsv, "the family's costs are");
        }
        if (Configured("train"))
        {
            Family = Table(layout.FamilyCsv);
            Expect("train", layout.FamilyCsv, "the family table is");
            ReadTrainedUnder(layout.TrainDir, "member", exclude: "baselines");
            ReadTrainedUnder(layout.BaselinesDir, "baseline");
        }
        LogTail = Tail(layout.Log, 20);
        State = ExperimentState();
    }

    private void ReadCommandOutput()
    {
        if (Kinds.Contains(RunFolder.Darts)) ReadDarts(Dir, _ => { });
        if (Kinds.Contains(RunFolder.Random)) ReadRandom(Dir);
        if (Kinds.Contains(RunFolder.Grid)) ReadGrid(Dir);
        if (Kinds.Contains(RunFolder.Train))
        {
            TrainConfig = Json(Path.Combine(Dir, RunFolder.TrainConfigFile));
            Trained.Add(ReadTrained("model", TrainConfig?["model"]?["name"] is JsonValue v && v.TryGetValue<string>(out var n) ? n : Name, Dir));
        }
        var missing = Kinds.Where(k => !File.Exists(Path.Combine(Dir, RunFolder.FinishedMarker(k)))).ToList();
        foreach (var k in missing)
            Notes.Add($"{RunFolder.FinishedMarker(k)}: not written yet (the {k} command is still running, or was stopped)");
        var last = Trained.FirstOrDefault()?.History?.Rows.Count ?? DartsEpochs?.Rows.Count ?? Candidates?.Rows.Count ?? RandomBaseline?.Rows.Count ?? 0;
        string what = string.Join(" + ", Kinds);
        State = missing.Count == 0
            ? new RunState(RunState.Done, $"{what}: done")
            : new RunState(RunState.Incomplete, string.Create(CultureInfo.InvariantCulture, $"{what}: {last} row(s) so far (running, or stopped)"));
    }

    private RunState ExperimentState()
    {
        if (Manifest is not { } m) return new RunState(RunState.Pending, "unknown (no readable manifest)");
        // The report stage writes this page last: while it runs, everything it reports is done.
        var stages = m.Stages.Where(x => x.Name != "report").ToList();
        var running = stages.FirstOrDefault(x => x.Status == StageStatus.Running);
        var failed = stages.FirstOrDefault(x => x.Status == StageStatus.Failed);
        int done = stages.Count(x => x.Status == StageStatus.Done);
        string progress = $"{done}/{stages.Count} stages done";
        if (running is not null) return new RunState(RunState.Running, $"running: stage {running.Name} ({progress}{Progress(running.Name)})");
        if (failed is not null) return new RunState(RunState.Failed, $"failed: stage {failed.Name}{(failed.Error is { } e ? $": {e}" : "")}");
        if (done == stages.Count) return new RunState(RunState.Done, $"done ({progress})");
        return new RunState(RunState.Pending, $"{m.Status} ({progress})");
    }

    /// <summary>What a running stage has written so far: epochs of the search, candidates, members.</summary>
    private string Progress(string stage) => stage switch
    {
        "darts" when DartsEpochs is { } t => string.Create(CultureInfo.InvariantCulture, $"; {t.Rows.Count} search epoch(s)"),
        "grid" when Candidates is { } t => string.Create(CultureInfo.InvariantCulture, $"; {t.Rows.Count} candidate(s)"),
        "random" when RandomBaseline is { } t => string.Create(CultureInfo.InvariantCulture, $"; {t.Rows.Count} candidate(s)"),
        "train" => TrainProgress(),
        _ => "",
    };

    /// <summary>Members and baselines trained of those planned (scale.csv's members and the config's baselines), and the one training now.</summary>
    private string TrainProgress()
    {
        var runs = Trained.Where(r => r.Group is "member" or "baseline").ToList();
        int planned = (Scale?.Rows.Count ?? 0) + ((Manifest?.Config["stages"]?["train"]?["baselines"] as JsonArray)?.Count ?? 0);
        var current = runs.LastOrDefault(r => r.Metrics is null && r.History is { Rows.Count: > 0 });
        return string.Create(CultureInfo.InvariantCulture, $"; {runs.Count(r => r.Metrics is not null)} of {Math.Max(planned, runs.Count)} trained") +
               (current is null ? "" : string.Create(CultureInfo.InvariantCulture, $", {current.Name} at epoch {current.History!.Rows.Count}"));
    }

    private void ReadDarts(string dir, Action<string> expectGenotype)
    {
        DartsDir = dir;
        DartsEpochs = Table(Path.Combine(dir, RunFolder.DartsEpochsFile));
        Alphas = Table(Path.Combine(dir, RunFolder.AlphasFile));
        string path = Path.Combine(dir, DartsSearch.GenotypeFileName);
        if (File.Exists(path))
        {
            try
            {
                Genotype = GenotypeFile.Load(path);
            }
            catch (Exception e) when (e is Research.Models.Specs.SpecFormatException or IOException or JsonException or InvalidOperationException)
            {
                Notes.Add($"{Rel(path)}: {e.Message}");
            }
        }
        else expectGenotype(path);
        ReadTrainedUnder(Path.Combine(dir, "random"), "random");
    }

    private void ReadRandom(string dir)
    {
        RandomDir = dir;
        RandomBaseline = Table(Path.Combine(dir, RunFolder.RandomBaselineFile));
        if (DartsDir != dir) ReadTrainedUnder(Path.Combine(dir, "random"), "random");
    }

    private void ReadGrid(string dir)
    {
        GridDir = dir;
        Candidates = Table(Path.Combine(dir, RunFolder.CandidatesFile));
        GridBest = Json(Path.Combine(dir, RunFolder.BestFile));
        // candidates/<α_β_γ>/seed<k>/: one training run per candidate and seed.
        string root = Path.Combine(dir, "candidates");
        if (Directory.Exists(root))
            foreach (var c in SortedDirectories(root))
                foreach (var seed in SortedDirectories(c))
                    if (File.Exists(Path.Combine(seed, RunFolder.HistoryFile)))
                        Trained.Add(ReadTrained("candidate", $"{Path.GetFileName(c)} {Path.GetFileName(seed)}", seed));
    }

    private void ReadTrainedUnder(string dir, string group, string? exclude = null)
    {
        if (!Directory.Exists(dir)) return;
        foreach (var d in SortedDirectories(dir))
            if (Path.GetFileName(d) != exclude && (File.Exists(Path.Combine(d, RunFolder.HistoryFile)) || File.Exists(Path.Combine(d, RunFolder.MetricsFile))))
                Trained.Add(ReadTrained(group, Path.GetFileName(d), d));
    }

    private TrainedRun ReadTrained(string group, string name, string dir) =>
        new(group, name, dir, Table(Path.Combine(dir, RunFolder.HistoryFile)), Json(Path.Combine(dir, RunFolder.MetricsFile)));

    /// <summary>Subfolders in a stable order, numbers by value (random/2 before random/10).</summary>
    private static IEnumerable<string> SortedDirectories(string dir)
    {
        try
        {
            return Directory.GetDirectories(dir)
                .OrderBy(d => int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : int.MaxValue)
                .ThenBy(d => d, StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private TableFile? Table(string path)
    {
        var t = TableFile.Read(path);
        if (t?.Problem is { } p) Notes.Add($"{Rel(path)}: {p}");
        return t;
    }

    private JsonObject? Json(string path)
    {
        try
        {
            if (!File.Exists(path)) return null;
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return JsonNode.Parse(stream) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            Notes.Add($"{Rel(path)}: not readable as JSON ({e.Message})");
            return null;
        }
    }

    /// <summary>The last lines of a log file (its last 16 KiB at most).</summary>
    private static IReadOnlyList<string> Tail(string path, int lines)
    {
        try
        {
            if (!File.Exists(path)) return [];
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            long start = Math.Max(0, stream.Length - 16384);
            stream.Seek(start, SeekOrigin.Begin);
            var text = new StreamReader(stream).ReadToEnd();
            var all = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (start > 0 && all.Length > 0) all = all[1..]; // the first line was cut
            return all.TakeLast(lines).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>
    /// Why a process may be writing this run now (null: none is). Pipeline runs: a stage or the run
    /// marked running in the manifest; single commands: their last file not yet written.
    /// </summary>
    public string? WriterNote()
    {
        if (IsExperiment)
        {
            if (Manifest is null) return "its manifest.json is unreadable (being written?)";
            var running = Manifest.Stages.FirstOrDefault(x => x.Status == StageStatus.Running);
            if (running is not null) return $"manifest.json says stage {running.Name} is running";
            return Manifest.Status == StageStatus.Running ? "manifest.json says the run is running" : null;
        }
        var missing = Kinds.FirstOrDefault(k => !File.Exists(Path.Combine(Dir, RunFolder.FinishedMarker(k))));
        return missing is null ? null : $"it has no {RunFolder.FinishedMarker(missing)} yet (the {missing} command is running, or was stopped)";
    }
}
