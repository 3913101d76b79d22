namespace Research.Models.Weights;

/// <summary>The tensor namings a weights file can use.</summary>
public static class WeightNaming
{
    /// <summary>Our module paths (every network, cell networks included).</summary>
    public const string Ours = "ours";
    /// <summary>torchvision's state dicts (EfficientNet B0–B7, MobileNetV2, MobileNetV3, ShuffleNetV2).</summary>
    public const string Torchvision = "torchvision";
    /// <summary>timm's state dicts (EfficientNet B0–B7).</summary>
    public const string Timm = "timm";
    /// <summary>The authors' official code (GhostNet, MobileNeXt, ShuffleNet v1).</summary>
    public const string Official = "official";

    public static readonly string[] All = [Ours, Torchvision, Timm, Official];
}
