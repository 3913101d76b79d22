using System.Text.RegularExpressions;
using Research.Core.Text;
using Research.Core.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Research.Experiments.Config;

/// <summary>
/// Reads an experiment file (YAML, or JSON, which YAML reads too) into its records. Every setting
/// key is the key of its layer's <see cref="SettingSet{TRecord}"/>, read by <see cref="YamlSettings"/>,
/// so the file, the CLI and experiments/README.md's key tables cannot disagree. This parses only:
/// what the file says about the world (files, folders, spaces, tables, models) is checked next by
/// <see cref="ExperimentInputs"/>, at the lines the parse noted. Every problem of both steps
/// (unknown keys, wrong types, values out of range, missing files, stages that refer to stages
/// that are not there) is collected and thrown at once as an <see cref="ExperimentConfigException"/>.
/// Nothing is written to disk.
/// </summary>
public static partial class ExperimentFile
{
    /// <summary>Stages in the order they run.</summary>
    public static readonly string[] StageNames = ["darts", "random", "grid", "ablation", "scale", "train", "report"];

    public static readonly string[] TopKeys = ["name", "description", .. ExecutionConfig.Settings.Keys, "dataset", "stages"];
    public static readonly string[] DatasetKeys = [.. DataConfig.Settings.Keys];
    public static readonly string[] DartsKeys = ["from_run", "space", .. DartsRunConfig.Settings.Keys, "subset", "seeds"];
    public static readonly string[] RandomKeys = ["from_run", "space", .. RandomSearchConfig.Settings.Keys, "subset", "seeds"];
    public static readonly string[] GridKeys = ["from_run", "base", .. GridSearchConfig.Settings.Keys, "subset"];
    public static readonly string[] AblationKeys = ["from_run", "base", "coefficients", .. AblationConfig.Settings.Keys.Except(CoefficientSettingKeys), "subset"];
    public static readonly string[] ScaleKeys = ["from_run", "base", "coefficients", .. FamilyConfig.Settings.Keys.Except(CoefficientSettingKeys)];
    public static readonly string[] TrainKeys = ["from_run", "subset", "seeds", "holdout", "members", "baselines", "parallel", .. TrainConfig.Settings.Keys];
    public static readonly string[] ReportKeys = ["title", "compare", "groups", .. ReportSettings.Settings.Keys, .. Research.Models.LatencyTables.LatencyTableConfig.Settings.Keys];
    public static readonly string[] ModelKeys = ["model", "from", .. ModelOverrides.Settings.Keys];

    /// <summary>The coefficient settings (alpha, beta, gamma) are written under <c>coefficients:</c>, next to its <c>from: grid</c>.</summary>
    public static string[] CoefficientSettingKeys => ["alpha", "beta", "gamma"];

    public static readonly string[] CoefficientKeys = ["from", .. CoefficientSettingKeys];

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();

    public static ExperimentConfig Load(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new ExperimentConfigException(path, [$"{path}: experiment file not found"]);
        return Parse(File.ReadAllText(full), path, Path.GetDirectoryName(full)!);
    }

    /// <summary>The file's config, parsed and then checked against the world; every problem of both at once.</summary>
    /// <param name="text">the file's contents</param>
    /// <param name="source">the name errors show (the path as the user gave it)</param>
    /// <param name="baseDirectory">relative paths in the file resolve against this folder</param>
    public static ExperimentConfig Parse(string text, string source, string baseDirectory)
    {
        var checker = new YamlChecker(source);
        var root = checker.LoadRoot(text, $"the keys {string.Join(", ", TopKeys)}");
        if (root is null) throw new ExperimentConfigException(source, checker.Errors);
        var draft = new Parser(checker, Path.GetFullPath(baseDirectory)).Experiment(root, source);
        var config = draft is null ? null : ExperimentInputs.Check(draft, checker);
        if (checker.HasErrors || config is null) throw new ExperimentConfigException(source, checker.Errors);
        return config;
    }

    /// <summary>YAML to records; what names something outside the file is noted in the draft with its place, not looked at.</summary>
    private sealed class Parser(YamlChecker checker, string baseDir)
    {
        private YamlMap? _stages;
        private ExperimentDraft _draft = null!;

        public ExperimentDraft? Experiment(YamlMappingNode root, string source)
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
            _draft = new ExperimentDraft();
            DataConfig? dataset = top["dataset"] is { } dsn ? Dataset(dsn) : null;
            // An image folder is scanned only for a file without problems so far.
            _draft.CleanThroughDataset = !checker.HasErrors;
            ExperimentDraft Draft(StagesConfig stages) => _draft.With(new ExperimentConfig
            {
                Name = name ?? "", Description = description, Execution = execution, Dataset = dataset, Stages = stages,
                SourcePath = Path.GetFullPath(Path.Combine(Directory.GetCurrentDirectory(), source)), BaseDirectory = baseDir,
            });
            var stagesNode = top["stages"];
            if (stagesNode is null)
            {
                checker.Error(root.Start, "stages", $"is required: at least one of {string.Join(", ", StageNames)}");
                return Draft(new StagesConfig());
            }
            _stages = checker.Map(stagesNode, "stages", StageNames);
            if (_stages is null) return Draft(new StagesConfig());
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
            if (stages.Report is { } named && (named.Compare.Length > 0 || named.Groups is not null)) NamedArms(stages, _stages.KeyNode("report")!);
            if (stages.Train is { FromRun: null, Baselines.Length: 0 } && stages.Scale is null)
                checker.Error(_stages.KeyNode("train")!, "stages.train", "has nothing to train: add a scale stage (the family) or baselines");
            return Draft(stages);
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

        /// <summary>seeds: a non-empty list of distinct seeds (each run in its own seed&lt;S&gt;/ folder); absent: the experiment's seed.</summary>
        private int[]? Seeds(YamlMap m) => m.Raw("seeds") is { } node && m.Has("seeds") ? checker.IntList(node, m.Sub("seeds"), 0, distinct: true) : null;

        private DataConfig? Dataset(YamlNode node)
        {
            var m = checker.Map(node, "dataset", DatasetKeys);
            if (m is null) return null;
            if (!m.Has("name")) m.Missing("name", $"is required {YamlChecker.Allowed(DatasetCatalog.Names)}");
            var cfg = YamlSettings.Read(checker, m, DataConfig.Settings);
            bool images = DatasetCatalog.IsImageFiles(cfg.Name);
            if (cfg.DataDir is not null) _draft.DataDirAt = m["data_dir"]!.Start;
            else if ((images || cfg.Name is DatasetCatalog.Cifar10Name or DatasetCatalog.Cifar100Name) && m.Has("name"))
                checker.Error(m.KeyNode("name")!, "dataset.data_dir", $"{cfg.Name} has no default location: set data_dir to {(images ? (cfg.Name == DatasetCatalog.CsvName ? "the CSV list" : "the dataset folder") : "the folder with its binary files")}");
            if (m.Has("name")) _draft.DatasetNameAt = m.KeyNode("name")!.Start;
            return m.Has("name") ? cfg : null;
        }

        /// <summary>from_run: an earlier run's stage folder, taken as this stage's outputs (nothing else may be given then).</summary>
        private string? FromRun(YamlMap m, string stage)
        {
            if (m["from_run"] is not { } node) return null;
            var path = m.Sub("from_run");
            if (checker.String(node, path) is not { } dir) return null;
            _draft.FromRuns.Add((stage, path, dir, node.Start));
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
            return cfg with { Space = Space(m), Subset = Subset(m), Seeds = Seeds(m), Search = search };
        }

        private RandomStageConfig Random(YamlMap m)
        {
            var cfg = new RandomStageConfig { FromRun = FromRun(m, "random") };
            if (cfg.FromRun is not null) return cfg;
            var search = YamlSettings.Read(checker, m, RandomSearchConfig.Settings);
            LatencyTable(m, search.Screening.Latency.Table);
            return cfg with { Space = Space(m), Subset = Subset(m), Seeds = Seeds(m), Search = search };
        }

        /// <summary>A stage's latency table (relative to the file), noted for <see cref="ExperimentInputs"/> to check and hash.</summary>
        private void LatencyTable(YamlMap m, string? table)
        {
            if (table is not null) _draft.LatencyTables.Add((m.Sub("latency_table"), table, m["latency_table"]!.Start));
        }

        /// <summary>A stage's search-space file (its existence and validity are the world's).</summary>
        private string? Space(YamlMap m)
        {
            if (m["space"] is { } sn && checker.String(sn, m.Sub("space")) is { } space)
            {
                bool file = space.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || space.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) ||
                            space.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || space.Contains('/');
                if (file) _draft.Spaces.Add((m.Sub("space"), space, sn.Start));
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
            if (cfg.Base is { From: "grid" }) GridBase(m.KeyNode("base")?.Start ?? m.Start, m.Sub("base"));
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
            if (cfg.Base is { From: "grid" }) GridBase(m.KeyNode("base")?.Start ?? m.Start, m.Sub("base"));

            var family = YamlSettings.Read(checker, m, FamilyConfig.Settings);
            if (family.Table is { } t)
            {
                if (ModelSource.IsYamlSpec(t) || t == "efficientnet") _draft.Table = (m.Sub("table"), t, m["table"]!.Start, m["phi"]?.Start);
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
            return cfg with { Family = family, CoefficientsFromGrid = fromGrid };
        }

        private TrainStageConfig Train(YamlMap m)
        {
            var cfg = new TrainStageConfig { FromRun = FromRun(m, "train") };
            if (cfg.FromRun is not null) return cfg;
            cfg = cfg with { Subset = Subset(m), Seeds = Seeds(m) };
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
            if (recipe.InitFrom is { } init) _draft.InitFrom = (m.Sub("init_from"), init, m["init_from"]!.Start);
            return cfg with { Recipe = recipe };
        }

        private ReportConfig Report(YamlMap m)
        {
            var latency = YamlSettings.Read(checker, m, Research.Models.LatencyTables.LatencyTableConfig.Settings);
            LatencyTable(m, latency.Table);
            return new ReportConfig
            {
                Title = m["title"] is { } t ? checker.String(t, m.Sub("title")) : null,
                Compare = m["compare"] is { } c ? ComparePairs(c, m.Sub("compare")) : [],
                Groups = m["groups"] is { } g ? ArmGroups(g, m.Sub("groups")) : null,
                Statistics = YamlSettings.Read(checker, m, ReportSettings.Settings),
                Latency = latency,
            };
        }

        /// <summary>compare: a list of pairs [a, b] of arm names (phiN for a family member, a baseline's model as written) or group names.</summary>
        private string[][] ComparePairs(YamlNode node, string path)
        {
            const string expected = "must be a list of pairs of arms, e.g. [[phi1, phi0], [phi0, mobilenet_v2-w0.25]]";
            if (node is not YamlSequenceNode seq || seq.Children.Count == 0)
            {
                checker.Error(node, path, expected);
                return [];
            }
            var pairs = new List<string[]>();
            for (int i = 0; i < seq.Children.Count; i++)
            {
                var item = seq.Children[i];
                if (item is not YamlSequenceNode pair || pair.Children.Count != 2)
                {
                    checker.Error(item, $"{path}[{i}]", $"must be a pair [a, b] of arms ({expected[5..]})");
                    continue;
                }
                var a = checker.String(pair.Children[0], $"{path}[{i}][0]");
                var b = checker.String(pair.Children[1], $"{path}[{i}][1]");
                if (a is null || b is null) continue;
                if (a == b) checker.Error(item, $"{path}[{i}]", $"compares '{a}' with itself");
                else
                {
                    pairs.Add([a, b]);
                    _compareAt.Add((i, pair));
                }
            }
            return pairs.ToArray();
        }

        /// <summary>Where each parsed pair of compare: was written (its index in the list and its node).</summary>
        private readonly List<(int Index, YamlSequenceNode Pair)> _compareAt = [];

        /// <summary>groups: a mapping of group names to lists of at least two distinct arms (a name that reads as phiN is refused: compare would take it for a member).</summary>
        private IReadOnlyDictionary<string, string[]>? ArmGroups(YamlNode node, string path)
        {
            if (node is not YamlMappingNode map || map.Children.Count == 0)
            {
                checker.Error(node, path, "must be a mapping of group names to lists of at least two arms, e.g. {darts: [darts-1.json, darts-2.json], random: [random-1.json, random-2.json]}");
                return null;
            }
            var groups = new OrderedDictionary<string, string[]>(StringComparer.Ordinal);
            foreach (var (key, value) in map.Children)
            {
                if (checker.String(key, $"{path} (a group's name)") is not { } name) continue;
                string at = $"{path}.{name}";
                if (ArmNames.IsMember(name, out _)) checker.Error(key, at, $"'{name}' reads as a family member (phiN): give the group another name");
                if (value is not YamlSequenceNode seq || seq.Children.Count < 2)
                {
                    checker.Error(value, at, "must be a list of at least two arms (a group of one is that arm: compare it directly)");
                    continue;
                }
                var arms = new List<string>();
                for (int i = 0; i < seq.Children.Count; i++)
                    if (checker.String(seq.Children[i], $"{at}[{i}]") is { } arm)
                    {
                        if (arms.Contains(arm)) checker.Error(seq.Children[i], $"{at}[{i}]", $"lists '{arm}' twice (each arm is one replicate of the group)");
                        arms.Add(arm);
                    }
                groups[name] = arms.ToArray();
                _groupsAt.Add((name, key, seq));
            }
            return groups;
        }

        /// <summary>Where each group of groups: was written (its name's node and its list).</summary>
        private readonly List<(string Name, YamlNode Key, YamlSequenceNode Arms)> _groupsAt = [];

        /// <summary>
        /// Every arm a comparison or a group names must be one the train stage trains, a comparison may also name a group,
        /// and a group's name may not be an arm's (checked when the family and the baselines are known here).
        /// </summary>
        private void NamedArms(StagesConfig stages, YamlNode reportKey)
        {
            var report = stages.Report!;
            if (stages.Train is not { } train)
            {
                foreach (var (key, named) in new[] { ("compare", report.Compare.Length > 0), ("groups", report.Groups is not null) })
                    if (named) checker.Error(reportKey, $"stages.report.{key}", "needs a train stage (the arms compared are its members and baselines)");
                return;
            }
            if (train.FromRun is not null) return; // the imported run's arms are checked when the report reads it
            var scale = stages.Scale;
            double[]? phis = scale is null ? [] : scale.FromRun is not null ? null
                : (scale.Family.Phi ?? (scale.Family.Table is null ? FamilyConfig.DefaultFormulaPhis : null));
            if (phis is not null && train.Members is { } wanted) phis = phis.Where(p => wanted.Contains(p)).ToArray();
            var labels = train.Baselines.Select(b => ArmNames.Baseline(b.Model ?? "", b.Overrides.WidthMult)).ToList();
            var groups = report.Groups ?? new Dictionary<string, string[]>();
            string known = $"(arms: {string.Join(", ", (phis ?? []).Select(ArmNames.Member).Concat(labels).Distinct())}" +
                           (groups.Count > 0 ? $"; groups: {string.Join(", ", groups.Keys)})" : ")");
            string? Problem(string arm) => ArmNames.IsMember(arm, out double phi)
                ? phis is null || phis.Contains(phi) ? null : $"is not an arm of this run: no family member at phi {Numbers.RoundTrip(phi)} is trained"
                : labels.Count(l => l == arm) switch
                {
                    1 => null,
                    0 => "is not an arm of this run",
                    _ => "names two baselines (give them different width_mult)",
                };
            foreach (var ((i, pair), p) in _compareAt.Select((at, p) => (at, p)))
                for (int k = 0; k < 2; k++)
                    if (report.Compare[p][k] is var arm && !groups.ContainsKey(arm) && Problem(arm) is { } problem)
                        checker.Error(pair.Children[k], $"stages.report.compare[{i}][{k}]", $"'{arm}' {problem} {known}");
            foreach (var (name, key, list) in _groupsAt)
            {
                if (labels.Contains(name)) checker.Error(key, $"stages.report.groups.{name}", $"'{name}' is the name of an arm: give the group another name");
                for (int i = 0; i < list.Children.Count; i++)
                    if (list.Children[i] is YamlScalarNode { Value: { Length: > 0 } arm } item && !YamlChecker.IsNull(item))
                    {
                        string? problem = groups.ContainsKey(arm) ? "is a group: a group lists arms" : Problem(arm);
                        if (problem is not null) checker.Error(list.Children[i], $"stages.report.groups.{name}[{i}]", $"'{arm}' {problem} {known}");
                    }
            }
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

        /// <summary>base: {from: grid} needs a grid stage (and, when that grid is imported, its base.yaml: the world's to check).</summary>
        private void GridBase(Mark at, string path)
        {
            if (!HasStage("grid")) checker.Error(at, path, "from: grid needs a grid stage");
            else _draft.GridBases.Add((path, at));
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
            if (r.Model is not null) _draft.Models.Add((path, r, anchor.Start));
            return r;
        }
    }
}
