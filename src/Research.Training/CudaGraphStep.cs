using Research.Torch;
using Research.Training.Data;

namespace Research.Training;

/// <summary>
/// cuda_graphs: a training step recorded once as a CUDA graph and replayed for every batch, as
/// PyTorch documents for whole-network capture. Each batch is copied into static input tensors;
/// the first steps run eagerly on a side stream (libtorch initialises lazily: cuDNN plans, the
/// optimizer's buffers, the gradients); then one step is captured with autocast's cast cache off
/// and replayed from then on. The learning rate lives in a device tensor (SGD) that the schedule
/// fills before each replay.
/// </summary>
public sealed class CudaGraphStep(Device device) : IDisposable
{
    public const int WarmupSteps = 3;

    private CudaGraph? _graph;
    private int _warmups;

    public Tensor? Images { get; private set; }
    public Tensor? Labels { get; private set; }
    public bool Captured => _graph is not null;

    /// <summary>Checks what a captured step cannot hold: another device, several ranks, a changing EMA decay, a norm clip that reads back.</summary>
    public static void Validate(TrainConfig cfg, Device device, bool distributed)
    {
        var problems = new List<string>();
        if (device.Type != DeviceType.CUDA) problems.Add($"a CUDA device (the device is {device})");
        if (!torch.cuda.is_built()) problems.Add("a shim built against a CUDA libtorch");
        if (distributed) problems.Add("one process (Gloo collectives cannot be captured)");
        if (cfg.Optimizer != "sgd") problems.Add($"optimizer sgd (its learning rate can live on the device; {cfg.Optimizer}'s cannot here)");
        if (cfg.EmaDecay is not null) problems.Add("no ema (its decay changes every step)");
        if (cfg.ClipNorm > 0) problems.Add("no clip (the norm is read back every step)");
        if (problems.Count > 0) throw new ArgumentException($"cuda_graphs needs {string.Join(", ", problems)}");
    }

    /// <summary>Runs one training step on the batch: eagerly while warming up, then by replaying the captured graph.</summary>
    public void Run(Batch batch, Action step)
    {
        if (Images is null || Labels is null)
        {
            Images = batch.Images.clone().DetachFromDisposeScope();
            Labels = batch.Labels.clone().DetachFromDisposeScope();
        }
        else
        {
            if (!batch.Images.shape.SequenceEqual(Images.shape))
                throw new InvalidOperationException($"cuda_graphs: a batch of shape [{string.Join(", ", batch.Images.shape)}] after [{string.Join(", ", Images.shape)}] (graphs need one shape)");
            Images.copy_(batch.Images);
            Labels.copy_(batch.Labels);
        }
        if (_warmups < WarmupSteps)
        {
            using (torch.cuda.side_stream(Math.Max(0, device.Index))) step();
            _warmups++;
            return;
        }
        if (_graph is null)
        {
            torch.cuda.synchronize();
            bool cache = torch.autocast_cache_enabled;
            torch.autocast_cache_enabled = false;
            try
            {
                var graph = new CudaGraph();
                graph.Capture(step, Math.Max(0, device.Index));
                _graph = graph;
            }
            finally
            {
                torch.autocast_cache_enabled = cache;
            }
        }
        _graph.Replay();
    }

    public void Dispose()
    {
        _graph?.Dispose();
        Images?.Dispose();
        Labels?.Dispose();
    }
}
