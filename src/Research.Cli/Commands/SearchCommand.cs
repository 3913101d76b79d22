using System.CommandLine;
using Research.Cli.Distributed;
using Research.Cli.Settings;
using Research.Torch.Distributed;
using Research.Core.Text;
using Research.Models.Networks;
using Research.Search.Ablation;
using Research.Search.Grid;
using Research.Training;
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
        search.Subcommands.Add(SearchCompareCommand.Create());
        search.Subcommands.Add(SearchProxiesCommand.Create());
        return search;
    }

    /// <summary>What the grid and the ablation share: the base model, the data, the device, threads and output.</summary>
    private sealed class ScalingSearchOptions
    {
        public Option<string> Base { get; } = new("--base") { Description = "a registered model, a spec file (.yaml) or a genotype (.json)", Required = true };
        public SettingOptions<ModelOverrides> Model { get; } = new(ModelOverrides.Settings);
        public SettingOptions<DataConfig> Data { get; } = new(DataConfig.Settings);
        public SettingOptions<ExecutionConfig> Execution { get; } = new(ExecutionConfig.Settings, except: "seed");
        public Option<int> Threads { get; } = CommonOptions.Threads();
        public Option<string?> Out { get; } = CommonOptions.Out();
        public Option<bool> Resume { get; } = CommonOptions.Resume();

        public void AddTo(Command c)
        {
            foreach (var o in new Option[] { Base, Threads, Out, Resume }) c.Options.Add(o);
            foreach (var o in Execution.Options.Concat(Data.Options).Concat(Model.Options)) c.Options.Add(o);
        }

        /// <summary>
        /// Applies --threads, resolves the device, loads the data (seeded by the first training seed) and the base model, picks the
        /// output folder, and joins the ranks when there are several (they share out the candidates).
        /// </summary>
        public (Models.Specs.NetworkSpec spec, DatasetPair data, DataConfig dataCfg, Torch.Device device, string outDir, DistributedWorld? world) Start(
            ParseResult p, string kind, int seed)
        {
            CommonOptions.ApplyThreads(p.GetValue(Threads));
            var run = Execution.Bind(p);
            var device = run.ResolveDevice();
            var dataCfg = Data.Bind(p);
            var data = dataCfg.Load(seed, p.InvocationConfiguration.Error);
            var spec = ModelSource.ResolveFor(p.GetValue(Base)!, Model.Bind(p), data.Shape);
            string dir = p.GetValue(Out) ?? Path.Combine("runs", kind, $"{Path.GetFileNameWithoutExtension(p.GetValue(Base)!)}-{dataCfg.Name}");
            if (!p.GetValue(Resume) && Directory.Exists(Path.Combine(dir, kind == "grid" ? "candidates" : "members")))
                throw new ArgumentException($"{dir} already holds a {kind} search; pass --resume to continue it or choose another --out");
            // After the check above: no rank writes before every rank has made it.
            return (spec, data, dataCfg, device, dir, CommandWorld.Join(run, device, p.InvocationConfiguration.Output));
        }
    }

    private static Command Grid()
    {
        var common = new ScalingSearchOptions();
        var grid = new SettingOptions<GridSearchConfig>(GridSearchConfig.Settings);
        var cmd = new Command("grid", "search (α, β, γ) with α·β²·γ² ≈ 2 at φ = 1 on a proxy task; writes candidates.csv and best.json");
        common.AddTo(cmd);
        grid.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var cfg = grid.Bind(parse);
            var (spec, data, dataCfg, device, dir, world) = common.Start(parse, "grid", cfg.Seeds[0]);
            using var _ = world;
            cfg = cfg with { ValidationFraction = dataCfg.Validation, Train = cfg.Train with { Seed = cfg.Seeds[0] } };
            o.WriteLine($"out {dir}");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var r = GridSearch.Run(spec, data, dataCfg.Name, cfg, dir, o, device, world);
            o.WriteLine($"best {r.Best.Coefficients} acc {Numbers.Fixed(r.Best.AccMean, 2)}");
            if (r.Comparison is { } c) o.WriteLine($"versus runner-up {r.RunnerUp!.Coefficients}: {c.Verdict}");
            o.WriteLine($"alpha {Numbers.RoundTrip(r.Best.Coefficients.Alpha)}");
            o.WriteLine($"beta {Numbers.RoundTrip(r.Best.Coefficients.Beta)}");
            o.WriteLine($"gamma {Numbers.RoundTrip(r.Best.Coefficients.Gamma)}");
            o.WriteLine($"schedule {cfg.Schedule.Kind}");
            o.WriteLine($"wall_seconds {Numbers.Fixed(clock.Elapsed.TotalSeconds, 1)}");
            CommandWorld.Leave(world);
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command Ablation()
    {
        var common = new ScalingSearchOptions();
        var ablation = new SettingOptions<AblationConfig>(AblationConfig.Settings);
        var cmd = new Command("ablation", "width vs depth vs resolution vs compound scaling at matched MACs; writes ablation.csv");
        common.AddTo(cmd);
        ablation.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            var cfg = ablation.Bind(parse);
            var (spec, data, dataCfg, device, dir, world) = common.Start(parse, "ablation", cfg.Grid.Seeds[0]);
            using var _ = world;
            var grid = cfg.Grid with { ValidationFraction = dataCfg.Validation, Train = cfg.Grid.Train with { Seed = cfg.Grid.Seeds[0] } };
            o.WriteLine($"out {dir}");
            var r = ScalingAblation.Run(spec, data, dataCfg.Name, cfg.Targets, cfg.Coefficients, grid, dir, o, device, world);
            foreach (var line in r.Summary) o.WriteLine(line);
            CommandWorld.Leave(world);
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
