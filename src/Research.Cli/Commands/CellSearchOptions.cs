using System.CommandLine;
using Research.Cli.Settings;
using Research.Search.Darts;
using Research.Training;
using Research.Training.Data;

namespace Research.Cli.Commands;

/// <summary>What the cell searches (search darts, search random) share: the space, the data, seed and device, threads and output.</summary>
internal sealed class CellSearchOptions
{
    public Option<string> Space { get; } = CommonOptions.SearchSpace();
    public SettingOptions<DataConfig> Data { get; } = new(DataConfig.Settings, except: "validation");
    public SettingOptions<ExecutionConfig> Execution { get; } = new(ExecutionConfig.Settings);
    public Option<int> Threads { get; } = CommonOptions.Threads();
    public Option<string?> Out { get; } = CommonOptions.Out();

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { Space, Threads, Out }) c.Options.Add(o);
        foreach (var o in Execution.Options.Concat(Data.Options)) c.Options.Add(o);
    }

    /// <summary>Applies --threads, resolves the device and loads the space and the data (bad input throws, naming it).</summary>
    public (SearchSpace space, DataConfig dataCfg, DatasetPair data, Torch.Device device, int seed) Start(ParseResult p) => Start(p, out _);

    /// <summary>As <see cref="Start(ParseResult)"/>, also giving the execution settings (to join the ranks with).</summary>
    public (SearchSpace space, DataConfig dataCfg, DatasetPair data, Torch.Device device, int seed) Start(ParseResult p, out ExecutionConfig execution)
    {
        CommonOptions.ApplyThreads(p.GetValue(Threads));
        var run = execution = Execution.Bind(p);
        var device = run.ResolveDevice();
        var space = SearchSpace.Load(p.GetValue(Space)!);
        var dataCfg = Data.Bind(p);
        return (space, dataCfg, dataCfg.Load(run.Seed, p.InvocationConfiguration.Error), device, run.Seed);
    }

    /// <summary>--out, or runs/KIND/SPACE-DATASET-seedS.</summary>
    public string OutDir(ParseResult p, string kind, string space, string dataset, int seed) =>
        p.GetValue(Out) ?? Path.Combine("runs", kind, $"{space}-{dataset}-seed{seed}");
}
