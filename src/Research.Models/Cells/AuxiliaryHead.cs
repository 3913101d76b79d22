namespace Research.Models.Cells;

/// <summary>
/// DARTS's auxiliary classifier (AuxiliaryHeadCIFAR): ReLU, 5×5 average pooling with stride 3
/// (padding excluded), 1×1 conv to 128 + BN + ReLU, a conv to 768 + BN + ReLU, and a Linear to
/// the classes. DARTS places it on 8×8 maps (CIFAR-10), where the second conv is 2×2 and
/// leaves 1×1; at other sizes the pooling window is at most the map and the second conv covers
/// the whole pooled map, so the head always ends at 1×1.
/// </summary>
public sealed class AuxiliaryHead : Module<Tensor, Tensor>
{
    public const int Hidden = 128, Features = 768;

    public AuxiliaryHead(int channels, int classes, int inputSize, BlockContext ctx) : base(nameof(AuxiliaryHead))
    {
        (PoolKernel, ConvKernel) = Geometry(inputSize);
        Conv1 = torch.nn.Conv2d(channels, Hidden, 1, bias: false);
        Bn1 = torch.nn.BatchNorm2d(Hidden, ctx.BnEps, ctx.BnMomentum);
        Conv2 = torch.nn.Conv2d(Hidden, Features, ConvKernel, bias: false);
        Bn2 = torch.nn.BatchNorm2d(Features, ctx.BnEps, ctx.BnMomentum);
        Classifier = torch.nn.Linear(Features, classes);
        register_module("conv1", Conv1);
        register_module("bn1", Bn1);
        register_module("conv2", Conv2);
        register_module("bn2", Bn2);
        register_module("classifier", Classifier);
    }

    public int PoolKernel { get; }
    public int ConvKernel { get; }
    public Torch.Modules.Conv2d Conv1 { get; }
    public BatchNorm2d Bn1 { get; }
    public Torch.Modules.Conv2d Conv2 { get; }
    public BatchNorm2d Bn2 { get; }
    public Torch.Modules.Linear Classifier { get; }

    /// <summary>The pooling window and second conv's kernel at an input size: (5, 2) at 8×8, as DARTS.</summary>
    public static (int Pool, int Conv) Geometry(int inputSize)
    {
        int pool = Math.Min(5, inputSize);
        return (pool, (inputSize - pool) / 3 + 1);
    }

    /// <summary>The size of the map the head reads: the output of cell <see cref="AuxiliaryHeadSpec.AfterCell"/>.</summary>
    public static int InputSize(NetworkSpec spec)
    {
        var aux = spec.Auxiliary ?? throw new ArgumentException($"network '{spec.Name}' has no auxiliary head");
        var stem = spec.EffectiveStem;
        int size = (spec.Resolution - 1) / stem.Stride + 1;
        if (stem.MaxPool) size = (size - 1) / 2 + 1;
        return CellStacking.Stack(stem.OutChannels, size, CellStacking.Cells(spec), _ => 1).ElementAt(aux.AfterCell).OutSize;
    }

    public static void Cost(CostWalker w, string p, int classes)
    {
        var (pool, conv) = Geometry(w.Height);
        w.Pool(pool, 3, 0);
        w.Conv(p + ".conv1", Hidden, 1, 1, 1, bias: false);
        w.BatchNorm(p + ".bn1");
        w.Conv(p + ".conv2", Features, conv, 1, 1, bias: false, padding: 0);
        w.BatchNorm(p + ".bn2");
        w.Linear(p + ".classifier", classes);
    }

    public override Tensor forward(Tensor x)
    {
        var y = torch.nn.functional.avg_pool2d(torch.nn.functional.relu(x), PoolKernel, 3, 0, count_include_pad: false);
        y = torch.nn.functional.relu(Bn1.call(Conv1.call(y)));
        y = torch.nn.functional.relu(Bn2.call(Conv2.call(y)));
        return Classifier.call(y.flatten(1));
    }
}
