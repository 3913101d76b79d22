using Research.Torch;
using Research.Torch.Distributed;
using Research.Torch.Modules;
using Research.Training.Data;
using Research.Training.Transforms;

namespace Research.Training;

/// <summary>Loss, top-1 and top-5 accuracy (in %) over a dataset.</summary>
public sealed record EvalResult(double Loss, double Top1, double Top5, int Count);

public static class Evaluation
{
    /// <summary>
    /// Runs the model in eval mode without gradients over every batch; restores the previous mode.
    /// With <paramref name="confusion"/> (true class × predicted class), also counts every prediction.
    /// With <paramref name="group"/>, each rank evaluates its shard of the data (the loader's
    /// <see cref="DataShard"/>) and the sums are all-reduced, so every rank gets the whole set's figures.
    /// </summary>
    public static EvalResult Evaluate(Module<Tensor, Tensor> model, DataLoader loader, BatchTransform transform, bool bf16 = false, long[,]? confusion = null,
        ProcessGroup? group = null)
    {
        bool wasTraining = model.training;
        model.eval();
        double loss = 0;
        long top1 = 0, top5 = 0;
        int n = 0;
        using var _ = torch.no_grad();
        foreach (var batch in loader.Epoch(0))
            using (batch)
            using (torch.NewDisposeScope())
            {
                var x = transform.Apply(batch.Images, train: false);
                Tensor logits;
                using (torch.autocast(DeviceType.CUDA, enabled: bf16 && x.is_cuda))
                    logits = model.call(x);
                logits = logits.to(ScalarType.Float32);
                loss += torch.nn.functional.cross_entropy(logits, batch.Labels, reduction: Reduction.Sum).item<double>();
                var (c1, c5) = Correct(logits, batch.Labels);
                if (confusion is not null) Count(confusion, logits, batch.Labels);
                top1 += c1;
                top5 += c5;
                n += batch.Size;
            }
        model.train(wasTraining);
        if (group is { WorldSize: > 1 })
        {
            using var sums = torch.tensor(new[] { loss, top1, top5, n }, device: group.Backend == "nccl" ? loader.Device : null);
            group.AllReduce(sums);
            using var host = sums.cpu();
            var reduced = host.ToArray<double>();
            (loss, top1, top5, n) = (reduced[0], (long)reduced[1], (long)reduced[2], (int)reduced[3]);
        }
        return new EvalResult(loss / n, 100.0 * top1 / n, 100.0 * top5 / n, n);
    }

    private static void Count(long[,] confusion, Tensor logits, Tensor labels)
    {
        using var scope = torch.NewDisposeScope();
        var predicted = logits.argmax(1).cpu().ToArray<long>();
        var truth = labels.cpu().ToArray<long>();
        for (int i = 0; i < truth.Length; i++) confusion[truth[i], predicted[i]]++;
    }

    /// <summary>How many predictions are right in the top 1 and in the top 5 (top k when there are fewer classes).</summary>
    public static (long top1, long top5) Correct(Tensor logits, Tensor labels)
    {
        using var scope = torch.NewDisposeScope();
        long k = Math.Min(5, logits.size(1));
        var (_, idx) = logits.topk(k, 1);
        var hits = idx.eq(labels.view(-1, 1));
        long t1 = hits.narrow(1, 0, 1).sum().item<long>();
        long t5 = hits.sum().item<long>();
        return (t1, t5);
    }
}
