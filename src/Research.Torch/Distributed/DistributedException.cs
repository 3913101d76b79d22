namespace Research.Torch.Distributed;

/// <summary>
/// A collective or rendezvous that failed or timed out, naming this process's rank, the operation
/// and, when it could be told, the rank that caused it (dead, hung, or failed with its own error).
/// </summary>
public sealed class DistributedException : Exception
{
    public DistributedException(int rank, int worldSize, string operation, string message, int? culprit = null, Exception? inner = null)
        : base($"rank {rank} of {worldSize}: {operation} failed: {message}", inner)
    {
        (Rank, WorldSize, Operation, Culprit) = (rank, worldSize, operation, culprit);
    }

    public int Rank { get; }
    public int WorldSize { get; }
    public string Operation { get; }
    /// <summary>The rank found to have died, hung or failed first; null when none could be told.</summary>
    public int? Culprit { get; }
}
