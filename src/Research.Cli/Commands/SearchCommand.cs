using System.CommandLine;
using System.Globalization;
using Research.Search.Ablation;
using Research.Search.Grid;
using Research.Training.Data;

namespace Research.Cli.Commands;

/// <summary>`research search grid | ablation | darts | random`: compound-scaling coefficient search, the scaling ablation, the DARTS cell search and its random baseline.</summary>
public static class SearchCommand
{
    public static Command Create()
    {
        var search = new Command("search", "architecture and scaling searches");
        search.Subcommands.Add(Grid());
        search.Subcommands.Add(Ablation());
        search.Subcommands.Add(SearchDartsCommand.Create());
        search.Subcommands.Add(SearchRandomCommand.Create());
        return search;
    }

    /// <summary>Options both searches share: base, data, recipe (one epoch by default), seeds, output.</summary>
    private sealed class Shared
    {
        public Option<string> Base { get; } = new("--base") { Description = "a registered model or a spec file (.yaml)", Required = true };
        public CommonOptions.ModelOptionSet Model { get; } = new();
        public CommonOptions.RecipeOptionSet Recipe { get; } = new();
        public Option<string> Dataset { get; } = CommonOptions.Dataset();
        public Option<string?> DataDir { get; } = CommonOptions.DataDir();
        public Option<int?> Subset { get; } = CommonOptions.Subset();
        public Option<string> Seeds { get; } = new("--seeds") { Description = "training seeds per candidate, e.g. 1,2,3", DefaultValueFactory = _ => "1" };
        public Option<string> Device { get; } = CommonOptions.Device();
        public Option<int> Threads { get; } = CommonOptions.Threads();
        public Option<string?> Out { get; } = CommonOptions.Out();
        public Option<bool> Resume { get; } = CommonOptions.Resume();

        public Shared() => Recipe.Epochs.DefaultValueFactory = _ => 1;

        public void AddTo(Command c)
        {
            foreach (var o in new Option[] { Base, Dataset, DataDir, Subset, Seeds, Device, Threads, Out, Resume }) c.Options.Add(o);
            Model.AddTo(c);
            Recipe.AddTo(c);
        }

        public (Models.Specs.NetworkSpec spec, DatasetPair data, string dataset, GridSearchConfig cfg, string outDir) Resolve(ParseResult p, string kind,
            Func<GridSearchConfig, GridSearchConfig> configure)
        {
            CommonOptions.ApplyThreads(p.GetValue(Threads));
            var seeds = ParseSeeds(p.GetValue(Seeds)!);
            string dsName = p.GetValue(Dataset)!;
            var data = DatasetCatalog.Load(dsName, p.GetValue(DataDir), p.GetValue(Subset), seeds[0]);
            var spec = Model.ResolveFor(p, p.GetValue(Base)!, data.Train);
            var cfg = configure(new GridSearchConfig { Seeds = seeds, Train = Recipe.Resolve(p, seeds[0]) });
            cfg.Validate();
            string dir = p.GetValue(Out) ?? Path.Combine("runs", kind, $"{Path.GetFileNameWithoutExtension(p.GetValue(Base)!)}-{dsName}");
            if (!p.GetValue(Resume) && Directory.Exists(Path.Combine(dir, kind == "grid" ? "candidates" : "members")))
                throw new ArgumentException($"{dir} already holds a {kind} search; pass --resume to continue it or choose another --out");
            return (spec, data, dsName, cfg, dir);
        }
    }

    private static Command Grid()
    {
        var sh = new Shared();
        var step = new Option<double>("--step") { Description = "grid step for α, β, γ (all >= 1)", DefaultValueFactory = _ => 0.05 };
        var tolerance = new Option<double>("--tolerance") { Description = "keep candidates with |α·β²·γ² − 2| <= this", DefaultValueFactory = _ => 0.05 };
        var objective = new Option<string>("--objective") { Description = "accuracy, or accuracy-macs: accuracy × (MACs/target)^w", DefaultValueFactory = _ => "accuracy" }
            .AcceptOnlyFromAmong("accuracy", "accuracy-macs");
        var macsWeight = new Option<double>("--macs-weight") { Description = "w in accuracy × (MACs/target)^w", DefaultValueFactory = _ => -0.07 };
        var max = new Option<int?>("--max-candidates") { Description = "evaluate at most N candidates spread over the grid" };
        var refine = new Option<bool>("--refine") { Description = "fit a quadratic response surface and evaluate its constrained optimum" };
        var cmd = new Command("grid", "search (α, β, γ) with α·β²·γ² ≈ 2 at φ = 1 on a proxy task; writes candidates.csv and best.json")
            { step, tolerance, objective, macsWeight, max, refine };
        sh.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var (spec, data, ds, cfg, dir) = sh.Resolve(parse, "grid", c => c with
            {
                Step = parse.GetValue(step), Tolerance = parse.GetValue(tolerance), Objective = parse.GetValue(objective)!,
                MacsWeight = parse.GetValue(macsWeight), MaxCandidates = parse.GetValue(max), Refine = parse.GetValue(refine),
            });
            o.WriteLine($"out {dir}");
            var r = GridSearch.Run(spec, data, ds, cfg, dir, o);
            o.WriteLine($"best {r.Best.C} acc {r.Best.AccMean.ToString("F2", CultureInfo.InvariantCulture)}");
            if (r.Comparison is { } c) o.WriteLine($"versus runner-up {r.RunnerUp!.C}: {c.Verdict}");
            o.WriteLine($"alpha {r.Best.C.Alpha.ToString("R", CultureInfo.InvariantCulture)}");
            o.WriteLine($"beta {r.Best.C.Beta.ToString("R", CultureInfo.InvariantCulture)}");
            o.WriteLine($"gamma {r.Best.C.Gamma.ToString("R", CultureInfo.InvariantCulture)}");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command Ablation()
    {
        var sh = new Shared();
        var targets = new Option<string>("--targets") { Description = "MACs ratios to match, e.g. 2,4", DefaultValueFactory = _ => "2,4" };
        var alpha = new Option<double>("--alpha") { Description = "compound coefficients (default: EfficientNet's 1.2, 1.1, 1.15)", DefaultValueFactory = _ => 1.2 };
        var beta = new Option<double>("--beta") { DefaultValueFactory = _ => 1.1 };
        var gamma = new Option<double>("--gamma") { DefaultValueFactory = _ => 1.15 };
        var cmd = new Command("ablation", "width vs depth vs resolution vs compound scaling at matched MACs; writes ablation.csv")
            { targets, alpha, beta, gamma };
        sh.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var (spec, data, ds, cfg, dir) = sh.Resolve(parse, "ablation", c => c);
            var t = parse.GetValue(targets)!.Split(',').Select(x => double.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
                ? v : throw new ArgumentException($"--targets: '{x}' is not a number")).ToArray();
            o.WriteLine($"out {dir}");
            var r = ScalingAblation.Run(spec, data, ds, t, new Coefficients(parse.GetValue(alpha), parse.GetValue(beta), parse.GetValue(gamma)), cfg, dir, o);
            foreach (var line in r.Summary) o.WriteLine(line);
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static int[] ParseSeeds(string text) =>
        text.Split(',').Select(s => int.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            ? v : throw new ArgumentException($"--seeds: '{s}' is not an integer")).ToArray();
}
