namespace Research.Training.Data;

/// <summary>
/// One rank's share of an epoch's order: the indices at positions rank, rank + count, ... With
/// padding (training) the order is first lengthened by repeating its start up to a multiple of
/// count, so every rank serves as many images and takes as many steps (PyTorch's
/// DistributedSampler); without it (evaluation) every image is served exactly once overall.
/// </summary>
public sealed record DataShard(int Rank, int Count, bool Pad)
{
    public int Size(int total)
    {
        Validate();
        return Pad ? (total + Count - 1) / Count : total / Count + (Rank < total % Count ? 1 : 0);
    }

    public int[] Take(int[] order)
    {
        Validate();
        int padded = Pad ? (order.Length + Count - 1) / Count * Count : order.Length;
        var share = new List<int>(padded / Count + 1);
        for (int i = Rank; i < padded; i += Count) share.Add(order[i % order.Length]);
        return share.ToArray();
    }

    private void Validate()
    {
        if (Count < 1) throw new ArgumentOutOfRangeException(nameof(Count), Count, "a shard count is at least 1");
        if (Rank < 0 || Rank >= Count) throw new ArgumentOutOfRangeException(nameof(Rank), Rank, $"a shard rank is 0-{Count - 1}");
    }
}
