using System.Buffers;
using System.Collections.Concurrent;
using Research.Torch;

namespace Research.Training.Data;

/// <summary>
/// Batches a dataset's images onto a device. The order of an epoch is a permutation seeded by
/// (seed, epoch), so a resumed run replays it exactly. While the caller trains on one batch, a
/// background thread gathers the next one's bytes; on CUDA it also pins them and starts a
/// non-blocking copy. On CPU the tensors are made on the caller's thread: a libtorch copy on
/// the background thread would start a second OpenMP team that fights the training threads.
/// With a <see cref="DataShard"/> it serves one rank's share of each epoch's order (PyTorch's
/// DistributedSampler: every rank draws the same permutation and takes every n-th index).
/// </summary>
public sealed class DataLoader
{
    /// <summary>How many image reads a streamed dataset keeps in flight while gathering a batch.</summary>
    public const int StreamedReadsInFlight = 8;

    private readonly ImageDataset _data;
    private readonly int[] _indices;

    public DataLoader(ImageDataset data, int[] indices, int batchSize, bool shuffle, bool dropLast, Device device, int seed = 0, DataShard? shard = null)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be >= 1");
        foreach (var i in indices)
            if (i < 0 || i >= data.Count) throw new ArgumentOutOfRangeException(nameof(indices), i, $"index outside the dataset's {data.Count} images");
        _data = data;
        _indices = indices;
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        Device = device;
        Seed = seed;
        Shard = shard;
        if (BatchesPerEpoch == 0) throw new ArgumentException($"{data.Name}: {indices.Length} images make no batch of {batchSize} (drop_last)");
    }

    public DataLoader(ImageDataset data, int batchSize, bool shuffle, bool dropLast, Device device, int seed = 0, DataShard? shard = null)
        : this(data, Enumerable.Range(0, data.Count).ToArray(), batchSize, shuffle, dropLast, device, seed, shard) { }

    public int BatchSize { get; }
    public bool Shuffle { get; }
    public bool DropLast { get; }
    public Device Device { get; }
    public int Seed { get; }
    public DataShard? Shard { get; }
    /// <summary>How many images an epoch serves (this rank's share with a shard).</summary>
    public int Count => Shard?.Size(_indices.Length) ?? _indices.Length;
    public int BatchesPerEpoch => DropLast ? Count / BatchSize : (Count + BatchSize - 1) / BatchSize;

    /// <summary>The dataset indices of an epoch, in the order they are served.</summary>
    public int[] Order(int epoch)
    {
        var order = FullOrder(epoch);
        return Shard is { } shard ? shard.Take(order) : order;
    }

    private int[] FullOrder(int epoch)
    {
        var order = (int[])_indices.Clone();
        if (!Shuffle) return order;
        // Not HashCode.Combine: it is randomised per process, and a resumed run must replay the order.
        var rng = new Random(unchecked(Seed * 1_000_003 + epoch * 7_919 + 0x5eed));
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>The batches of one epoch; each must be disposed by the caller.</summary>
    public IEnumerable<Batch> Epoch(int epoch)
    {
        var order = Order(epoch);
        int n = BatchesPerEpoch;
        using var queue = new BlockingCollection<Pending>(boundedCapacity: 2);
        using var stop = new CancellationTokenSource();
        var producer = Task.Run(() =>
        {
            try
            {
                for (int b = 0; b < n && !stop.IsCancellationRequested; b++)
                {
                    var pending = Gather(order, b);
                    if (Device.Type == DeviceType.CUDA) pending = pending with { Ready = ToDevice(pending) };
                    try
                    {
                        queue.Add(pending, stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        pending.Ready?.Dispose();
                        pending.Release();
                    }
                }
            }
            finally
            {
                queue.CompleteAdding();
            }
        });
        try
        {
            foreach (var pending in queue.GetConsumingEnumerable()) yield return pending.Ready ?? ToDevice(pending);
            producer.GetAwaiter().GetResult(); // surface a reader failure
        }
        finally
        {
            stop.Cancel();
            while (queue.TryTake(out var left)) Discard(left);
            try { producer.Wait(); } catch (AggregateException) { }
            while (queue.TryTake(out var left)) Discard(left);
        }
    }

    /// <summary>
    /// A batch's bytes (a pooled buffer, <see cref="Bytes"/> long) and labels gathered on the host;
    /// Ready when already on the device. The buffers are reused: a batch of natural images is
    /// megabytes, and a fresh array per batch would let the large-object heap grow for a whole epoch.
    /// </summary>
    private sealed record Pending(byte[] Images, int Bytes, long[] Labels, int Size, Batch? Ready = null)
    {
        private int _released;

        public void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) ArrayPool<byte>.Shared.Return(Images);
        }
    }

    private static void Discard(Pending p)
    {
        p.Ready?.Dispose();
        p.Release();
    }

    private Pending Gather(int[] order, int b)
    {
        int start = b * BatchSize;
        int size = Math.Min(BatchSize, order.Length - start);
        int bytes = _data.ImageBytes;
        int total = checked(size * bytes);
        var images = ArrayPool<byte>.Shared.Rent(total);
        var labels = new long[size];
        for (int i = 0; i < size; i++) labels[i] = _data.Labels[order[start + i]];
        if (_data.Streamed)
        {
            // Positioned reads of a file the page cache does not hold wait on the disk, one image at a
            // time; several in flight let the disk serve them together (they wait, they do not compute).
            Parallel.For(0, size, new ParallelOptions { MaxDegreeOfParallelism = StreamedReadsInFlight },
                i => _data.CopyImage(order[start + i], images.AsSpan(i * bytes, bytes)));
        }
        else
        {
            for (int i = 0; i < size; i++) _data.CopyImage(order[start + i], images.AsSpan(i * bytes, bytes));
        }
        return new Pending(images, total, labels, size);
    }

    private Batch ToDevice(Pending p)
    {
        Tensor x;
        try
        {
            x = torch.from_bytes(p.Images.AsSpan(0, p.Bytes), [p.Size, _data.Channels, _data.Height, _data.Width], ScalarType.Byte);
        }
        finally
        {
            p.Release(); // from_bytes copied it
        }
        Tensor y = torch.tensor(p.Labels);
        if (Device.Type == DeviceType.CUDA)
        {
            using var hx = x;
            using var hy = y;
            using var px = hx.pin_memory();
            using var py = hy.pin_memory();
            x = px.to(Device, non_blocking: true);
            y = py.to(Device, non_blocking: true);
        }
        return new Batch(x, y, p.Size);
    }
}
