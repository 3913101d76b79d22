using Research.Torch;
using Research.Torch.Distributed;

namespace Research.Training;

/// <summary>Where and how a run of epochs executes (training, a DARTS search); none of it changes the numbers, except the device.</summary>
public record EpochLoopOptions
{
    public required string OutDir { get; init; }
    /// <summary>Continue the run the directory holds (a directory without a checkpoint starts afresh).</summary>
    public bool Resume { get; init; }
    public Device Device { get; init; } = Device.CPU;
    /// <summary>Epoch summaries go here (null: nowhere).</summary>
    public TextWriter? Log { get; init; }
    /// <summary>Per-step progress (null: none), e.g. a progress bar on a terminal.</summary>
    public IProgress<TrainProgress>? Progress { get; init; }
    /// <summary>
    /// Several ranks training one model (data-parallel; null or one rank: this process alone). The
    /// batch is the global batch, split evenly across the ranks; only rank 0 writes files.
    /// </summary>
    public DistributedWorld? World { get; init; }
}

/// <summary>Progress within an epoch.</summary>
public readonly record struct TrainProgress(int Epoch, int Epochs, int Step, int Steps, double Loss);
