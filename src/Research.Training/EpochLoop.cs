using System.Globalization;
using Research.Core.IO;
using Research.Torch;
using Research.Torch.Distributed;
using Research.Torch.IO;
using Research.Torch.Modules;
using Research.Torch.Optim;
using Research.Training.Distributed;

namespace Research.Training;

/// <summary>
/// What every epoch loop that writes a run directory does the same way (the trainer, the DARTS
/// search): the directory's lock, held by rank 0 while it writes; the refusal to start over a run
/// the directory already holds, and the identity a resume must match; the checkpoint after every
/// epoch and its reading on resume; each rank's random stream per epoch; the epoch's sums over the
/// ranks; progress. The loop's own work (the steps, the figures, its other files) stays with it.
/// </summary>
public sealed class EpochLoop : IDisposable
{
    public const string CheckpointFile = "checkpoint.safetensors";

    private readonly EpochLoopOptions _options;
    private readonly string _kind;
    private readonly string _identity;
    private readonly RunDirectoryLock? _lock;

    private EpochLoop(EpochLoopOptions options, string kind, string identity, DistributedWorld? world, RunDirectoryLock? held, bool resuming)
    {
        _options = options;
        _kind = kind;
        _identity = identity;
        _lock = held;
        World = world;
        Resuming = resuming;
        Parallel = world is null ? null : new DataParallel(world.Group);
    }

    /// <summary>The ranks training together (null: this process alone).</summary>
    public DistributedWorld? World { get; }
    /// <summary>The data-parallel collectives (null: this process alone).</summary>
    public DataParallel? Parallel { get; }
    public int Ranks => World?.WorldSize ?? 1;
    public int Rank => World?.Rank ?? 0;
    /// <summary>Whether this process writes the run's files (rank 0, or the only process).</summary>
    public bool IsMain => World?.IsMain ?? true;
    public string Dir => _options.OutDir;
    public string CheckpointPath => Path.Combine(Dir, CheckpointFile);
    /// <summary>Whether the directory holds a checkpoint that this run continues.</summary>
    public bool Resuming { get; }
    /// <summary>Epochs the checkpoint had finished (0 for a new run); known once <see cref="Restore"/> has read it.</summary>
    public int StartEpoch { get; private set; }

    /// <summary>
    /// Takes the run directory (rank 0 holds its lock; a directory another process writes is refused on
    /// every rank, naming the holder) and decides whether this is a new run or a resumed one.
    /// </summary>
    /// <param name="kind">what the directory holds, for messages ("training run", "DARTS search")</param>
    /// <param name="identity">what a resume must match (the settings that decide the numbers)</param>
    /// <param name="batch">the global batch, which must split evenly over the ranks</param>
    public static EpochLoop Open(EpochLoopOptions options, string kind, string identity, int batch)
    {
        var world = options.World is { WorldSize: > 1 } w ? w : null;
        int ranks = world?.WorldSize ?? 1;
        if (batch % ranks != 0)
            throw new ArgumentException($"batch {batch} is the global batch of all {ranks} ranks: it must divide by the world size");
        var held = RankZeroLock.Hold(options.OutDir, world);
        try
        {
            bool exists = File.Exists(Path.Combine(options.OutDir, CheckpointFile));
            if (!options.Resume && exists)
                throw new ArgumentException($"{options.OutDir} already holds a {kind} ({CheckpointFile}); resume it, or write elsewhere");
            // Every rank has looked for the checkpoint before rank 0 writes anything.
            world?.Group.Barrier();
            return new EpochLoop(options, kind, identity, world, held, options.Resume && exists);
        }
        catch
        {
            held?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Resuming: restores the checkpoint into the model, its optimizers, schedule and EMA (and the random
    /// stream), refuses one written with other settings, and returns its metadata; a new run: null.
    /// </summary>
    /// <param name="epochs">the run's epochs, for the log line</param>
    public IReadOnlyDictionary<string, string>? Restore(Module model, Optimizer optimizer, LRScheduler scheduler, ExponentialMovingAverage? ema, int epochs,
        IReadOnlyList<KeyValuePair<string, Optimizer>>? extraOptimizers = null)
    {
        if (!Resuming) return null;
        var meta = Checkpoint.Load(CheckpointPath, model, optimizer, scheduler, ema, extraOptimizers: extraOptimizers);
        if (meta.GetValueOrDefault("identity") != _identity)
            throw new ArgumentException($"{CheckpointPath} was written by a {_kind} with other settings; resume with the same settings, or write elsewhere");
        StartEpoch = int.Parse(meta["epoch"], CultureInfo.InvariantCulture);
        if (IsMain) _options.Log?.WriteLine($"resuming {Dir} after epoch {StartEpoch} of {epochs}");
        return meta;
    }

    /// <summary>
    /// Each rank's own augmentation and dropout draws in an epoch, seeded by (seed, epoch, rank), so a resume on
    /// any world size replays them; a process alone keeps the one stream it was seeded with.
    /// </summary>
    public void SeedEpoch(long seed, int epoch)
    {
        if (World is { } world) torch.manual_seed(unchecked(seed * 1_000_003L + epoch * 7_919L + world.Rank + 1));
    }

    /// <summary>An epoch's figures summed over every rank's share (on the device under NCCL); alone, the figures as they are.</summary>
    public double[] SumOverRanks(params double[] values)
    {
        if (World is not { } world) return values;
        using var sums = torch.tensor(values, device: world.Group.Backend == "nccl" ? _options.Device : null);
        world.Group.AllReduce(sums);
        using var host = sums.cpu();
        return host.ToArray<double>();
    }

    /// <summary>Rank 0 writes the checkpoint after <paramref name="epochsDone"/> epochs, with the identity and the loop's own state.</summary>
    public void SaveCheckpoint(int epochsDone, Module model, Optimizer optimizer, LRScheduler scheduler, ExponentialMovingAverage? ema,
        IEnumerable<KeyValuePair<string, string>> state, IReadOnlyList<KeyValuePair<string, Optimizer>>? extraOptimizers = null)
    {
        if (!IsMain) return;
        var metadata = new Dictionary<string, string>
        {
            ["epoch"] = epochsDone.ToString(CultureInfo.InvariantCulture),
            ["identity"] = _identity,
        };
        foreach (var (k, v) in state) metadata[k] = v;
        Checkpoint.Save(CheckpointPath, model, optimizer, scheduler, ema, metadata, extraOptimizers: extraOptimizers);
    }

    public void ReportProgress(int epoch, int epochs, int step, int steps, double loss) =>
        _options.Progress?.Report(new TrainProgress(epoch, epochs, step, steps, loss));

    /// <summary>Lets go of the run directory.</summary>
    public void Dispose() => _lock?.Dispose();
}
