using Research.Core.Csv;
using Research.Core.Text;
using System.Text.Json;
using Research.Experiments.Pipeline;
using Research.Experiments.Runs;
using Research.Models.Specs;
using Research.Torch;
using Research.Torch.Distributed;
using Research.Training.Distributed;

namespace Research.Experiments.Stages;

/// <summary>One row of family.csv.</summary>
public sealed record FamilyResult(string Kind, string Name, double? Phi, int Seed, long Params, long Macs, int Resolution, double? ValTop1, double? TestTop1,
    double ImagesPerSecond, double Seconds);

/// <summary>
/// stages.train: every family member (scale/*.yaml, in scale.csv's order) and every baseline
/// trained on the same recipe and seed, each in its own folder with checkpoints (a killed stage
/// resumes), then family.csv, one row per model and seed. With <c>seeds</c> each model is trained once
/// per seed, in its folder's seed&lt;S&gt;/ (the seed sets weights, data order and augmentation), and
/// resumes per seed. Without holdout the per-epoch evaluation is on the test set and is the
/// reported test top-1; with holdout the members train on the training set less dataset.validation,
/// are evaluated on that held-out part each epoch, and on the test set once at the end. On several
/// ranks, parallel: members (the default) shares the members and baselines out, each trained whole by
/// one rank; parallel: data trains each of them data-parallel on every rank. Rank 0 writes family.csv.
/// </summary>
public static class TrainStage
{
    public static readonly string[] Columns = ["kind", "name", "phi", "seed", "params", "macs", "resolution", "val_top1", "test_top1", "images_per_s", "seconds"];

    /// <summary>Columns that measure time and differ from run to run.</summary>
    public static readonly string[] TimingColumns = ["images_per_s", "seconds"];

    public static void Run(StageContext ctx)
    {
        var t = ctx.Config.Stages.Train!;
        var data = ctx.LoadData(t.Subset);
        var train = data;
        if (t.Holdout) train = DatasetSplit.HoldOut(data, ctx.Dataset.Validation);
        // A pretrained start is written relative to the experiment file.
        var recipe = t.Recipe with { Seed = ctx.Config.Seed, InitFrom = t.Recipe.InitFrom is { } init ? ctx.Config.ResolvePath(init) : null };
        // The plan first (every rank makes the same one), then the training, shared out or data-parallel.
        var models = new List<(string Kind, NetworkSpec Spec, double? Phi, string Dir)>();
        foreach (var (name, phi) in Members(ctx, t.Members))
            models.Add(("member", SpecYaml.Load(ctx.Layout.MemberSpec(name)), phi, ctx.Layout.MemberRun(name)));
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var b in t.Baselines)
        {
            // The folder and row name: the model's, with its width when given, made unique (the same model twice at other settings).
            var spec = ctx.ResolveModel(b);
            string baseName = SafeFileName.Of(spec.Name + (b.Overrides.WidthMult is { } wm && wm != 1.0 ? $"-w{Numbers.RoundTrip(wm)}" : ""));
            string name = baseName;
            for (int i = 2; !taken.Add(name); i++) name = $"{baseName}-{i}";
            models.Add(("baseline", spec with { Name = name }, null, ctx.Layout.BaselineRun(name)));
        }
        // Seed-major: every model's first seed before any model's second, so a stopped stage has a row for each model soonest.
        var plan = (t.Seeds ?? [ctx.Config.Seed]).SelectMany(seed => models.Select(m =>
            (m.Kind, m.Spec, m.Phi, Dir: t.Seeds is null ? m.Dir : RunLayout.SeedRun(m.Dir, seed), Recipe: recipe with { Seed = seed }))).ToList();
        List<FamilyResult> results;
        if (ctx.World is { } world && t.Parallel == Config.TrainStageConfig.ParallelMembers)
        {
            var json = new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
            results = ShardedWork.Run(world, "train", plan.Count, i => TrainOne(ctx, plan[i].Kind, plan[i].Spec, plan[i].Phi, train, data.Test, t.Holdout,
                        plan[i].Recipe, plan[i].Dir, null),
                    r => JsonSerializer.Serialize(r, json), text => JsonSerializer.Deserialize<FamilyResult>(text, json)!)
                .Select(o => o.Result!).ToList();
        }
        else
            results = plan.Select(p => TrainOne(ctx, p.Kind, p.Spec, p.Phi, train, data.Test, t.Holdout, p.Recipe, p.Dir, ctx.World)).ToList();
        if (ctx.IsMain) DurableFile.WriteAllText(ctx.Layout.FamilyCsv, Csv(results));
    }

    /// <summary>The family's (name, φ) from scale/scale.csv, filtered to the φ values asked for.</summary>
    private static List<(string Name, double Phi)> Members(StageContext ctx, double[]? wanted)
    {
        if (ctx.Config.Stages.Scale is null) return [];
        if (!File.Exists(ctx.Layout.ScaleCsv)) throw new FileNotFoundException($"{ctx.Layout.ScaleCsv} not found: the scale stage has not written it", ctx.Layout.ScaleCsv);
        var rows = CsvTable.Read(ctx.Layout.ScaleCsv).Select(r => (Name: r["name"], Phi: Numbers.ParseDouble(r["phi"], $"{ctx.Layout.ScaleCsv}: phi"))).ToList();
        if (wanted is null) return rows;
        var missing = wanted.Where(p => !rows.Any(r => r.Phi == p)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"stages.train.members: the family has no member at phi {string.Join(", ", missing)} (it has {string.Join(", ", rows.Select(r => r.Phi))})");
        return rows.Where(r => wanted.Contains(r.Phi)).ToList();
    }

    /// <param name="world">the ranks training this one together (null: this process alone)</param>
    private static FamilyResult TrainOne(StageContext ctx, string kind, NetworkSpec spec, double? phi, DatasetPair train, ImageDataset test, bool holdout,
        TrainConfig recipe, string dir, DistributedWorld? world)
    {
        if (spec.Classes < train.Train.Classes)
            throw new ArgumentException($"{spec.Name}: {spec.Classes} classes, but {ctx.Dataset.Name} has {train.Train.Classes}");
        ctx.Log.WriteLine($"train: {kind} {spec.Name} ({spec.InChannels}x{spec.Resolution}x{spec.Resolution}) seed {recipe.Seed} -> {dir}");
        var r = Trainer.Run(spec, train, ctx.Dataset.Name, recipe, new TrainerOptions { OutDir = dir, Resume = true, Device = ctx.Device, Log = ctx.Log, World = world });
        double? val = holdout ? r.Final.ValTop1 : null;
        // Data-parallel: rank 0 alone evaluates the saved weights (only its result is written).
        bool evaluates = world?.IsMain ?? true;
        double testTop1 = !holdout ? r.Final.ValTop1 : evaluates ? EvaluateTest(new RunFiles(dir), test, recipe, ctx.Device) : double.NaN;
        ctx.Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"train: {spec.Name} params {r.Params} macs {r.Macs}{(val is { } v ? $" val_top1 {v:F2}" : "")} test_top1 {testTop1:F2} images_per_s {r.ImagesPerSecond:F1}"));
        return new FamilyResult(kind, spec.Name, phi, recipe.Seed, r.Params, r.Macs, r.Resolution, val, testTop1, r.ImagesPerSecond, r.Seconds);
    }

    /// <summary>Test top-1 of the run's saved weights (EMA ones when EMA was on), prepared as the run prepared its inputs; cached in test.json.</summary>
    private static double EvaluateTest(RunFiles run, ImageDataset test, TrainConfig recipe, Device device)
    {
        var cache = RunLayout.TestFigures(run);
        if (File.Exists(cache) && File.GetLastWriteTimeUtc(cache) >= File.GetLastWriteTimeUtc(run.Checkpoint))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(cache));
            return doc.RootElement.GetProperty("top1").GetDouble();
        }
        using var model = TrainedModel.Open(model: null, run.Weights, new ModelOverrides(), data: null, device);
        var loader = new DataLoader(test, Math.Max(recipe.BatchSize, 256), shuffle: false, dropLast: false, device);
        var r = Evaluation.Evaluate(model.Network, loader, model.Preprocessing!.EvalTransform(), recipe.Bf16 && device.Type == DeviceType.CUDA);
        DurableFile.WriteAllText(cache, JsonSerializer.Serialize(new { top1 = r.Top1, top5 = r.Top5, loss = r.Loss, count = r.Count }));
        return r.Top1;
    }

    public static string Csv(IEnumerable<FamilyResult> rows) => CsvTable.ToText(Columns, rows.Select(r => new[]
    {
        r.Kind, r.Name, Numbers.RoundTrip(r.Phi), Numbers.Integer(r.Seed), Numbers.Integer(r.Params), Numbers.Integer(r.Macs), Numbers.Integer(r.Resolution),
        Numbers.RoundTrip(r.ValTop1), Numbers.RoundTrip(r.TestTop1), Numbers.Fixed(r.ImagesPerSecond, 1), Numbers.Fixed(r.Seconds, 1),
    }));
}
