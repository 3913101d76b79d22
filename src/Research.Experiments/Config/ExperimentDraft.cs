using YamlDotNet.Core;

namespace Research.Experiments.Config;

/// <summary>
/// An experiment file as written: its config read against the schema (<see cref="ExperimentFile"/>),
/// and every value that names something outside the file, each with the place it was written, for
/// <see cref="ExperimentInputs"/> to check against the world. The config's name is empty when the
/// file gave none (an error the parse has recorded already).
/// </summary>
public sealed class ExperimentDraft
{
    public ExperimentConfig Config { get; private set; } = null!;
    /// <summary>Whether the file had no problem up to the end of its dataset mapping (an image dataset's folder is scanned only then).</summary>
    public bool CleanThroughDataset { get; set; }
    /// <summary>dataset.name's key and dataset.data_dir's value, when given.</summary>
    public Mark? DatasetNameAt { get; set; }
    public Mark? DataDirAt { get; set; }
    /// <summary>from_run folders: the stage, the key path, the folder as written.</summary>
    public List<(string Stage, string Path, string Dir, Mark At)> FromRuns { get; } = [];
    /// <summary>Search-space files.</summary>
    public List<(string Path, string File, Mark At)> Spaces { get; } = [];
    /// <summary>Latency tables the stages name (it must exist and be a latency table; its hash goes into the run's).</summary>
    public List<(string Path, string File, Mark At)> LatencyTables { get; } = [];
    /// <summary>Models named by a registered name or a spec file (not those taken from a stage).</summary>
    public List<(string Path, ModelRef Model, Mark At)> Models { get; } = [];
    /// <summary>Bases taken from the grid stage (an imported grid must hold the base it scaled).</summary>
    public List<(string Path, Mark At)> GridBases { get; } = [];
    /// <summary>stages.scale.table (a table file or efficientnet) and where its phi list stands.</summary>
    public (string Path, string Table, Mark At, Mark? PhiAt)? Table { get; set; }
    /// <summary>stages.train.init_from.</summary>
    public (string Path, string Weights, Mark At)? InitFrom { get; set; }

    public ExperimentDraft With(ExperimentConfig config)
    {
        Config = config;
        return this;
    }
}
