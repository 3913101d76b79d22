namespace Research.Models.Networks;

/// <summary>
/// A network built from a <see cref="NetworkSpec"/>: stem, stages of blocks (or a cell stack),
/// head, and for DARTS's cell networks an optional auxiliary classifier used in training only.
/// </summary>
public sealed class Network : Module<Tensor, Tensor>
{
    private readonly DropPathSchedule _schedule;

    internal Network(NetworkSpec spec, Module<Tensor, Tensor> stem, Sequential stages, ConvBnAct? headConv,
        Module<Tensor, Tensor>? hidden, Module<Tensor, Tensor>? hiddenAct, Torch.Modules.Linear classifier,
        AuxiliaryHead? auxiliary, DropPathSchedule schedule) : base(nameof(Network))
    {
        Spec = spec;
        Stem = stem;
        Stages = stages;
        HeadConv = headConv;
        Hidden = hidden;
        HiddenAct = hiddenAct;
        Dropout = torch.nn.Dropout(spec.Head.Dropout);
        Classifier = classifier;
        Auxiliary = auxiliary;
        _schedule = schedule;
        register_module("stem", stem);
        register_module("stages", stages);
        if (headConv is not null) register_module("head_conv", headConv);
        if (hidden is not null) register_module("hidden", hidden);
        if (hiddenAct is not null) register_module("hidden_act", hiddenAct);
        register_module("dropout", Dropout);
        register_module("classifier", classifier);
        if (auxiliary is not null) register_module("auxiliary", auxiliary);
    }

    public NetworkSpec Spec { get; }
    public Module<Tensor, Tensor> Stem { get; }
    public Sequential Stages { get; }
    public ConvBnAct? HeadConv { get; }
    public Module<Tensor, Tensor>? Hidden { get; }
    public Module<Tensor, Tensor>? HiddenAct { get; }
    public Torch.Modules.Dropout Dropout { get; }
    public Torch.Modules.Linear Classifier { get; }

    /// <summary>DARTS's auxiliary classifier (cell networks with an auxiliary head only).</summary>
    public AuxiliaryHead? Auxiliary { get; }

    /// <summary>The auxiliary head's logits of the last training forward pass (owned by that pass's scope), else null.</summary>
    public Tensor? AuxiliaryLogits { get; private set; }

    /// <summary>What the auxiliary loss is multiplied by before it joins the main loss (0 without a head).</summary>
    public double AuxiliaryWeight => Spec.Auxiliary?.Weight ?? 0;

    /// <summary>
    /// Tells the network where training is, before each epoch: under the epoch drop schedule every
    /// drop rate becomes p × epoch / epochs (DARTS's train.py; epoch counts from 0).
    /// </summary>
    public void SetEpoch(int epoch, int epochs)
    {
        if (epochs < 1 || epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), $"epoch {epoch} of {epochs}");
        _schedule.Factor = Spec.DropSchedule == DropSchedule.Epoch ? (double)epoch / epochs : 1;
    }

    /// <summary>The blocks of a block network in order, with their stage and index in it (a cell network's cells are one stage).</summary>
    public IEnumerable<(int Stage, int Index, Module<Tensor, Tensor> Block)> Blocks()
    {
        for (int s = 0; s < Stages.Count; s++)
            if (Stages[s] is Sequential stage)
                for (int b = 0; b < stage.Count; b++) yield return (s, b, stage[b]);
    }

    /// <summary>The pooled features before the classifier's dropout and Linear.</summary>
    public Tensor Features(Tensor x)
    {
        var y = Stages.call(Stem.call(x));
        AuxiliaryLogits = Auxiliary is not null && training && Stages[0] is CellStack { Tapped: { } tapped } ? Auxiliary.call(tapped) : null;
        if (HeadConv is not null) y = HeadConv.call(y);
        y = torch.nn.functional.adaptive_avg_pool2d(y, 1);
        if (Hidden is not null)
        {
            if (!Spec.Head.HiddenAsConv) y = y.flatten(1);
            y = Hidden.call(y);
            if (HiddenAct is not null) y = HiddenAct.call(y);
        }
        return y.flatten(1);
    }

    public override Tensor forward(Tensor x) => Classifier.call(Dropout.call(Features(x)));
}
