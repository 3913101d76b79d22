using System.Text.RegularExpressions;
using Research.Core.IO;
using Research.Core.Settings;
using Research.Core.Yaml;
using Research.Models.Networks;
using Research.Models.Scaling;
using Research.Models.Zoo;
using Research.Search.Ablation;
using Research.Search.Darts;
using Research.Search.Grid;
using Research.Training;
using Research.Training.Data;
using YamlDotNet.RepresentationModel;

namespace Research.Experiments.Config;

/// <summary>
/// Loads and validates an experiment file (YAML, or JSON, which YAML reads too). Every setting key
/// is the key of its layer's <see cref="SettingSet{TRecord}"/>, read by <see cref="YamlSettings"/>, so
/// the file, the CLI and experiments/README.md's key tables cannot disagree. Every problem in the
/// file (unknown keys, wrong types, values out of range, missing files, stages that refer to stages
/// that are not there) is collected and thrown at once as an <see cref="ExperimentConfigException"/>.
/// Nothing is written to disk.
/// </summary>
public static partial class ExperimentFile
{
    /// <summary>Stages in the order they run.</summary>
    public static readonly string[] StageNames = ["darts", "random", "grid", "ablation", "scale", "train", "report"];

    public static readonly string[] TopKeys = ["name", "description", .. ExecutionConfig.Settings.Keys, "dataset", "stages"];
    public static readonly string[] DatasetKeys = [.. DataConfig.Settings.Keys];
    public static readonly string[] DartsKeys = ["from_run", "space", .. DartsRunConfig.Settings.Keys, "subset"];
    public static readonly string[] RandomKeys = ["from_run", "space", .. RandomSearchConfig.Settings.Keys, "subset"];
    public static readonly string[] GridKeys = ["from_run", "base", .. GridSearchConfig.Settings.Keys, "subset"];
    public static readonly string[] AblationKeys = ["from_run", "base", "coefficients", .. AblationConfig.Settings.Keys.Except(CoefficientSettingKeys), "subset"];
    public static readonly string[] ScaleKeys = ["from_run", "base", "coefficients", .. FamilyConfig.Settings.Keys.Except(CoefficientSettingKeys)];
    public static readonly string[] TrainKeys = ["from_run", "subset", "holdout", "members", "baselines", "parallel", .. TrainConfig.Settings.Keys];
    public static readonly string[] ReportKeys = ["title", .. Research.Models.LatencyTables.LatencyTableConfig.Settings.Keys];
    public static readonly string[] ModelKeys = ["model", "from", .. ModelOverrides.Settings.Keys];

    /// <summary>The coefficient settings (alpha, beta, gamma) are written under <c>coefficients:</c>, next to its <c>from: grid</c>.</summary>
    public static string[] CoefficientSettingKeys => ["alpha", "beta", "gamma"];

    public static readonly string[] CoefficientKeys = ["from", .. CoefficientSettingKeys];

    /// <summary>The file a stage leaves when it is finished (and that from_run must hold).</summary>
    public static readonly IReadOnlyDictionary<string, string> StageMarkers = new Dictionary<string, string>
    {
        ["darts"] = "genotype.json", ["random"] = RandomSearch.GenotypeFileName, ["grid"] = "best.json", ["ablation"] = "ablation.csv", ["scale"] = "scale.csv", ["train"] = "family.csv",
        ["report"] = "summary.md",
    };

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();

    public static ExperimentConfig Load(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new ExperimentConfigException(path, [$"{path}: experiment file not found"]);
        return Parse(File.ReadAllText(full), path, Path.GetDirectoryName(full)!);
    }

    /// <param name="text">the file's contents</param>
    /// <param name="source">the name errors show (the path as the user gave it)</param>
    /// <param name="baseDirectory">relative paths in the file resolve against this folder</param>
    public static ExperimentConfig Parse(string text, string source, string baseDirectory)
    {
        var checker = new YamlChecker(source);
        var root = checker.LoadRoot(text, $"the keys {string.Join(", ", TopKeys)}");
        if (root is null) throw new ExperimentConfigException(source, checker.Errors);
        var p = new Parser(checker, Path.GetFullPath(baseDirectory));
        var config = p.Experiment(root, source);
        if (checker.HasErrors || config is null) throw new ExperimentConfigException(source, checker.Errors);
        return config;
    }

    private sealed class Parser(YamlChecker checker, string baseDir)
    {
        private readonly SortedDictionary<string, string> _inputs = new(StringComparer.Ordinal);
        private DatasetInfo? _dataset;
        private YamlMap? _stages;

        private string Full(string path) => Path.GetFullPath(Path.Combine(baseDir, path));

        private void Hash(string pathAsWritten, string fullPath)
        {
            try
            {
                _inputs[pathAsWritten] = CanonicalJson.FileSha256(fullPath);
            }
            catch (IOException)
            {
                // Unreadable files are reported where they are used.
            }
        }

        public ExperimentConfig? Experiment(YamlMappingNode root, string source)
        {
            var top = checker.Map(root, "", TopKeys)!;
            string? name = null;
            if (top["name"] is { } nn && checker.String(nn, "name") is { } n)
            {
                if (NamePattern().IsMatch(n)) name = n;
                else checker.Error(nn, "name", $"'{n}' is not a valid run name: use letters, digits, '.', '_' or '-' (at most 64, starting with a letter or digit)");
            }
            else if (top["name"] is null) checker.Error(root.Start, "name", "is required (it names the run directory)");

            string? description = top["description"] is { } dn ? checker.String(dn, "description")?.Trim() : null;
            var execution = YamlSettings.Read(checker, top, ExecutionConfig.Settings);
            DataConfig? dataset = top["dataset"] is { } dsn ? Dataset(dsn) : null;
            var stagesNode = top["stages"];
            if (stagesNode is null)
            {
                checker.Error(root.Start, "stages", $"is required: at least one of {string.Join(", ", StageNames)}");
                return null;
            }
            _stages = checker.Map(stagesNode, "stages", StageNames);
            if (_stages is null) return null;
            if (!_stages.Keys.Any()) checker.Error(stagesNode, "stages", $"lists no stage (allowed: {string.Join(", ", StageNames)})");

            var stages = new StagesConfig
            {
                Darts = StageMap("darts", DartsKeys) is { } dm ? Darts(dm) : null,
                Random = StageMap("random", RandomKeys) is { } rnd ? Random(rnd) : null,
                Grid = StageMap("grid", GridKeys) is { } gm ? Grid(gm) : null,
                Ablation = StageMap("ablation", AblationKeys) is { } am ? Ablation(am) : null,
                Scale = StageMap("scale", ScaleKeys) is { } scm ? Scale(scm) : null,
                Train = StageMap("train", TrainKeys) is { } tm ? Train(tm) : null,
                Report = StageMap("report", ReportKeys) is { } rm ? Report(rm) : null,
            };

            // Stages that read the dataset need one.
            foreach (var (stageName, needs) in new (string, bool)[]
                     {
                         ("darts", stages.Darts is { FromRun: null }), ("random", stages.Random is { FromRun: null }), ("grid", stages.Grid is { FromRun: null }),
                         ("ablation", stages.Ablation is { FromRun: null }), ("train", stages.Train is { FromRun: null }),
                     })
                if (needs && dataset is null && top["dataset"] is null)
                    checker.Error(_stages.KeyNode(stageName)!, $"stages.{stageName}", "needs a dataset: add dataset: {name: ...} at the top level");
            if (stages.Train is { Members: { } wanted } && stages.Scale is { FromRun: null } scale &&
                (scale.Family.Phi ?? (scale.Family.Table is null ? FamilyConfig.DefaultFormulaPhis : null)) is { } phis &&
                wanted.Where(p => !phis.Contains(p)).ToList() is { Count: > 0 } absent)
                checker.Error(((YamlMappingNode)_stages["train"]!).Children[new YamlScalarNode("members")], "stages.train.members",
                    $"the family has no member at phi {string.Join(", ", absent)} (allowed: {string.Join(", ", phis)}, scale.phi)");
            if (stages.Train is { FromRun: null, Baselines.Length: 0 } && stages.Scale is null)
                checker.Error(_stages.KeyNode("train")!, "stages.train", "has nothing to train: add a scale stage (the family) or baselines");

            if (name is null) return null;
            return new ExperimentConfig
            {
                Name = name, Description = description, Execution = execution, Dataset = dataset, Stages = stages,
                SourcePath = Path.GetFullPath(Path.Combine(Directory.GetCurrentDirectory(), source)), BaseDirectory = baseDir, Inputs = _inputs,
            };
        }

        private YamlMap? StageMap(string stage, string[] keys)
        {
            if (!_stages!.Has(stage)) return null;
            var node = _stages.KeyNode(stage)!;
            var value = _stages[stage];
            // `report:` with nothing under it is the stage with its defaults.
            var m = value is null ? null : checker.Map(value, $"stages.{stage}", keys, nullIsEmpty: true);
            return m ?? new YamlMap(checker, $"stages.{stage}", node.Start, new());
        }

        private bool HasStage(string stage) => _stages?.Has(stage) == true;

        private int? Subset(YamlMap m) => m["subset"] is { } node ? checker.Int(node, m.Sub("subset"), 2) : null;

        private DataConfig? Dataset(YamlNode node)
        {
            var m = checker.Map(node, "dataset", DatasetKeys);
            if (m is null) return null;
            if (!m.Has("name")) m.Missing("name", $"is required {YamlChecker.Allowed(DatasetCatalog.Names)}");
            var cfg = YamlSettings.Read(checker, m, DataConfig.Settings);
            bool images = DatasetCatalog.IsImageFiles(cfg.Name);
            if (cfg.DataDir is { } d && !(cfg.Name == DatasetCatalog.CsvName ? File.Exists(Full(d)) : Directory.Exists(Full(d))))
            {
                checker.Error(m["data_dir"]!, "dataset.data_dir", $"{(cfg.Name == DatasetCatalog.CsvName ? "file" : "directory")} not found: {Full(d)}");
                cfg = cfg with { DataDir = null };
            }
            else if (cfg.DataDir is null && (images || cfg.Name is DatasetCatalog.Cifar10Name or DatasetCatalog.Cifar100Name) && m.Has("name"))
                checker.Error(m.KeyNode("name")!, "dataset.data_dir", $"{cfg.Name} has no default location: set data_dir to {(images ? (cfg.Name == DatasetCatalog.CsvName ? "the CSV list" : "the dataset folder") : "the folder with its binary files")}");
            else if (cfg.DataDir is null && cfg.Name == DatasetCatalog.FashionMnistName && m.Has("name") && !Directory.Exists(FashionMnist.DefaultDir))
                checker.Error(m.KeyNode("name")!, "dataset.data_dir",
                    $"fashion-mnist is not installed in {FashionMnist.DefaultDir} (apt-get install dataset-fashion-mnist), and no data_dir is given");
            if (!m.Has("name")) return null;
            if (images && cfg.DataDir is { } root && !checker.HasErrors)
            {
                // The files' list (paths, sizes, times) is an input of the run: a changed dataset is a new run.
                try
                {
                    var (shape, fingerprint) = ImageFileDataset.Describe(cfg with { DataDir = Full(root), CacheDir = cfg.CacheDir is { } c ? Full(c) : null });
                    _inputs[$"dataset:{root}"] = fingerprint;
                    _dataset = new DatasetInfo(cfg.Name, shape.Classes, shape.Channels, shape.Size);
                }
                catch (Exception e) when (e is InvalidDataException or IOException)
                {
                    checker.Error(m["data_dir"]!, "dataset.data_dir", e.Message);
                }
                return cfg;
            }
            _dataset = DatasetInfo.Find(cfg.Name);
            return cfg;
        }

        /// <summary>from_run: an earlier run's stage folder holding the stage's marker file; hashes its files.</summary>
        private string? FromRun(YamlMap m, string stage)
        {
            if (m["from_run"] is not { } node) return null;
            var path = m.Sub("from_run");
            if (checker.String(node, path) is not { } dir) return null;
            var full = Full(dir);
            var marker = StageMarkers[stage];
            if (!Directory.Exists(full)) checker.Error(node, path, $"directory not found: {full}");
            else if (!File.Exists(Path.Combine(full, marker))) checker.Error(node, path, $"{full} holds no {marker} (not a finished {stage} stage)");
            else
                foreach (var f in Directory.GetFiles(full).Order(StringComparer.Ordinal))
                    if (!f.EndsWith(DurableFile.TemporarySuffix, StringComparison.Ordinal)) Hash($"{dir.TrimEnd('/')}/{Path.GetFileName(f)}", f);
            foreach (var k in m.Keys.Where(k => k != "from_run"))
                checker.Error(m.KeyNode(k)!, m.Sub(k), "not allowed with from_run (the stage's outputs are taken from the earlier run)");
            return dir;
        }

        private DartsStageConfig Darts(YamlMap m)
        {
            var cfg = new DartsStageConfig { FromRun = FromRun(m, "darts") };
            if (cfg.FromRun is not null) return cfg;
            var search = YamlSettings.Read(checker, m, DartsRunConfig.Settings);
            LatencyTable(m, search.Search.Latency.Table);
            return cfg with { Space = Space(m), Subset = Subset(m), Search = search };
        }

        private RandomStageConfig Random(YamlMap m)
        {
            var cfg = new RandomStageConfig { FromRun = FromRun(m, "random") };
            if (cfg.FromRun is not null) return cfg;
            var search = YamlSettings.Read(checker, m, RandomSearchConfig.Settings);
            LatencyTable(m, search.Screening.Latency.Table);
            return cfg with { Space = Space(m), Subset = Subset(m), Search = search };
        }

        /// <summary>A stage's latency table (relative to the file): it must exist and be a latency table; its hash goes into the run's.</summary>
        private void LatencyTable(YamlMap m, string? table)
        {
            if (table is null) return;
            var node = m["latency_table"]!;
            if (!File.Exists(Full(table)))
            {
                checker.Error(node, m.Sub("latency_table"), $"latency table not found: {Full(table)}");
                return;
            }
            try
            {
                Research.Models.LatencyTables.LatencyTable.Load(Full(table));
                Hash(table, Full(table));
            }
            catch (Exception e) when (e is InvalidDataException or FormatException or IOException)
            {
                checker.Error(node, m.Sub("latency_table"), e.Message);
            }
        }

        /// <summary>A stage's search-space file: it must exist and be valid; its hash goes into the run's.</summary>
        private string? Space(YamlMap m)
        {
            if (m["space"] is { } sn && checker.String(sn, m.Sub("space")) is { } space)
            {
                bool file = space.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || space.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) ||
                            space.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || space.Contains('/');
                if (file && !File.Exists(Full(space))) checker.Error(sn, m.Sub("space"), $"search-space file not found: {Full(space)}");
                else if (file)
                {
                    Hash(space, Full(space));
                    try
                    {
                        SearchSpace.Load(Full(space));
                    }
                    catch (Research.Models.Specs.SpecFormatException ex)
                    {
                        checker.Error(sn, m.Sub("space"), $"invalid search space: {ex.Message}");
                    }
                }
                else checker.Error(sn, m.Sub("space"), "must be a search-space file (.yaml), e.g. search-spaces/mobile-blocks.yaml");
                return space;
            }
            if (m["space"] is null) m.Missing("space", "is required: a search-space file (.yaml)");
            return null;
        }

        private GridStageConfig Grid(YamlMap m)
        {
            var cfg = new GridStageConfig { FromRun = FromRun(m, "grid") };
            if (cfg.FromRun is not null) return cfg;
            if (m["base"] is { } bn) cfg = cfg with { Base = ModelRef(bn, m.Sub("base"), ["darts", "random"]) };
            else m.Missing("base", "is required: a registered model, a spec file (.yaml), {from: darts} or {from: random}");
            var search = YamlSettings.Read(checker, m, GridSearchConfig.Settings);
            LatencyTable(m, search.Screening.Latency.Table);
            return cfg with { Subset = Subset(m), Search = search };
        }

        private AblationStageConfig Ablation(YamlMap m)
        {
            var cfg = new AblationStageConfig { FromRun = FromRun(m, "ablation") };
            if (cfg.FromRun is not null) return cfg;
            if (m["base"] is { } bn) cfg = cfg with { Base = ModelRef(bn, m.Sub("base"), ["darts", "random", "grid"]) };
            else if (HasStage("grid")) cfg = cfg with { Base = new ModelRef { From = "grid" } };
            else m.Missing("base", "is required when there is no grid stage: a registered model, a spec file (.yaml) or {from: darts}");
            if (cfg.Base is { From: "grid" }) CheckGridBase(m.KeyNode("base"), m.Start, m.Sub("base"));
            var search = YamlSettings.Read(checker, m, AblationConfig.Settings);
            bool fromGrid = HasStage("grid");
            if (m["coefficients"] is { } co && Coefficients(co, m.Sub("coefficients")) is { } coefficients)
            {
                fromGrid = coefficients.FromGrid;
                if (!fromGrid) search = YamlSettings.Read(checker, coefficients.Map, AblationConfig.Settings, search);
            }
            return cfg with { Subset = Subset(m), Search = search, CoefficientsFromGrid = fromGrid };
        }

        private ScaleStageConfig Scale(YamlMap m)
        {
            var cfg = new ScaleStageConfig { FromRun = FromRun(m, "scale") };
            if (cfg.FromRun is not null) return cfg;
            if (m["base"] is { } bn) cfg = cfg with { Base = ModelRef(bn, m.Sub("base"), ["darts", "random", "grid"]) };
            else if (HasStage("grid")) cfg = cfg with { Base = new ModelRef { From = "grid" } };
            else m.Missing("base", "is required when there is no grid stage: a registered model, a spec file (.yaml) or {from: darts}");
            if (cfg.Base is { From: "grid" }) CheckGridBase(m.KeyNode("base"), m.Start, m.Sub("base"));

            var family = YamlSettings.Read(checker, m, FamilyConfig.Settings);
            ScalingTable? table = null;
            if (family.Table is { } t)
            {
                if (ModelSource.IsYamlSpec(t))
                {
                    try
                    {
                        table = ScalingTable.Load(Full(t));
                        Hash(t, Full(t));
                    }
                    catch (Exception e) when (e is FormatException or IOException)
                    {
                        checker.Error(m["table"]!, m.Sub("table"), e is FileNotFoundException ? $"table file not found: {Full(t)}" : e.Message);
                    }
                }
                else if (t == "efficientnet") table = ScalingTable.EfficientNet;
                else checker.Error(m["table"]!, m.Sub("table"), $"unknown table '{t}' (allowed: efficientnet, or a table file .yaml)");
            }
            bool fromGrid = false;
            if (m["coefficients"] is { } co && Coefficients(co, m.Sub("coefficients")) is { } coefficients)
            {
                fromGrid = coefficients.FromGrid;
                if (!fromGrid) family = YamlSettings.Read(checker, coefficients.Map, FamilyConfig.Settings, family);
            }
            else if (m["coefficients"] is null && family.Table is null && HasStage("grid")) fromGrid = true;
            else if (m["coefficients"] is null && family.Table is null)
                checker.Error(m.Start, m.Sub("coefficients"), "is required when there is no grid stage and no table: {alpha: .., beta: .., gamma: ..}");
            if (fromGrid && !HasStage("grid"))
                checker.Error(m.KeyNode("coefficients")?.Start ?? m.Start, m.Sub("coefficients"), "from: grid needs a grid stage");
            if (family.Phi is { } phis && table is not null && phis.Where(x => !table.Members.Any(tm => tm.Phi == x)).ToList() is { Count: > 0 } bad)
                checker.Error(m["phi"]!, m.Sub("phi"),
                    $"table '{table.Name}' has no member at phi {string.Join(", ", bad)} (allowed: {string.Join(", ", table.Members.Select(tm => tm.Phi))})");
            return cfg with { Family = family, CoefficientsFromGrid = fromGrid };
        }

        private TrainStageConfig Train(YamlMap m)
        {
            var cfg = new TrainStageConfig { FromRun = FromRun(m, "train") };
            if (cfg.FromRun is not null) return cfg;
            cfg = cfg with { Subset = Subset(m) };
            if (m["holdout"] is { } ho) cfg = cfg with { Holdout = checker.Bool(ho, m.Sub("holdout")) ?? false };
            if (m["parallel"] is { } pa)
                cfg = cfg with { Parallel = checker.Choice(pa, m.Sub("parallel"), [TrainStageConfig.ParallelMembers, TrainStageConfig.ParallelData]) ?? TrainStageConfig.ParallelMembers };
            if (m["members"] is { } me)
            {
                cfg = cfg with { Members = checker.NumberList(me, m.Sub("members"), 0) };
                if (!HasStage("scale")) checker.Error(me, m.Sub("members"), "needs a scale stage (members are the family's phi values)");
            }
            if (m["baselines"] is { } bl)
            {
                if (bl is YamlSequenceNode seq)
                {
                    var list = new List<ModelRef>();
                    for (int i = 0; i < seq.Children.Count; i++)
                        if (ModelRef(seq.Children[i], $"{m.Sub("baselines")}[{i}]", []) is { } r) list.Add(r);
                    cfg = cfg with { Baselines = list.ToArray() };
                }
                else checker.Error(bl, m.Sub("baselines"), "must be a list of models (registered names, spec files, or {model: .., width_mult: ..})");
            }
            var recipe = YamlSettings.Read(checker, m, TrainConfig.Settings);
            if (recipe.InitFrom is { } init)
            {
                if (File.Exists(Full(init))) Hash(init, Full(init));
                else checker.Error(m["init_from"]!, m.Sub("init_from"), $"weights file not found: {Full(init)}");
            }
            return cfg with { Recipe = recipe };
        }

        private ReportConfig Report(YamlMap m)
        {
            var latency = YamlSettings.Read(checker, m, Research.Models.LatencyTables.LatencyTableConfig.Settings);
            LatencyTable(m, latency.Table);
            return new ReportConfig { Title = m["title"] is { } t ? checker.String(t, m.Sub("title")) : null, Latency = latency };
        }

        /// <summary><c>{from: grid}</c>, or <c>{alpha, beta, gamma}</c> (all three), whose mapping the caller reads into its settings.</summary>
        private (bool FromGrid, YamlMap Map)? Coefficients(YamlNode node, string path)
        {
            var m = checker.Map(node, path, CoefficientKeys);
            if (m is null) return null;
            if (m["from"] is { } fr)
            {
                var from = checker.Choice(fr, $"{path}.from", ["grid"]);
                foreach (var k in CoefficientSettingKeys)
                    if (m.Has(k)) checker.Error(m.KeyNode(k)!, $"{path}.{k}", "not allowed with from (give either from: grid or alpha, beta and gamma)");
                return from is null ? null : (true, m);
            }
            bool complete = true;
            foreach (var k in CoefficientSettingKeys)
                if (!m.Has(k))
                {
                    m.Missing(k, "is required (or use from: grid); must be a number >= 1");
                    complete = false;
                }
            return complete ? (false, m) : null;
        }

        private void CheckGridBase(YamlNode? keyNode, YamlDotNet.Core.Mark start, string path)
        {
            if (!HasStage("grid"))
            {
                checker.Error(keyNode?.Start ?? start, path, "from: grid needs a grid stage");
                return;
            }
            // A grid imported from an earlier run must carry the base it scaled.
            if (_stages!["grid"] is YamlMappingNode g && g.Children.TryGetValue(new YamlScalarNode("from_run"), out var fr) && fr is YamlScalarNode { Value: { } dir } &&
                Directory.Exists(Full(dir)) && !File.Exists(Path.Combine(Full(dir), "base.yaml")))
                checker.Error(keyNode?.Start ?? start, path,
                    $"from: grid needs {Path.Combine(Full(dir), "base.yaml")}, which the imported grid does not hold (e.g. a `research search grid` folder): give the base explicitly");
        }

        /// <summary>A model: a scalar (name or spec file) or a mapping with model or from and the model overrides.</summary>
        private ModelRef? ModelRef(YamlNode node, string path, string[] allowedFrom)
        {
            ModelRef? r = null;
            YamlNode anchor = node;
            if (node is YamlScalarNode && !YamlChecker.IsNull(node))
            {
                if (checker.String(node, path) is { } s) r = new ModelRef { Model = s };
            }
            else
            {
                var keys = allowedFrom.Length == 0 ? ModelKeys.Where(k => k != "from").ToArray() : ModelKeys;
                var m = checker.Map(node, path, keys);
                if (m is null) return null;
                string? model = m["model"] is { } mn ? checker.String(mn, $"{path}.model") : null;
                string? from = m["from"] is { } fn ? checker.Choice(fn, $"{path}.from", allowedFrom) : null;
                if (m.Has("model") && m.Has("from")) checker.Error(m.KeyNode("from")!, $"{path}.from", "give either model or from, not both");
                else if (!m.Has("model") && !m.Has("from"))
                    m.Missing("model", allowedFrom.Length == 0 ? "is required" : $"or from is required (from allowed: {string.Join(", ", allowedFrom)})");
                if (m["model"] is { } mn2) anchor = mn2;
                r = new ModelRef { Model = model, From = from, Overrides = YamlSettings.Read(checker, m, ModelOverrides.Settings) };
                if (model is null && from is null) return null;
            }
            if (r is null) return null;
            if (r.From is "darts" or "random" && !HasStage(r.From)) checker.Error(anchor, path, $"from: {r.From} needs a {r.From} stage");
            if (r.Model is { } name)
            {
                if (ModelSource.IsSpecFile(name))
                {
                    if (!File.Exists(Full(name)))
                    {
                        checker.Error(anchor, path, $"spec file not found: {Full(name)}");
                        return r;
                    }
                    Hash(name, Full(name));
                }
                else if (!ModelRegistry.Default.Contains(name))
                {
                    checker.Error(anchor, path,
                        $"unknown model '{name}' {YamlChecker.Allowed(ModelRegistry.Default.Entries.Select(e => e.Name).Append("a spec file (.yaml)"))}");
                    return r;
                }
                // Resolve it now, so a bad spec or option shows up before anything runs.
                try
                {
                    ModelResolver.Resolve(r, ModelSource.IsSpecFile(name) ? Full(name) : name, _dataset);
                }
                catch (Exception e) when (e is ArgumentException or FormatException)
                {
                    checker.Error(anchor, path, e.Message);
                }
            }
            return r;
        }
    }
}
