namespace Research.Models.Specs;

/// <summary>
/// The classifier head: an optional 1×1 conv + BN + act (<see cref="ConvChannels"/> 0: none),
/// global average pooling, an optional hidden layer (<see cref="HiddenFeatures"/>: a Linear +
/// act as in MobileNetV3, or a 1×1 conv with bias + act as in GhostNet), dropout, and the
/// final Linear to the classes (with or without a bias).
/// </summary>
public sealed record HeadSpec
{
    public int ConvChannels { get; init; }
    public Activation ConvActivation { get; init; } = Activation.ReLU;
    public int HiddenFeatures { get; init; }
    public Activation HiddenActivation { get; init; } = Activation.ReLU;
    public bool HiddenAsConv { get; init; }
    public double Dropout { get; init; }
    /// <summary>The final Linear has a bias (ShuffleNet v1's official code has none).</summary>
    public bool ClassifierBias { get; init; } = true;

    public void Validate()
    {
        if (ConvChannels < 0) throw new SpecFormatException($"head: conv channels {ConvChannels} must be >= 0");
        if (HiddenFeatures < 0) throw new SpecFormatException($"head: hidden features {HiddenFeatures} must be >= 0");
        if (Dropout < 0 || Dropout >= 1) throw new SpecFormatException($"head: dropout {Dropout} must be in [0, 1)");
    }
}
