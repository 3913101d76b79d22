using System.Diagnostics;
using Research.Torch;
using Research.Torch.Distributed;
using Research.Torch.Modules;

namespace Research.Training.Distributed;

/// <summary>
/// Data-parallel training's collectives (what PyTorch's DistributedDataParallel does around a step):
/// the model's parameters and buffers broadcast from rank 0 at the start, every gradient averaged
/// across the ranks after backward in flat buckets (one all-reduce per bucket, all in flight at
/// once), and the buffers (batch-norm statistics) broadcast from rank 0 before an evaluation or a
/// checkpoint, so every rank evaluates and saves rank 0's model.
/// </summary>
public sealed class DataParallel(ProcessGroup group, long bucketBytes = DataParallel.DefaultBucketBytes)
{
    /// <summary>DDP's default bucket cap, 25 MiB.</summary>
    public const long DefaultBucketBytes = 25L << 20;

    private readonly Stopwatch _reduceClock = new();

    public ProcessGroup Group { get; } = group;
    public long BucketBytes { get; } = bucketBytes > 0 ? bucketBytes : throw new ArgumentOutOfRangeException(nameof(bucketBytes), bucketBytes, "must be positive");

    /// <summary>Gradient all-reduces so far and the seconds spent in them (flattening, reducing, copying back).</summary>
    public long Reductions { get; private set; }
    public double ReduceSeconds => _reduceClock.Elapsed.TotalSeconds;

    /// <summary>Rank 0's parameters and buffers into every rank's model.</summary>
    public void BroadcastState(Module model) => Broadcast(model.parameters().Cast<Tensor>().Concat(model.buffers()).ToList());

    /// <summary>Rank 0's buffers (running statistics, counters) into every rank's model.</summary>
    public void BroadcastBuffers(Module model) => Broadcast(model.buffers().ToList());

    /// <summary>Rank 0's values of these tensors into every rank's, in place (grouped by dtype and device into flat buffers).</summary>
    public void Broadcast(IReadOnlyList<Tensor> tensors)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var bucket in Buckets(tensors))
        {
            var flat = Flatten(bucket);
            Group.Broadcast(flat, root: 0);
            Unflatten(flat, bucket);
        }
    }

    /// <summary>
    /// Replaces every parameter's gradient by its mean over the ranks. Parameters without a gradient
    /// are left out on every rank alike (each rank runs the same graph).
    /// </summary>
    public void AverageGradients(IEnumerable<Parameter> parameters)
    {
        _reduceClock.Start();
        try
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var grads = parameters.Select(p => p.grad).Where(g => g is not null).Cast<Tensor>().ToList();
            var pending = new List<(List<Tensor> Bucket, Tensor Flat, Work Work)>();
            try
            {
                foreach (var bucket in Buckets(grads))
                {
                    var flat = Flatten(bucket);
                    pending.Add((bucket, flat, Group.AllReduceAsync(flat)));
                }
                foreach (var (bucket, flat, work) in pending)
                {
                    work.Wait();
                    flat.div_(Group.WorldSize);
                    Unflatten(flat, bucket);
                }
            }
            finally
            {
                foreach (var (_, _, work) in pending) work.Dispose();
            }
            Reductions++;
        }
        finally
        {
            _reduceClock.Stop();
        }
    }

    /// <summary>Consecutive tensors of one dtype and device, up to the bucket cap each.</summary>
    private List<List<Tensor>> Buckets(IReadOnlyList<Tensor> tensors)
    {
        var buckets = new List<List<Tensor>>();
        var open = new Dictionary<(ScalarType, string), (List<Tensor> Bucket, long Bytes)>();
        foreach (var t in tensors)
        {
            var key = (t.dtype, t.device.ToString());
            long bytes = t.numel() * t.dtype.ElementSize();
            if (!open.TryGetValue(key, out var current) || current.Bytes + bytes > BucketBytes && current.Bucket.Count > 0)
            {
                current = (new List<Tensor>(), 0);
                buckets.Add(current.Bucket);
            }
            current.Bucket.Add(t);
            open[key] = (current.Bucket, current.Bytes + bytes);
        }
        return buckets;
    }

    private static Tensor Flatten(List<Tensor> bucket) =>
        bucket.Count == 1 ? bucket[0].reshape(-1).clone() : torch.cat(bucket.Select(t => t.reshape(-1)).ToArray());

    private static void Unflatten(Tensor flat, List<Tensor> bucket)
    {
        long offset = 0;
        foreach (var t in bucket)
        {
            long n = t.numel();
            using var part = flat.narrow(0, offset, n);
            using var shaped = part.view(t.shape);
            t.copy_(shaped);
            offset += n;
        }
    }
}
