using System.Diagnostics;
using System.Text.Json.Nodes;
using Research.Experiments.Config;
using Research.Experiments.Runs;
using Research.Experiments.Stages;
using Research.Training.Distributed;

namespace Research.Experiments.Pipeline;

public sealed record RunOptions
{
    /// <summary>Run directories go here, as &lt;name&gt;-&lt;hash&gt;.</summary>
    public string OutRoot { get; init; } = "runs";
    /// <summary>Continue a run whose manifest shows a stage running (killed) or failed.</summary>
    public bool Resume { get; init; }
    /// <summary>Progress lines (they also go to log.txt).</summary>
    public TextWriter? Output { get; init; }
    /// <summary>
    /// Several ranks running the experiment together: the searches share out their candidates (or,
    /// DARTS, search data-parallel), rank 0 writes the manifest, the log and every stage's files,
    /// and the ranks meet after each stage. Null: this process alone.
    /// </summary>
    public Research.Torch.Distributed.DistributedWorld? World { get; init; }
}

/// <summary>What each configured stage did in this invocation: ran, skipped (already done) or imported (from_run).</summary>
public sealed record RunOutcome(string RunDir, IReadOnlyList<(string Stage, string Action, double Seconds)> Stages);

/// <summary>
/// Runs an experiment: darts → random → grid → ablation → scale → train → report, each configured stage in
/// its own folder of runs/&lt;name&gt;-&lt;hash&gt;/, handing over through files only. Re-running the same
/// file continues the same directory: a stage marked done whose output is present is skipped; a
/// stage that was killed or failed resumes from its checkpoints (with <see cref="RunOptions.Resume"/>);
/// once a stage runs, every later stage runs again too, since its inputs may have changed.
/// Stages that only compute and write (scale, report, an import) run on rank 0 alone.
/// </summary>
public static class ExperimentRunner
{
    public static string RunDirectory(ExperimentConfig config, string outRoot) => Path.Combine(outRoot, config.RunName);

    /// <summary>The kernels the run's last invocation had against this one's, when both are recorded and differ (null otherwise).</summary>
    internal static string? KernelsChanged(JsonObject? before, JsonObject now)
    {
        static string? Text(JsonObject? env) => env?["kernels"] is JsonObject k
            ? string.Join(" ", k.Select(kv => $"{kv.Key} {(kv.Value?.GetValue<bool>() == true ? "on" : "off")}"))
            : null;
        return (Text(before), Text(now)) is ({ } was, { } current) && was != current ? $"the run's last invocation had kernels {was}, this one has {current}" : null;
    }

    public static IReadOnlyList<string> ConfiguredStages(ExperimentConfig c) =>
        ExperimentFile.StageNames.Where(s => s switch
        {
            "darts" => c.Stages.Darts is not null,
            "random" => c.Stages.Random is not null,
            "grid" => c.Stages.Grid is not null,
            "ablation" => c.Stages.Ablation is not null,
            "scale" => c.Stages.Scale is not null,
            "train" => c.Stages.Train is not null,
            "report" => c.Stages.Report is not null,
            _ => false,
        }).ToList();

    public static RunOutcome Run(ExperimentConfig config, RunOptions options)
    {
        var device = config.Execution.ResolveDevice(); // before anything is written
        using var kernels = config.Execution.ApplyKernels();
        var world = options.World is { WorldSize: > 1 } w ? w : null;
        bool main = world?.IsMain ?? true;
        var layout = new RunLayout(RunDirectory(config, options.OutRoot));
        var stages = ConfiguredStages(config);
        // One writer at a time: rank 0 holds the run directory until the run ends (a stage's own folder has its writer's lock too).
        using var held = RankZeroLock.Hold(layout.Dir, world);
        Manifest manifest;
        if (File.Exists(layout.Manifest))
        {
            manifest = Manifest.Load(layout.Manifest);
            if (manifest.Hash != config.Hash)
                throw new ArgumentException($"{layout.Dir} belongs to another configuration (hash {manifest.Hash}, this file's is {config.Hash})");
            var unfinished = manifest.Stages.Where(s => s.Status is StageStatus.Running or StageStatus.Failed).ToList();
            if (unfinished.Count > 0 && !options.Resume)
                throw new ArgumentException(
                    $"{layout.Dir} holds an unfinished run ({string.Join(", ", unfinished.Select(s => $"stage {s.Name} is {s.Status}"))}); " +
                    "resume it to continue (finished stages are kept)");
            foreach (var s in stages.Where(s => manifest.Stages.All(r => r.Name != s)))
                manifest.Stages.Add(new StageRecord { Name = s });
        }
        else
        {
            var inputs = new JsonObject();
            foreach (var (k, v) in config.Inputs) inputs[k] = v;
            manifest = new Manifest
            {
                Name = config.Name, Hash = config.Hash, Seed = config.Seed, Config = CanonicalJson.ConfigNode(config), Inputs = inputs,
                Started = DateTimeOffset.UtcNow,
                Stages = stages.Select(s => new StageRecord { Name = s }).ToList(),
            };
        }

        // Which stages run is decided from the manifest as found, by every rank, before rank 0 changes it.
        var skipped = new HashSet<string>(StringComparer.Ordinal);
        foreach (var stage in stages)
        {
            var found = manifest.Stage(stage);
            if (found.Status == StageStatus.Done && File.Exists(layout.Marker(stage))) skipped.Add(stage);
            else break;
        }
        world?.Group.Barrier();

        using var log = main ? new TeeWriter(layout.Log, options.Output) : null;
        TextWriter output = log ?? options.Output ?? TextWriter.Null;
        var now = DateTimeOffset.UtcNow;
        manifest.Invocations++;
        manifest.LastStarted = now;
        manifest.Ended = null;
        manifest.Status = StageStatus.Running;
        manifest.ExperimentFile = config.SourcePath;
        var environment = EnvironmentInfo.Capture(device, config.BaseDirectory).ToJson();
        string? kernelsChanged = KernelsChanged(manifest.Environment, environment);
        manifest.Environment = environment;
        if (main) manifest.Save(layout.Manifest);
        output.WriteLine($"== {now.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}Z run {config.Name} in {layout.Dir} " +
                      $"(invocation {manifest.Invocations}, device {device}, stages {string.Join(" ", stages)})");

        if (kernelsChanged is not null)
            output.WriteLine($"warning: {kernelsChanged}; a resumed stage's last digits will differ from a run that was never stopped " +
                             "(write kernels: on or off in the experiment file to pin them)");

        var ctx = new StageContext(config, layout, device, output, world);
        var actions = new List<(string, string, double)>();
        foreach (var stage in stages)
        {
            var rec = manifest.Stage(stage);
            if (skipped.Contains(stage))
            {
                output.WriteLine($"stage {stage}: done, skipped");
                actions.Add((stage, "skipped", 0));
                continue;
            }
            rec.Status = StageStatus.Running;
            rec.Started = DateTimeOffset.UtcNow;
            rec.Ended = null;
            rec.Seconds = null;
            rec.Error = null;
            rec.Note = null;
            if (main) manifest.Save(layout.Manifest);
            output.WriteLine($"stage {stage}: running");
            var clock = Stopwatch.StartNew();
            string action = "ran";
            try
            {
                if (FromRun(config, stage) is { } from)
                {
                    if (main) Import(config.ResolvePath(from), layout.Stage(stage));
                    rec.Note = $"from_run {from}";
                    action = "imported";
                }
                else if (main || !MainOnly.Contains(stage)) Execute(stage, ctx);
                // The next stage reads this one's files: every rank waits for rank 0 to have written them.
                world?.Group.Barrier();
            }
            catch (Exception e)
            {
                rec.Status = StageStatus.Failed;
                rec.Ended = DateTimeOffset.UtcNow;
                rec.Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3);
                rec.Error = e.Message;
                manifest.Status = StageStatus.Failed;
                manifest.Ended = rec.Ended;
                if (main) manifest.Save(layout.Manifest);
                output.WriteLine($"stage {stage}: failed after {clock.Elapsed.TotalSeconds:F1} s: {e.Message}");
                throw new StageFailedException(stage, layout.Dir, e);
            }
            rec.Status = StageStatus.Done;
            rec.Ended = DateTimeOffset.UtcNow;
            rec.Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3);
            if (main) manifest.Save(layout.Manifest);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stage {stage}: {(action == "ran" ? "done" : action)} in {rec.Seconds:F1} s"));
            actions.Add((stage, action, rec.Seconds ?? 0));
        }
        manifest.Status = StageStatus.Done;
        manifest.Ended = DateTimeOffset.UtcNow;
        if (main) manifest.Save(layout.Manifest);
        output.WriteLine($"== run {config.Name} done: {layout.Dir}");
        return new RunOutcome(layout.Dir, actions);
    }

    /// <summary>Stages that only compute and write: rank 0 runs them while the others wait.</summary>
    private static readonly HashSet<string> MainOnly = new(StringComparer.Ordinal) { "scale", "report" };

    private static void Execute(string stage, StageContext ctx)
    {
        switch (stage)
        {
            case "darts": DartsStage.Run(ctx); break;
            case "random": RandomStage.Run(ctx); break;
            case "grid": GridStage.Run(ctx); break;
            case "ablation": AblationStage.Run(ctx); break;
            case "scale": ScaleStage.Run(ctx); break;
            case "train": TrainStage.Run(ctx); break;
            case "report": ReportStage.Run(ctx); break;
            default: throw new ArgumentException($"unknown stage '{stage}'");
        }
    }

    private static string? FromRun(ExperimentConfig c, string stage) => stage switch
    {
        "darts" => c.Stages.Darts?.FromRun,
        "random" => c.Stages.Random?.FromRun,
        "grid" => c.Stages.Grid?.FromRun,
        "ablation" => c.Stages.Ablation?.FromRun,
        "scale" => c.Stages.Scale?.FromRun,
        "train" => c.Stages.Train?.FromRun,
        _ => null,
    };

    /// <summary>Copies an earlier run's stage outputs (its top-level files) into this run's stage folder.</summary>
    private static void Import(string from, string to)
    {
        if (!Directory.Exists(from)) throw new DirectoryNotFoundException($"from_run: {from} not found");
        DurableFile.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from).Order(StringComparer.Ordinal))
        {
            if (f.EndsWith(DurableFile.TemporarySuffix, StringComparison.Ordinal) || RunDirectoryLock.IsLockFile(f)) continue;
            DurableFile.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        }
    }
}
