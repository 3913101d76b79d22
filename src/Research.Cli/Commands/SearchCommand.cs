using Research.Cli.Distributed;
using Research.Torch.Distributed;
using Research.Models.Networks;
using Research.Models.Specs;
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

        /// <summary>
        /// Adds these options and the search's settings to <paramref name="cmd"/>, and its action: binds the settings, applies
        /// --threads, resolves the device, loads the data (seeded by the first training seed) and the base model, picks the
        /// output folder, joins the ranks when there are several (they share out the candidates), runs the search and leaves them.
        /// </summary>
        public void Define<T>(Command cmd, SettingOptions<T> settings, string kind, Func<T, GridSearchConfig> grid, Action<ScalingSearchStart, T, TextWriter> search)
        {
            foreach (var o in new Option[] { Base, Threads, Out, Resume }) cmd.Options.Add(o);
            foreach (var o in Execution.Options.Concat(Data.Options).Concat(Model.Options)) cmd.Options.Add(o);
            settings.AddTo(cmd);
            cmd.SetAction(p =>
            {
                var o = p.InvocationConfiguration.Output;
                var cfg = settings.Bind(p);
                using var exec = ExecutionStart.Begin(p, Execution, Threads);
                var (run, device) = (exec.Run, exec.Device);
                var dataCfg = Data.Bind(p);
                var data = dataCfg.Load(grid(cfg).Seeds[0], p.InvocationConfiguration.Error);
                var spec = ModelSource.ResolveFor(p.GetValue(Base)!, Model.Bind(p), data.Shape);
                string dir = p.GetValue(Out) ?? Path.Combine("runs", kind, $"{Path.GetFileNameWithoutExtension(p.GetValue(Base)!)}-{dataCfg.Name}");
                if (!p.GetValue(Resume) && Directory.Exists(Path.Combine(dir, kind == "grid" ? GridSearch.CandidatesFolder : ScalingAblation.MembersFolder)))
                    throw new ArgumentException($"{dir} already holds a {kind} search; pass --resume to continue it or choose another --out");
                // After the check above: no rank writes before every rank has made it.
                using var world = CommandWorld.Join(run, device, o);
                o.WriteLine($"out {dir}");
                search(new ScalingSearchStart(spec, data, dataCfg, device, dir, world, p), cfg, o);
                CommandWorld.Leave(world);
                return ExitCodes.Ok;
            });
        }
    }

    /// <summary>A scaling search command once its options are read: the base, the data, the device, its folder and the ranks it joined.</summary>
    private sealed record ScalingSearchStart(NetworkSpec Spec, DatasetPair Data, DataConfig DataConfig, Torch.Device Device, string Dir, DistributedWorld? World,
        ParseResult Parse);

    private static Command Grid()
    {
        var cmd = new Command("grid", "search (α, β, γ) with α·β²·γ² ≈ 2 at φ = 1 on a proxy task; writes candidates.csv and best.json");
        new ScalingSearchOptions().Define(cmd, new SettingOptions<GridSearchConfig>(GridSearchConfig.Settings), "grid", cfg => cfg, (s, cfg, o) =>
        {
            cfg = cfg.On(s.DataConfig);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var r = GridSearch.Run(s.Spec, s.Data, s.DataConfig.Name, cfg, s.Dir, o, s.Device, s.World);
            o.WriteLine($"best {r.Best.Coefficients} acc {Numbers.Fixed(r.Best.AccMean, 2)}");
            if (r.Comparison is { } c) o.WriteLine($"versus runner-up {r.RunnerUp!.Coefficients}: {c.Verdict}");
            o.WriteLine($"alpha {Numbers.RoundTrip(r.Best.Coefficients.Alpha)}");
            o.WriteLine($"beta {Numbers.RoundTrip(r.Best.Coefficients.Beta)}");
            o.WriteLine($"gamma {Numbers.RoundTrip(r.Best.Coefficients.Gamma)}");
            o.WriteLine($"schedule {cfg.Schedule.Kind}");
            o.WriteLine($"wall_seconds {Numbers.Fixed(clock.Elapsed.TotalSeconds, 1)}");
        });
        return cmd;
    }

    private static Command Ablation()
    {
        var cmd = new Command("ablation", "width vs depth vs resolution vs compound scaling at matched MACs; writes ablation.csv");
        var plan = new Option<bool>("--plan")
        {
            Description = $"solve and check every arm, write each as {ScalingAblation.ArmsFolder}/<arm>.yaml and {ScalingAblation.PlanFileName} in --out, train nothing",
        };
        cmd.Options.Add(plan);
        new ScalingSearchOptions().Define(cmd, new SettingOptions<AblationConfig>(AblationConfig.Settings), "ablation", cfg => cfg.Grid, (s, cfg, o) =>
        {
            if (s.Parse.GetValue(plan))
            {
                foreach (var line in ScalingAblation.WritePlan(s.Spec, cfg, s.Dir)) o.WriteLine(line);
                return;
            }
            var r = ScalingAblation.Run(s.Spec, s.Data, s.DataConfig.Name, cfg, cfg.Grid.On(s.DataConfig), s.Dir, o, s.Device, s.World);
            foreach (var line in r.Summary) o.WriteLine(line);
        });
        return cmd;
    }
}
