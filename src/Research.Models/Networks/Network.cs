using Research.Models.Blocks;
using Research.Models.Specs;
using Research.Torch;
using Research.Torch.Modules;

namespace Research.Models.Networks;

/// <summary>A network built from a <see cref="NetworkSpec"/>: stem, stages of blocks, head.</summary>
public sealed class Network : Module<Tensor, Tensor>
{
    internal Network(NetworkSpec spec, Module<Tensor, Tensor> stem, Sequential stages, ConvBnAct? headConv,
        Module<Tensor, Tensor>? hidden, Module<Tensor, Tensor>? hiddenAct, Torch.Modules.Linear classifier) : base(nameof(Network))
    {
        Spec = spec;
        Stem = stem;
        Stages = stages;
        HeadConv = headConv;
        Hidden = hidden;
        HiddenAct = hiddenAct;
        Dropout = torch.nn.Dropout(spec.Head.Dropout);
        Classifier = classifier;
        register_module("stem", stem);
        register_module("stages", stages);
        if (headConv is not null) register_module("head_conv", headConv);
        if (hidden is not null) register_module("hidden", hidden);
        if (hiddenAct is not null) register_module("hidden_act", hiddenAct);
        register_module("dropout", Dropout);
        register_module("classifier", classifier);
    }

    public NetworkSpec Spec { get; }
    public Module<Tensor, Tensor> Stem { get; }
    public Sequential Stages { get; }
    public ConvBnAct? HeadConv { get; }
    public Module<Tensor, Tensor>? Hidden { get; }
    public Module<Tensor, Tensor>? HiddenAct { get; }
    public Torch.Modules.Dropout Dropout { get; }
    public Torch.Modules.Linear Classifier { get; }

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
