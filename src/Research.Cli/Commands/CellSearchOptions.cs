using Research.Cli.Distributed;
using Research.Search.Baseline;
using Research.Search.Darts;
using Research.Torch.Distributed;
using Research.Training;
using Research.Training.Data;

namespace Research.Cli.Commands;

/// <summary>A cell search command once its options are read: the space, the data, the device and seed, its folder and the ranks it joined.</summary>
internal sealed record CellSearchStart(SearchSpace Space, DataConfig DataConfig, DatasetPair Data, Torch.Device Device, int Seed, string Dir, DistributedWorld? World)
    : IDisposable
{
    public void Dispose() => World?.Dispose();
}

/// <summary>What the cell searches (search darts, search random) share: the space, the data, seed and device, threads and output, and the random search's run.</summary>
internal sealed class CellSearchOptions
{
    public Option<string> Space { get; } = CommonOptions.SearchSpace();
    public SettingOptions<DataConfig> Data { get; } = new(DataConfig.Settings, except: "validation");
    public SettingOptions<ExecutionConfig> Execution { get; } = new(ExecutionConfig.Settings);
    public Option<int> Threads { get; } = CommonOptions.Threads();
    public Option<string?> Out { get; } = CommonOptions.Out();

    /// <summary>
    /// Adds these options and the search's settings to <paramref name="cmd"/>, and its action: binds the settings, applies
    /// --threads, resolves the device, loads the space and the data (bad input throws, naming it), picks the folder
    /// (--out, or runs/KIND/SPACE-DATASET-seedS), joins the ranks when there are several, runs the search and leaves them.
    /// </summary>
    public void Define<T>(Command cmd, SettingOptions<T> settings, string kind, Action<CellSearchStart, T, ParseResult> search)
    {
        foreach (var o in new Option[] { Space, Threads, Out }) cmd.Options.Add(o);
        foreach (var o in Execution.Options.Concat(Data.Options)) cmd.Options.Add(o);
        settings.AddTo(cmd);
        cmd.SetAction(p =>
        {
            var cfg = settings.Bind(p);
            using var exec = ExecutionStart.Begin(p, Execution, Threads);
            using var s = Start(p, kind, exec);
            search(s, cfg, p);
            CommandWorld.Leave(s.World);
            return ExitCodes.Ok;
        });
    }

    private CellSearchStart Start(ParseResult p, string kind, ExecutionStart exec)
    {
        var (run, device) = (exec.Run, exec.Device);
        var space = SearchSpace.Load(p.GetValue(Space)!);
        var dataCfg = Data.Bind(p);
        var data = dataCfg.Load(run.Seed, p.InvocationConfiguration.Error);
        var world = CommandWorld.Join(run, device, p.InvocationConfiguration.Output);
        string dir = p.GetValue(Out) ?? Path.Combine("runs", kind, $"{space.Name}-{dataCfg.Name}-seed{run.Seed}");
        return new CellSearchStart(space, dataCfg, data, device, run.Seed, dir, world);
    }

    /// <summary>The random search into the start's folder, with a progress bar, and its figure lines.</summary>
    public static RandomSearchResult RunRandom(CellSearchStart s, RandomSearchConfig cfg, TextWriter o)
    {
        var r = TrainingProgressBar.Run(progress => RandomSearch.Run(s.Space, s.Data, s.DataConfig.Name, cfg, s.Dir,
            new TrainerOptions { OutDir = s.Dir, Device = s.Device, Progress = progress }, o, s.World));
        o.WriteLine($"random_candidates {r.Candidates.Count}");
        if (cfg.Screening.Active) o.WriteLine($"screened_csv {Path.Combine(s.Dir, Search.Screening.CandidateScreen.FileName)}");
        o.WriteLine($"random_best {r.Best.Index} val_top1 {Numbers.Fixed(r.Best.ValTop1, 2)} genotype {r.Best.Genotype}");
        o.WriteLine($"random_genotype_file {Path.Combine(s.Dir, RandomSearch.GenotypeFileName)}");
        o.WriteLine($"random_seconds {Numbers.Fixed(r.Seconds, 1)}");
        return r;
    }
}
