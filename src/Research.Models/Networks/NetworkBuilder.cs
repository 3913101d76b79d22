namespace Research.Models.Networks;

/// <summary>Turns a spec into modules: the stem and each block by its kind, a cell network's cells by the cell kind, then the head.</summary>
public static class NetworkBuilder
{
    public static Network Build(NetworkSpec spec)
    {
        spec.Validate();
        var schedule = new DropPathSchedule();
        var ctx = BlockContext.Of(spec) with { Schedule = schedule };
        var stemSpec = spec.EffectiveStem;
        var stem = BuildBlock(new BlockPlace(spec.InChannels, stemSpec, 0), ctx);
        int channels = stemSpec.OutChannels;

        var stages = torch.nn.Sequential();
        AuxiliaryHead? auxiliary = null;
        if (spec.Cell is { } genotype)
        {
            var stack = BlockKinds.Cell.BuildStack(spec, genotype, channels, ctx, out channels, out int auxChannels);
            stages.append(stack);
            if (spec.Auxiliary is { } aux) auxiliary = new AuxiliaryHead(auxChannels, spec.Classes, AuxiliaryHead.InputSize(spec), ctx);
        }
        else
        {
            var stage = torch.nn.Sequential();
            int current = 0, total = spec.BlockCount;
            foreach (var slot in BlockSequence.Of(spec))
            {
                if (slot.Stage != current)
                {
                    stages.append(stage);
                    (stage, current) = (torch.nn.Sequential(), slot.Stage);
                }
                stage.append(BuildBlock(slot.Place, ctx with { DropConnect = DropRate(spec, slot.Global, total) }));
                channels = slot.Place.Spec.OutChannels;
            }
            stages.append(stage);
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
        var classifier = torch.nn.Linear(channels, spec.Classes, bias: head.ClassifierBias);
        var net = new Network(spec, stem, stages, headConv, hidden, hiddenAct, classifier, auxiliary, schedule);
        Initialize(net, spec.Init);
        return net;
    }

    /// <summary>
    /// Block or cell <paramref name="index"/> of <paramref name="total"/>'s drop rate: growing linearly with
    /// depth (EfficientNet's schedule), or the network's rate everywhere under the epoch schedule.
    /// </summary>
    public static double DropRate(NetworkSpec spec, int index, int total) =>
        spec.DropSchedule == DropSchedule.Epoch ? spec.DropConnect : spec.DropConnect * index / total;

    /// <summary>One block instance, built by its kind.</summary>
    public static Module<Tensor, Tensor> BuildBlock(BlockPlace place, BlockContext ctx) => place.Spec.Kind.Build(place, ctx);

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
