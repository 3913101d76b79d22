using Research.Core.Yaml;
using Research.Experiments.Runs;
using Research.Models.Zoo;
using YamlDotNet.Core;

namespace Research.Experiments.Config;

/// <summary>
/// The second step of reading an experiment file: what it names outside itself is checked against
/// the world (the dataset's folder, from_run folders, search spaces, scaling tables, weights and
/// models), each problem reported at the line the parse noted, and every file the run will read is
/// hashed into the config's <see cref="ExperimentConfig.Inputs"/> (image datasets by their files'
/// list), so that a changed input is a new run.
/// </summary>
public static class ExperimentInputs
{
    /// <summary>The draft's config with its inputs' hashes; problems go to <paramref name="checker"/> (the config is not to be used when there are any).</summary>
    public static ExperimentConfig Check(ExperimentDraft draft, YamlChecker checker)
    {
        var config = draft.Config;
        var inputs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        string Full(string path) => config.ResolvePath(path);
        void Hash(string pathAsWritten, string fullPath)
        {
            try
            {
                inputs[pathAsWritten] = CanonicalJson.FileSha256(fullPath);
            }
            catch (IOException)
            {
                // Unreadable files are reported where they are used.
            }
        }

        var dataset = Dataset(draft, checker, Full, inputs);

        foreach (var (stage, path, dir, at) in draft.FromRuns)
        {
            var full = Full(dir);
            var marker = RunLayout.MarkerFile(stage);
            if (!Directory.Exists(full)) checker.Error(at, path, $"directory not found: {full}");
            else if (!File.Exists(Path.Combine(full, marker))) checker.Error(at, path, $"{full} holds no {marker} (not a finished {stage} stage)");
            else
                foreach (var f in Directory.GetFiles(full).Order(StringComparer.Ordinal))
                    if (!f.EndsWith(DurableFile.TemporarySuffix, StringComparison.Ordinal) && !RunDirectoryLock.IsLockFile(f)) Hash($"{dir.TrimEnd('/')}/{Path.GetFileName(f)}", f);
        }

        foreach (var (path, space, at) in draft.Spaces)
        {
            if (!File.Exists(Full(space)))
            {
                checker.Error(at, path, $"search-space file not found: {Full(space)}");
                continue;
            }
            Hash(space, Full(space));
            try
            {
                SearchSpace.Load(Full(space));
            }
            catch (Research.Models.Specs.SpecFormatException ex)
            {
                checker.Error(at, path, $"invalid search space: {ex.Message}");
            }
        }

        foreach (var (path, table, at) in draft.LatencyTables)
        {
            if (!File.Exists(Full(table)))
            {
                checker.Error(at, path, $"latency table not found: {Full(table)}");
                continue;
            }
            try
            {
                Research.Models.LatencyTables.LatencyTable.Load(Full(table));
                Hash(table, Full(table));
            }
            catch (Exception e) when (e is InvalidDataException or FormatException or IOException)
            {
                checker.Error(at, path, e.Message);
            }
        }

        if (draft.Table is { } scaleTable)
        {
            var (tablePath, t, tableAt, phiAt) = scaleTable;
            ScalingTable? table = null;
            if (t == "efficientnet") table = ScalingTable.EfficientNet;
            else
                try
                {
                    table = ScalingTable.Load(Full(t));
                    Hash(t, Full(t));
                }
                catch (Exception e) when (e is FormatException or IOException)
                {
                    checker.Error(tableAt, tablePath, e is FileNotFoundException ? $"table file not found: {Full(t)}" : e.Message);
                }
            if (config.Stages.Scale?.Family.Phi is { } phis && table is not null && phiAt is { } at &&
                phis.Where(x => !table.Members.Any(tm => tm.Phi == x)).ToList() is { Count: > 0 } bad)
                checker.Error(at, "stages.scale.phi",
                    $"table '{table.Name}' has no member at phi {string.Join(", ", bad)} (allowed: {string.Join(", ", table.Members.Select(tm => tm.Phi))})");
        }

        if (draft.InitFrom is { } initFrom)
        {
            var (initPath, init, initAt) = initFrom;
            if (File.Exists(Full(init))) Hash(init, Full(init));
            else checker.Error(initAt, initPath, $"weights file not found: {Full(init)}");
        }

        // A grid imported from an earlier run must carry the base it scaled.
        if (config.Stages.Grid?.FromRun is { } gridRun && Directory.Exists(Full(gridRun)) && !File.Exists(Path.Combine(Full(gridRun), RunLayout.GridBaseFile)))
            foreach (var (path, at) in draft.GridBases)
                checker.Error(at, path,
                    $"from: grid needs {Path.Combine(Full(gridRun), RunLayout.GridBaseFile)}, which the imported grid does not hold (e.g. a `research search grid` folder): give the base explicitly");

        foreach (var (path, r, at) in draft.Models) Model(r, path, at, dataset, checker, Full, Hash);
        AblationArms(draft, dataset, checker, Full);

        return config with { Inputs = inputs };
    }

    /// <summary>
    /// An ablation whose base and coefficients are known here (a model or spec file, coefficients
    /// written in the file) is planned now: an arm its base cannot bring within macs_tolerance is
    /// refused before any stage runs, at the base's line.
    /// </summary>
    private static void AblationArms(ExperimentDraft draft, DatasetInfo? dataset, YamlChecker checker, Func<string, string> full)
    {
        if (draft.Config.Stages.Ablation is not { FromRun: null, CoefficientsFromGrid: false, Base.Model: { } name } ablation) return;
        var at = draft.Models.FirstOrDefault(m => m.Path.StartsWith("stages.ablation.", StringComparison.Ordinal));
        if (at.Model is null) return;
        try
        {
            var spec = ModelResolver.Resolve(ablation.Base, ModelSource.IsSpecFile(name) ? full(name) : name, dataset);
            ScalingAblation.Plan(spec, ablation.Search);
        }
        catch (ArmsOffTargetException e)
        {
            checker.Error(at.At, "stages.ablation.macs_tolerance", e.Detail);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IOException)
        {
            // The base's own problems are reported by Model above.
        }
    }

    /// <summary>The dataset's location, and what it feeds a network (image datasets: from their files, whose list becomes an input).</summary>
    private static DatasetInfo? Dataset(ExperimentDraft draft, YamlChecker checker, Func<string, string> full, SortedDictionary<string, string> inputs)
    {
        if (draft.Config.Dataset is not { } cfg) return null;
        bool images = DatasetCatalog.IsImageFiles(cfg.Name);
        bool located = true;
        if (cfg.DataDir is { } d && draft.DataDirAt is { } dirAt && !(cfg.Name == DatasetCatalog.CsvName ? File.Exists(full(d)) : Directory.Exists(full(d))))
        {
            checker.Error(dirAt, "dataset.data_dir", $"{(cfg.Name == DatasetCatalog.CsvName ? "file" : "directory")} not found: {full(d)}");
            located = false;
        }
        else if (cfg.DataDir is null && cfg.Name == DatasetCatalog.FashionMnistName && draft.DatasetNameAt is { } nameAt && !Directory.Exists(FashionMnist.DefaultDir))
        {
            checker.Error(nameAt, "dataset.data_dir",
                $"fashion-mnist is not installed in {FashionMnist.DefaultDir} (apt-get install dataset-fashion-mnist), and no data_dir is given");
            located = false;
        }
        if (!images) return DatasetInfo.Find(cfg.Name);
        if (cfg.DataDir is not { } root || draft.DataDirAt is not { } rootAt || !located || !draft.CleanThroughDataset) return null;
        // The files' list (paths, sizes, times) is an input of the run: a changed dataset is a new run.
        try
        {
            var (shape, fingerprint) = ImageFileDataset.Describe(cfg with { DataDir = full(root), CacheDir = cfg.CacheDir is { } c ? full(c) : null });
            inputs[$"dataset:{root}"] = fingerprint;
            return new DatasetInfo(cfg.Name, shape.Classes, shape.Channels, shape.Size);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            checker.Error(rootAt, "dataset.data_dir", e.Message);
            return null;
        }
    }

    /// <summary>A registered model or a spec file, resolved for the dataset now, so that a bad spec or option shows up before anything runs.</summary>
    private static void Model(ModelRef r, string path, Mark at, DatasetInfo? dataset, YamlChecker checker, Func<string, string> full, Action<string, string> hash)
    {
        var name = r.Model!;
        if (ModelSource.IsSpecFile(name))
        {
            if (!File.Exists(full(name)))
            {
                checker.Error(at, path, $"spec file not found: {full(name)}");
                return;
            }
            hash(name, full(name));
        }
        else if (!ModelRegistry.Default.Contains(name))
        {
            checker.Error(at, path, $"unknown model '{name}' {YamlChecker.Allowed(ModelRegistry.Default.Entries.Select(e => e.Name).Append("a spec file (.yaml)"))}");
            return;
        }
        try
        {
            ModelResolver.Resolve(r, ModelSource.IsSpecFile(name) ? full(name) : name, dataset);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            checker.Error(at, path, e.Message);
        }
    }
}
