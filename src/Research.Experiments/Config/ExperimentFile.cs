using System.Text.RegularExpressions;
using Research.Models.Networks;
using Research.Models.Scaling;
using Research.Models.Specs;
using Research.Models.Zoo;
using Research.Search.Grid;
using Research.Training.Data;
using Research.Training.Training;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Research.Experiments.Config;

/// <summary>
/// Loads and validates an experiment file (YAML, or JSON, which YAML reads too). Every problem in
/// the file (unknown keys, wrong types, values out of range, missing files, stages that refer to
/// stages that are not there) is collected and thrown at once as an
/// <see cref="ExperimentConfigException"/>. Nothing is written to disk.
/// </summary>
public static partial class ExperimentFile
{
    public static readonly string[] TopKeys = ["name", "description", "seed", "device", "dataset", "stages"];
    public static readonly string[] DatasetKeys = ["name", "data_dir", "subset", "validation"];
    /// <summary>Stages in the order they run.</summary>
    public static readonly string[] StageNames = ["darts", "grid", "ablation", "scale", "train", "report"];
    public static readonly string[] RecipeKeys =
        ["epochs", "batch", "lr", "optimizer", "momentum", "nesterov", "weight_decay", "label_smoothing", "warmup_epochs", "clip", "ema", "crop_padding", "flip",
         "cutout", "bf16", "memory_format"];
    public static readonly string[] DartsKeys = ["from_run", "space", "epochs", "order", "partial_channels", "batch", "subset", "skip_cap", "macs_lambda", "arch_warmup", "arch_lr", "lr"];
    public static readonly string[] GridKeys =
        ["from_run", "base", "step", "tolerance", "target", "seeds", "objective", "macs_weight", "max_candidates", "refine", "subset", .. RecipeKeys];
    public static readonly string[] AblationKeys = ["from_run", "base", "targets", "coefficients", "seeds", "subset", .. RecipeKeys];
    public static readonly string[] ScaleKeys = ["from_run", "base", "coefficients", "table", "phi", "resolution_divisor"];
    public static readonly string[] TrainKeys = ["from_run", "subset", "holdout", "members", "baselines", .. RecipeKeys];
    public static readonly string[] ReportKeys = ["title"];
    public static readonly string[] ModelKeys = ["model", "from", "width_mult", "small_input", "resolution", "classes", "in_channels"];
    public static readonly string[] CoefficientKeys = ["from", "alpha", "beta", "gamma"];

    /// <summary>The file a stage leaves when it is finished (and that from_run must hold).</summary>
    public static readonly IReadOnlyDictionary<string, string> StageMarkers = new Dictionary<string, string>
    {
        ["darts"] = "genotype.json", ["grid"] = "best.json", ["ablation"] = "ablation.csv", ["scale"] = "scale.csv", ["train"] = "family.csv",
        ["report"] = "summary.md",
    };

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^(auto|cpu|cuda|cuda:[0-9]+)$")]
    private static partial Regex DevicePattern();

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
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new ExperimentConfigException(source, [$"{source}:{e.Start.Line}: invalid YAML: {e.Message}"]);
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ExperimentConfigException(source, [$"{source}:1: the file must hold one mapping with the keys {string.Join(", ", TopKeys)}"]);
        var p = new Parser(new YamlChecker(source), Path.GetFullPath(baseDirectory), source);
        var config = p.Experiment(root);
        if (p.C.HasErrors || config is null) throw new ExperimentConfigException(source, p.C.Errors);
        return config;
    }

    private sealed class Parser(YamlChecker c, string baseDir, string source)
    {
        public YamlChecker C { get; } = c;
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

        public ExperimentConfig? Experiment(YamlMappingNode root)
        {
            var top = C.Map(root, "", TopKeys)!;
            string? name = null;
            if (top["name"] is { } nn && C.String(nn, "name") is { } n)
            {
                if (NamePattern().IsMatch(n)) name = n;
                else C.Error(nn, "name", $"'{n}' is not a valid run name: use letters, digits, '.', '_' or '-' (at most 64, starting with a letter or digit)");
            }
            else if (top["name"] is null) C.Error(root.Start, "name", "is required (it names the run directory)");

            string? description = top["description"] is { } dn ? C.String(dn, "description")?.Trim() : null;
            int seed = top["seed"] is { } sn ? C.Int(sn, "seed", 0) ?? 0 : 0;
            string device = "auto";
            if (top["device"] is { } devn && C.String(devn, "device") is { } dev)
            {
                if (DevicePattern().IsMatch(dev)) device = dev;
                else C.Error(devn, "device", $"'{dev}' is not a device (allowed: auto, cpu, cuda, cuda:N)");
            }

            DatasetConfig? dataset = top["dataset"] is { } dsn ? Dataset(dsn) : null;
            var stagesNode = top["stages"];
            if (stagesNode is null)
            {
                C.Error(root.Start, "stages", $"is required: at least one of {string.Join(", ", StageNames)}");
                return null;
            }
            _stages = C.Map(stagesNode, "stages", StageNames);
            if (_stages is null) return null;
            if (!_stages.Keys.Any()) C.Error(stagesNode, "stages", $"lists no stage (allowed: {string.Join(", ", StageNames)})");

            var stages = new StagesConfig
            {
                Darts = StageMap("darts", DartsKeys) is { } dm ? Darts(dm) : null,
                Grid = StageMap("grid", GridKeys) is { } gm ? Grid(gm, dataset) : null,
                Ablation = StageMap("ablation", AblationKeys) is { } am ? Ablation(am, dataset) : null,
                Scale = StageMap("scale", ScaleKeys) is { } scm ? Scale(scm) : null,
                Train = StageMap("train", TrainKeys) is { } tm ? Train(tm, dataset) : null,
                Report = StageMap("report", ReportKeys) is { } rm ? Report(rm) : null,
            };

            // Stages that read the dataset need one.
            foreach (var (stageName, needs) in new (string, bool)[]
                     {
                         ("darts", stages.Darts is { FromRun: null }), ("grid", stages.Grid is { FromRun: null }),
                         ("ablation", stages.Ablation is { FromRun: null }), ("train", stages.Train is { FromRun: null }),
                     })
                if (needs && dataset is null && top["dataset"] is null)
                    C.Error(_stages.KeyNode(stageName)!, $"stages.{stageName}", "needs a dataset: add dataset: {name: ...} at the top level");
            if (stages.Train is { Members: { } wanted } && stages.Scale is { FromRun: null, Phi: { } phis } &&
                wanted.Where(p => !phis.Contains(p)).ToList() is { Count: > 0 } absent)
                C.Error(((YamlMappingNode)_stages["train"]!).Children[new YamlScalarNode("members")], "stages.train.members",
                    $"the family has no member at phi {string.Join(", ", absent)} (allowed: {string.Join(", ", phis)}, scale.phi)");
            if (stages.Train is { FromRun: null, Baselines.Length: 0 } && stages.Scale is null)
                C.Error(_stages.KeyNode("train")!, "stages.train", "has nothing to train: add a scale stage (the family) or baselines");

            if (name is null) return null;
            return new ExperimentConfig
            {
                Name = name, Description = description, Seed = seed, Device = device, Dataset = dataset, Stages = stages,
                SourcePath = Path.GetFullPath(Path.Combine(Directory.GetCurrentDirectory(), source)), BaseDirectory = baseDir, Inputs = _inputs,
            };
        }

        private YamlMap? StageMap(string stage, string[] keys)
        {
            if (!_stages!.Has(stage)) return null;
            var node = _stages.KeyNode(stage)!;
            var value = _stages[stage];
            // `report:` with nothing under it is the stage with its defaults.
            var m = value is null ? null : C.Map(value, $"stages.{stage}", keys, nullIsEmpty: true);
            return m ?? new YamlMap(C, $"stages.{stage}", node.Start, new());
        }

        private bool HasStage(string stage) => _stages?.Has(stage) == true;

        private DatasetConfig? Dataset(YamlNode node)
        {
            var m = C.Map(node, "dataset", DatasetKeys);
            if (m is null) return null;
            string? name = null;
            if (m["name"] is { } nn) name = C.Choice(nn, "dataset.name", DatasetCatalog.Names);
            else m.Missing("name", $"is required {YamlChecker.Allowed(DatasetCatalog.Names)}");
            string? dataDir = null;
            if (m["data_dir"] is { } dd && C.String(dd, "dataset.data_dir") is { } d)
            {
                if (Directory.Exists(Full(d))) dataDir = d;
                else C.Error(dd, "dataset.data_dir", $"directory not found: {Full(d)}");
            }
            else if (name is DatasetCatalog.Cifar10Name or DatasetCatalog.Cifar100Name)
                C.Error(m.KeyNode("name")!, "dataset.data_dir", $"{name} has no default location: set data_dir to the folder with its binary files");
            else if (name == DatasetCatalog.FashionMnistName && !Directory.Exists(FashionMnist.DefaultDir))
                C.Error(m.KeyNode("name")!, "dataset.data_dir",
                    $"fashion-mnist is not installed in {FashionMnist.DefaultDir} (apt-get install dataset-fashion-mnist), and no data_dir is given");
            int? subset = m["subset"] is { } sn ? C.Int(sn, "dataset.subset", 2) : null;
            double validation = m["validation"] is { } vn ? C.Number(vn, "dataset.validation", 0, 1, lowOpen: true, highOpen: true) ?? 0.1 : 0.1;
            if (name is null) return null;
            _dataset = DatasetInfo.Find(name);
            return new DatasetConfig { Name = name, DataDir = dataDir, Subset = subset, Validation = validation };
        }

        /// <summary>from_run: an earlier run's stage folder holding the stage's marker file; hashes its files.</summary>
        private string? FromRun(YamlMap m, string stage)
        {
            if (m["from_run"] is not { } node) return null;
            var path = m.Sub("from_run");
            if (C.String(node, path) is not { } dir) return null;
            var full = Full(dir);
            var marker = StageMarkers[stage];
            if (!Directory.Exists(full)) C.Error(node, path, $"directory not found: {full}");
            else if (!File.Exists(Path.Combine(full, marker))) C.Error(node, path, $"{full} holds no {marker} (not a finished {stage} stage)");
            else
                foreach (var f in Directory.GetFiles(full).Order(StringComparer.Ordinal))
                    if (!f.EndsWith(".tmp", StringComparison.Ordinal)) Hash($"{dir.TrimEnd('/')}/{Path.GetFileName(f)}", f);
            foreach (var k in m.Keys.Where(k => k != "from_run"))
                C.Error(m.KeyNode(k)!, m.Sub(k), "not allowed with from_run (the stage's outputs are taken from the earlier run)");
            return dir;
        }

        private Recipe Recipe(YamlMap m, Recipe defaults)
        {
            string P(string k) => m.Sub(k);
            var r = defaults;
            if (m["epochs"] is { } e) r = r with { Epochs = C.Int(e, P("epochs"), 1) ?? r.Epochs };
            if (m["batch"] is { } b) r = r with { Batch = C.Int(b, P("batch"), 1) ?? r.Batch };
            if (m["lr"] is { } lr) r = r with { Lr = C.Number(lr, P("lr"), 0, lowOpen: true) ?? r.Lr };
            if (m["optimizer"] is { } o) r = r with { Optimizer = C.Choice(o, P("optimizer"), ["sgd", "rmsprop", "adamw"]) ?? r.Optimizer };
            if (m["momentum"] is { } mo) r = r with { Momentum = C.Number(mo, P("momentum"), 0, 1, highOpen: true) ?? r.Momentum };
            if (m["nesterov"] is { } ne) r = r with { Nesterov = C.Bool(ne, P("nesterov")) ?? r.Nesterov };
            if (m["weight_decay"] is { } wd) r = r with { WeightDecay = C.Number(wd, P("weight_decay"), 0) ?? r.WeightDecay };
            if (m["label_smoothing"] is { } ls) r = r with { LabelSmoothing = C.Number(ls, P("label_smoothing"), 0, 1, highOpen: true) ?? r.LabelSmoothing };
            if (m["clip"] is { } cl) r = r with { Clip = C.Number(cl, P("clip"), 0) ?? r.Clip };
            if (m["ema"] is { } ema) r = r with { Ema = C.Number(ema, P("ema"), 0, 1, lowOpen: true, highOpen: true) ?? r.Ema };
            if (m["crop_padding"] is { } cp) r = r with { CropPadding = C.Int(cp, P("crop_padding"), 0) ?? r.CropPadding };
            if (m["flip"] is { } fl) r = r with { Flip = C.Bool(fl, P("flip")) ?? r.Flip };
            if (m["cutout"] is { } cu) r = r with { Cutout = C.Number(cu, P("cutout"), 0, 1) ?? r.Cutout };
            if (m["bf16"] is { } bf) r = r with { Bf16 = C.Bool(bf, P("bf16")) ?? r.Bf16 };
            if (m["memory_format"] is { } mf) r = r with { MemoryFormat = C.Choice(mf, P("memory_format"), MemoryLayout.Names) ?? r.MemoryFormat };
            // Warmup defaults to min(1, epochs); an explicit value must fit in the epochs.
            if (m["warmup_epochs"] is { } w)
            {
                if (C.Number(w, P("warmup_epochs"), 0) is { } wv)
                {
                    if (wv <= r.Epochs) r = r with { WarmupEpochs = wv };
                    else C.Error(w, P("warmup_epochs"), $"{wv} is out of range: must be in [0, epochs = {r.Epochs}]");
                }
            }
            else r = r with { WarmupEpochs = Math.Min(r.WarmupEpochs, r.Epochs) };
            return r;
        }

        private DartsConfig Darts(YamlMap m)
        {
            var cfg = new DartsConfig { FromRun = FromRun(m, "darts") };
            if (cfg.FromRun is not null) return cfg;
            string P(string k) => m.Sub(k);
            if (m["space"] is { } sn && C.String(sn, P("space")) is { } space)
            {
                bool file = space.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || space.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) ||
                            space.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || space.Contains('/');
                if (file && !File.Exists(Full(space))) C.Error(sn, P("space"), $"search-space file not found: {Full(space)}");
                else if (file)
                {
                    Hash(space, Full(space));
                    try
                    {
                        Research.Search.Darts.SearchSpace.Load(Full(space));
                    }
                    catch (Research.Models.Specs.SpecFormatException ex)
                    {
                        C.Error(sn, P("space"), $"invalid search space: {ex.Message}");
                    }
                }
                else C.Error(sn, P("space"), "must be a search-space file (.yaml), e.g. search-spaces/mobile-blocks.yaml");
                cfg = cfg with { Space = space };
            }
            else if (m["space"] is null) m.Missing("space", "is required: a search-space file (.yaml) or a built-in space's name");
            if (m["epochs"] is { } e) cfg = cfg with { Epochs = C.Int(e, P("epochs"), 1) ?? cfg.Epochs };
            if (m["order"] is { } o) cfg = cfg with { Order = C.Choice(o, P("order"), ["first", "second"]) ?? cfg.Order };
            if (m["partial_channels"] is { } pc) cfg = cfg with { PartialChannels = C.Int(pc, P("partial_channels"), 1) ?? cfg.PartialChannels };
            if (m["batch"] is { } b) cfg = cfg with { Batch = C.Int(b, P("batch"), 1) ?? cfg.Batch };
            if (m["subset"] is { } s) cfg = cfg with { Subset = C.Int(s, P("subset"), 2) };
            if (m["skip_cap"] is { } sc) cfg = cfg with { SkipCap = C.Int(sc, P("skip_cap"), -1) ?? cfg.SkipCap };
            if (m["macs_lambda"] is { } ml) cfg = cfg with { MacsLambda = C.Number(ml, P("macs_lambda"), 0) ?? cfg.MacsLambda };
            if (m["arch_warmup"] is { } aw && C.Int(aw, P("arch_warmup"), 0) is { } warm)
            {
                if (warm >= cfg.Epochs) C.Error(aw, P("arch_warmup"), $"{warm} is out of range: must be below epochs ({cfg.Epochs})");
                else cfg = cfg with { ArchWarmup = warm };
            }
            if (m["arch_lr"] is { } al) cfg = cfg with { ArchLr = C.Number(al, P("arch_lr"), 0, lowOpen: true) ?? cfg.ArchLr };
            if (m["lr"] is { } lr) cfg = cfg with { Lr = C.Number(lr, P("lr"), 0, lowOpen: true) ?? cfg.Lr };
            return cfg;
        }

        private GridConfig Grid(YamlMap m, DatasetConfig? ds)
        {
            var cfg = new GridConfig { FromRun = FromRun(m, "grid") };
            if (cfg.FromRun is not null) return cfg;
            string P(string k) => m.Sub(k);
            if (m["base"] is { } bn) cfg = cfg with { Base = ModelRef(bn, P("base"), ["darts"]) };
            else m.Missing("base", "is required: a registered model, a spec file (.yaml) or {from: darts}");
            if (m["step"] is { } st) cfg = cfg with { Step = C.Number(st, P("step"), 0, 1, lowOpen: true) ?? cfg.Step };
            if (m["tolerance"] is { } to) cfg = cfg with { Tolerance = C.Number(to, P("tolerance"), 0) ?? cfg.Tolerance };
            if (m["target"] is { } ta) cfg = cfg with { Target = C.Number(ta, P("target"), 1, lowOpen: true) ?? cfg.Target };
            if (m["seeds"] is { } se) cfg = cfg with { Seeds = C.IntList(se, P("seeds"), 0, distinct: true) ?? cfg.Seeds };
            if (m["objective"] is { } ob) cfg = cfg with { Objective = C.Choice(ob, P("objective"), ["accuracy", "accuracy-macs"]) ?? cfg.Objective };
            if (m["macs_weight"] is { } mw) cfg = cfg with { MacsWeight = C.Number(mw, P("macs_weight")) ?? cfg.MacsWeight };
            if (m["max_candidates"] is { } mc) cfg = cfg with { MaxCandidates = C.Int(mc, P("max_candidates"), 1) };
            if (m["refine"] is { } rf) cfg = cfg with { Refine = C.Bool(rf, P("refine")) ?? cfg.Refine };
            if (m["subset"] is { } su) cfg = cfg with { Subset = C.Int(su, P("subset"), 2) };
            cfg = cfg with { Recipe = Recipe(m, cfg.Recipe) };
            try
            {
                if (CoefficientGrid.Candidates(cfg.Step, cfg.Tolerance, cfg.Target).Count == 0)
                    C.Error((m.KeyNode("tolerance") ?? m.KeyNode("step"))?.Start ?? m.Start, P("tolerance"),
                        $"no (alpha, beta, gamma) on a {cfg.Step} grid has |alpha·beta²·gamma² − {cfg.Target}| <= {cfg.Tolerance}: raise tolerance or lower step");
            }
            catch (ArgumentOutOfRangeException)
            {
                // Reported on the key itself.
            }
            return cfg;
        }

        private AblationConfig Ablation(YamlMap m, DatasetConfig? ds)
        {
            var cfg = new AblationConfig { FromRun = FromRun(m, "ablation") };
            if (cfg.FromRun is not null) return cfg;
            string P(string k) => m.Sub(k);
            if (m["base"] is { } bn) cfg = cfg with { Base = ModelRef(bn, P("base"), ["darts", "grid"]) };
            else if (HasStage("grid")) cfg = cfg with { Base = new ModelRef { From = "grid" } };
            else m.Missing("base", "is required when there is no grid stage: a registered model, a spec file (.yaml) or {from: darts}");
            if (cfg.Base is { From: "grid" }) CheckGridBase(m.KeyNode("base"), m.Start, P("base"));
            if (m["targets"] is { } t) cfg = cfg with { Targets = C.NumberList(t, P("targets"), 1, lowOpen: true) ?? cfg.Targets };
            if (m["coefficients"] is { } co) cfg = cfg with { Coefficients = Coefficients(co, P("coefficients")) };
            else if (HasStage("grid")) cfg = cfg with { Coefficients = new CoefficientsRef { From = "grid" } };
            else cfg = cfg with { Coefficients = new CoefficientsRef { Alpha = 1.2, Beta = 1.1, Gamma = 1.15 } };
            if (m["seeds"] is { } se) cfg = cfg with { Seeds = C.IntList(se, P("seeds"), 0, distinct: true) ?? cfg.Seeds };
            if (m["subset"] is { } su) cfg = cfg with { Subset = C.Int(su, P("subset"), 2) };
            return cfg with { Recipe = Recipe(m, cfg.Recipe) };
        }

        private ScaleConfig Scale(YamlMap m)
        {
            var cfg = new ScaleConfig { FromRun = FromRun(m, "scale") };
            if (cfg.FromRun is not null) return cfg;
            string P(string k) => m.Sub(k);
            if (m["base"] is { } bn) cfg = cfg with { Base = ModelRef(bn, P("base"), ["darts", "grid"]) };
            else if (HasStage("grid")) cfg = cfg with { Base = new ModelRef { From = "grid" } };
            else m.Missing("base", "is required when there is no grid stage: a registered model, a spec file (.yaml) or {from: darts}");
            if (cfg.Base is { From: "grid" }) CheckGridBase(m.KeyNode("base"), m.Start, P("base"));

            ScalingTable? table = null;
            if (m["table"] is { } tn && C.String(tn, P("table")) is { } t)
            {
                if (ModelSource.IsSpecFile(t))
                {
                    try
                    {
                        table = ScalingTable.Load(Full(t));
                        Hash(t, Full(t));
                    }
                    catch (Exception e) when (e is FormatException or IOException)
                    {
                        C.Error(tn, P("table"), e is FileNotFoundException ? $"table file not found: {Full(t)}" : e.Message);
                    }
                }
                else if (t == "efficientnet") table = ScalingTable.EfficientNet;
                else C.Error(tn, P("table"), $"unknown table '{t}' (allowed: efficientnet, or a table file .yaml)");
                cfg = cfg with { Table = t };
            }
            if (m["coefficients"] is { } co) cfg = cfg with { Coefficients = Coefficients(co, P("coefficients")) };
            else if (m["table"] is null && HasStage("grid")) cfg = cfg with { Coefficients = new CoefficientsRef { From = "grid" } };
            else if (m["table"] is null) C.Error(m.Start, P("coefficients"), "is required when there is no grid stage and no table: {alpha: .., beta: .., gamma: ..}");
            if (cfg.Coefficients is { From: "grid" } && !HasStage("grid"))
                C.Error(m.KeyNode("coefficients")?.Start ?? m.Start, P("coefficients"), "from: grid needs a grid stage");

            if (m["phi"] is { } ph)
            {
                double[]? phis = null;
                if (ph is YamlScalarNode { Value: { } text } && text.Contains('-') && !text.StartsWith('-'))
                {
                    try
                    {
                        phis = ScalingFamily.ParsePhis(text).ToArray();
                    }
                    catch (ArgumentException e)
                    {
                        C.Error(ph, P("phi"), e.Message);
                    }
                }
                else phis = C.NumberList(ph, P("phi"), 0);
                if (phis is not null && phis.Distinct().Count() != phis.Length) C.Error(ph, P("phi"), "must list distinct values");
                else if (phis is not null && table is not null && phis.Where(x => !table.Members.Any(tm => tm.Phi == x)).ToList() is { Count: > 0 } bad)
                    C.Error(ph, P("phi"), $"table '{table.Name}' has no member at phi {string.Join(", ", bad)} (allowed: {string.Join(", ", table.Members.Select(tm => tm.Phi))})");
                cfg = cfg with { Phi = phis };
            }
            else if (table is null) cfg = cfg with { Phi = [0, 1, 2, 3, 4, 5, 6, 7] };
            if (m["resolution_divisor"] is { } rd) cfg = cfg with { ResolutionDivisor = C.Int(rd, P("resolution_divisor"), 1) ?? cfg.ResolutionDivisor };
            return cfg;
        }

        private TrainStageConfig Train(YamlMap m, DatasetConfig? ds)
        {
            var cfg = new TrainStageConfig { FromRun = FromRun(m, "train") };
            if (cfg.FromRun is not null) return cfg;
            string P(string k) => m.Sub(k);
            if (m["subset"] is { } su) cfg = cfg with { Subset = C.Int(su, P("subset"), 2) };
            if (m["holdout"] is { } ho) cfg = cfg with { Holdout = C.Bool(ho, P("holdout")) ?? false };
            if (m["members"] is { } me)
            {
                cfg = cfg with { Members = C.NumberList(me, P("members"), 0) };
                if (!HasStage("scale")) C.Error(me, P("members"), "needs a scale stage (members are the family's phi values)");
            }
            if (m["baselines"] is { } bl)
            {
                if (bl is YamlSequenceNode seq)
                {
                    var list = new List<ModelRef>();
                    for (int i = 0; i < seq.Children.Count; i++)
                        if (ModelRef(seq.Children[i], $"{P("baselines")}[{i}]", []) is { } r) list.Add(r);
                    cfg = cfg with { Baselines = list.ToArray() };
                }
                else C.Error(bl, P("baselines"), "must be a list of models (registered names, spec files, or {model: .., width_mult: ..})");
            }
            return cfg with { Recipe = Recipe(m, cfg.Recipe) };
        }

        private ReportConfig Report(YamlMap m) =>
            new() { Title = m["title"] is { } t ? C.String(t, m.Sub("title")) : null };

        private CoefficientsRef? Coefficients(YamlNode node, string path)
        {
            var m = C.Map(node, path, CoefficientKeys);
            if (m is null) return null;
            if (m["from"] is { } fr)
            {
                var from = C.Choice(fr, $"{path}.from", ["grid"]);
                foreach (var k in new[] { "alpha", "beta", "gamma" })
                    if (m.Has(k)) C.Error(m.KeyNode(k)!, $"{path}.{k}", "not allowed with from (give either from: grid or alpha, beta and gamma)");
                return from is null ? null : new CoefficientsRef { From = from };
            }
            double? Get(string k)
            {
                if (m[k] is { } n) return C.Number(n, $"{path}.{k}", 1);
                m.Missing(k, "is required (or use from: grid); must be a number >= 1");
                return null;
            }
            double? a = Get("alpha"), b = Get("beta"), g = Get("gamma");
            return a is null || b is null || g is null ? null : new CoefficientsRef { Alpha = a, Beta = b, Gamma = g };
        }

        private void CheckGridBase(YamlNode? keyNode, Mark start, string path)
        {
            if (!HasStage("grid"))
            {
                C.Error(keyNode?.Start ?? start, path, "from: grid needs a grid stage");
                return;
            }
            // A grid imported from an earlier run must carry the base it scaled.
            if (_stages!["grid"] is YamlMappingNode g && g.Children.TryGetValue(new YamlScalarNode("from_run"), out var fr) && fr is YamlScalarNode { Value: { } dir } &&
                Directory.Exists(Full(dir)) && !File.Exists(Path.Combine(Full(dir), "base.yaml")))
                C.Error(keyNode?.Start ?? start, path,
                    $"from: grid needs {Path.Combine(Full(dir), "base.yaml")}, which the imported grid does not hold (e.g. a `research search grid` folder): give the base explicitly");
        }

        /// <summary>A model: a scalar (name or spec file) or a mapping with model or from and overrides.</summary>
        private ModelRef? ModelRef(YamlNode node, string path, string[] allowedFrom)
        {
            ModelRef? r = null;
            YamlNode anchor = node;
            if (node is YamlScalarNode && !YamlChecker.IsNull(node))
            {
                if (C.String(node, path) is { } s) r = new ModelRef { Model = s };
            }
            else
            {
                var keys = allowedFrom.Length == 0 ? ModelKeys.Where(k => k != "from").ToArray() : ModelKeys;
                var m = C.Map(node, path, keys);
                if (m is null) return null;
                string? model = m["model"] is { } mn ? C.String(mn, $"{path}.model") : null;
                string? from = m["from"] is { } fn ? C.Choice(fn, $"{path}.from", allowedFrom) : null;
                if (m.Has("model") && m.Has("from")) C.Error(m.KeyNode("from")!, $"{path}.from", "give either model or from, not both");
                else if (!m.Has("model") && !m.Has("from"))
                    m.Missing("model", allowedFrom.Length == 0 ? "is required" : $"or from is required (from allowed: {string.Join(", ", allowedFrom)})");
                if (m["model"] is { } mn2) anchor = mn2;
                r = new ModelRef
                {
                    Model = model, From = from,
                    WidthMult = m["width_mult"] is { } w ? C.Number(w, $"{path}.width_mult", 0, 10, lowOpen: true) : null,
                    SmallInput = m["small_input"] is { } si ? C.Bool(si, $"{path}.small_input") : null,
                    Resolution = m["resolution"] is { } re ? C.Int(re, $"{path}.resolution", 8, 100_000) : null,
                    Classes = m["classes"] is { } cl ? C.Int(cl, $"{path}.classes", 1) : null,
                    InChannels = m["in_channels"] is { } ic ? C.Int(ic, $"{path}.in_channels", 1) : null,
                };
                if (model is null && from is null) return null;
            }
            if (r is null) return null;
            if (r.From == "darts" && !HasStage("darts")) C.Error(anchor, path, "from: darts needs a darts stage");
            if (r.Model is { } name)
            {
                bool isFile = ModelSource.IsSpecFile(name) || name.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
                if (isFile)
                {
                    if (!File.Exists(Full(name)))
                    {
                        C.Error(anchor, path, $"spec file not found: {Full(name)}");
                        return r;
                    }
                    Hash(name, Full(name));
                }
                else if (!ModelRegistry.Default.Contains(name))
                {
                    C.Error(anchor, path, $"unknown model '{name}' {YamlChecker.Allowed(ModelRegistry.Default.Entries.Select(e => e.Name).Append("a spec file (.yaml)"))}");
                    return r;
                }
                // Resolve it now, so a bad spec or option shows up before anything runs.
                if (ModelSource.IsSpecFile(name) || !isFile)
                {
                    try
                    {
                        ModelResolver.Resolve(r, isFile ? Full(name) : name, _dataset);
                    }
                    catch (Exception e) when (e is ArgumentException or FormatException)
                    {
                        C.Error(anchor, path, e.Message);
                    }
                }
            }
            return r;
        }
    }
}
