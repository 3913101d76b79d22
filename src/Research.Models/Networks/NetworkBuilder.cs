using Research.Models.Blocks;
using Research.Models.Cells;
using Research.Models.Specs;
using Research.Torch;
using Research.Torch.Modules;

namespace Research.Models.Networks;

/// <summary>Turns a spec into modules, block by block, tracking the channel width as it goes.</summary>
public static class NetworkBuilder
{
    public static Network Build(NetworkSpec spec)
    {
        spec.Validate();
        var ctx = BlockContext.Of(spec);
        var stemSpec = spec.EffectiveStem;
        Module<Tensor, Tensor> stem = BuildBlock(spec.InChannels, stemSpec, 0, ctx);
        int channels = stemSpec.OutChannels;

        var stages = torch.nn.Sequential();
        int total = spec.BlockCount, index = 0;
        if (spec.Cell is { } genotype)
        {
            stages.append(BuildCells(spec, genotype, channels, ctx, out channels));
        }
        else foreach (var stage in spec.Stages)
        {
            var seq = torch.nn.Sequential();
            foreach (var block in stage)
                for (int r = 0; r < block.Repeats; r++)
                {
                    // Stochastic depth grows linearly with depth (EfficientNet's schedule).
                    var bctx = ctx with { DropConnect = spec.DropConnect * index / total };
                    seq.append(BuildBlock(channels, block, r, bctx));
                    channels = block.OutChannels;
                    index++;
                }
            stages.append(seq);
        }

        var head = spec.Head;
        ConvBnAct? headConv = null;
        if (head.ConvChannels > 0)
        {
            headConv = new ConvBnAct(channels, head.ConvChannels, 1, 1, 1, head.ConvActivation, ctx);
            channels = head.ConvChannels;
        }
        Module<Tensor, Tensor>? hidden = null, hiddenAct = null;
        if (head.HiddenFeatures > 0)
        {
            hidden = head.HiddenAsConv
                ? torch.nn.Conv2d(channels, head.HiddenFeatures, 1, bias: true)
                : torch.nn.Linear(channels, head.HiddenFeatures);
            hiddenAct = Activations.Create(head.HiddenActivation);
            channels = head.HiddenFeatures;
        }
        var classifier = torch.nn.Linear(channels, spec.Classes);
        var net = new Network(spec, stem, stages, headConv, hidden, hiddenAct, classifier);
        Initialize(net, spec.Init);
        return net;
    }

    /// <summary>
    /// The cells of a cell network: repeat 0 of a stride-2 'dc' block is a reduction cell, the
    /// rest normal; drop-path grows linearly with the cell index, as drop-connect does for blocks.
    /// </summary>
    private static CellStack BuildCells(NetworkSpec spec, Genotype genotype, int stemChannels, BlockContext ctx, out int outChannels)
    {
        var cells = new List<Cell>();
        int cpp = stemChannels, cp = stemChannels, total = spec.BlockCount, index = 0;
        bool reductionPrev = false;
        foreach (var b in spec.Blocks)
            for (int r = 0; r < b.Repeats; r++, index++)
            {
                bool reduction = r == 0 && b.Stride == 2;
                var cell = new Cell(genotype, reduction, reductionPrev, cpp, cp, b.OutChannels, ctx with { DropConnect = spec.DropConnect * index / total });
                cells.Add(cell);
                (cpp, cp, reductionPrev) = (cp, cell.OutChannels, reduction);
            }
        outChannels = cp;
        return new CellStack(cells);
    }

    /// <summary>Repeat <paramref name="repeatIndex"/> of a block spec: only the first repeat has the spec's stride.</summary>
    public static Module<Tensor, Tensor> BuildBlock(int inChannels, BlockSpec b, int repeatIndex, BlockContext ctx)
    {
        int stride = repeatIndex == 0 ? b.Stride : 1;
        return b.Kind switch
        {
        BlockKind.Conv => b.MaxPool
            ? torch.nn.Sequential(new ConvBnAct(inChannels, b.OutChannels, b.Kernel, stride, 1, b.Activation, ctx), torch.nn.MaxPool2d(3, 2, 1))
            : new ConvBnAct(inChannels, b.OutChannels, b.Kernel, stride, 1, b.Activation, ctx),
        BlockKind.DepthwiseSeparable => new DepthwiseSeparable(inChannels, b, stride, ctx),
        BlockKind.InvertedResidual => new InvertedResidual(inChannels, b, stride, ctx),
        BlockKind.Sandglass => new Sandglass(inChannels, b, stride, ctx, Sandglass.KeepsBothDepthwise(b, repeatIndex)),
        BlockKind.GhostBottleneck => new GhostBottleneck(inChannels, b, stride, ctx),
        BlockKind.ShuffleV2 => new ShuffleV2Unit(inChannels, b, stride, ctx),
        _ => throw new ArgumentOutOfRangeException(nameof(b), b.Kind, "unknown block kind"),
        };
    }

    private static void Initialize(Network net, InitScheme scheme)
    {
        if (scheme == InitScheme.Default) return;
        foreach (var (_, m) in net.named_modules())
            switch (m)
            {
                case Torch.Modules.Conv2d conv:
                    torch.nn.init.kaiming_normal_(conv.weight, mode: torch.nn.FanMode.FanOut, nonlinearity: "relu");
                    if (conv.bias is not null) torch.nn.init.zeros_(conv.bias);
                    break;
                case Torch.Modules.Linear lin when scheme == InitScheme.MobileNet:
                    torch.nn.init.normal_(lin.weight, 0, 0.01);
                    if (lin.bias is not null) torch.nn.init.zeros_(lin.bias);
                    break;
                case Torch.Modules.Linear lin:
                    double range = 1 / Math.Sqrt(lin.OutFeatures);
                    torch.nn.init.uniform_(lin.weight, -range, range);
                    if (lin.bias is not null) torch.nn.init.zeros_(lin.bias);
                    break;
            }
    }
}
