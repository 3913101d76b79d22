using System.Text.Json;
using Research.Experiments.Config;
using Research.Experiments.Runs;
using Research.Models.Specs;
using Research.Torch;
using Research.Torch.Distributed;

namespace Research.Experiments.Pipeline;

/// <summary>What a stage gets: the config, the run directory, the device, the log, the ranks (when several), and the shared look-ups.</summary>
public sealed class StageContext(ExperimentConfig config, RunLayout layout, Device device, TextWriter log, DistributedWorld? world = null)
{
    private readonly Dictionary<int, DatasetPair> _data = new();

    public ExperimentConfig Config { get; } = config;
    public RunLayout Layout { get; } = layout;
    public Device Device { get; } = device;
    public TextWriter Log { get; } = log;
    /// <summary>The ranks running this experiment together (null: this process alone).</summary>
    public DistributedWorld? World { get; } = world is { WorldSize: > 1 } ? world : null;
    /// <summary>Whether this process writes the run's files (rank 0, or the only process).</summary>
    public bool IsMain => World?.IsMain ?? true;

    public DataConfig Dataset => Config.Dataset ?? throw new ArgumentException("this stage needs a dataset (dataset: {name: ...})");
    /// <summary>What the dataset feeds a network (image datasets: from their files' headers, nothing decoded).</summary>
    public DatasetInfo? DatasetInfo => _info ??= Config.Dataset is not { } d ? null
        : DatasetCatalog.IsImageFiles(d.Name) && ImageFileDataset.Describe(Resolved(d)).Shape is var shape
            ? new DatasetInfo(d.Name, shape.Classes, shape.Channels, shape.Size)
            : global::Research.Experiments.Config.DatasetInfo.Find(d.Name);

    private DatasetInfo? _info;

    /// <summary>The dataset settings with their paths resolved against the experiment file's folder.</summary>
    private DataConfig Resolved(DataConfig d) =>
        d with { DataDir = d.DataDir is { } dir ? Config.ResolvePath(dir) : null, CacheDir = d.CacheDir is { } cache ? Config.ResolvePath(cache) : null };

    /// <summary>The dataset with a stage's subset (or the dataset's), loaded once per subset.</summary>
    public DatasetPair LoadData(int? stageSubset)
    {
        var ds = Dataset;
        int? subset = stageSubset ?? ds.Subset;
        if (_data.TryGetValue(subset ?? -1, out var pair)) return pair;
        pair = (Resolved(ds) with { Subset = subset }).Load(Config.Seed, Log);
        Log.WriteLine($"dataset {ds.Name} train {pair.Train.Count} test {pair.Test.Count}");
        return _data[subset ?? -1] = pair;
    }

    /// <summary>A model: a registered name or spec file (relative to the experiment file), darts/genotype.json or grid/base.yaml.</summary>
    public NetworkSpec ResolveModel(ModelRef r)
    {
        string path = r.From switch
        {
            "darts" => Layout.Genotype,
            "random" => Layout.RandomGenotype,
            "grid" => Layout.GridBase,
            null when Models.Networks.ModelSource.IsSpecFile(r.Model!) || r.Model!.EndsWith(".json", StringComparison.OrdinalIgnoreCase) => Config.ResolvePath(r.Model!),
            null => r.Model!,
            _ => throw new ArgumentException($"unknown model source 'from: {r.From}'"),
        };
        if (r.From is not null && !File.Exists(path))
            throw new FileNotFoundException($"{path} not found: the {r.From} stage has not written it", path);
        return ModelResolver.Resolve(r, path, DatasetInfo);
    }

    public static Coefficients ReadGridBest(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} not found: the grid stage has not written it", path);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var r = doc.RootElement;
        return new Coefficients(r.GetProperty("alpha").GetDouble(), r.GetProperty("beta").GetDouble(), r.GetProperty("gamma").GetDouble());
    }
}
