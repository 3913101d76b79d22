using Research.Torch.Modules;

namespace Research.Torch.Optim;

public static class WeightDecayGroups
{
    /// <summary>
    /// Two groups: weights of convolutions and linear layers (decayed), and 1-D parameters
    /// (biases, BN scales and shifts) with no decay, as the EfficientNet and timm recipes do.
    /// </summary>
    public static ParamGroup[] Split(Module model, double weight_decay)
    {
        var decay = new List<Parameter>();
        var noDecay = new List<Parameter>();
        foreach (var p in model.parameters())
            (p.dim() <= 1 ? noDecay : decay).Add(p);
        return [new ParamGroup(decay, weight_decay: weight_decay), new ParamGroup(noDecay, weight_decay: 0)];
    }
}
