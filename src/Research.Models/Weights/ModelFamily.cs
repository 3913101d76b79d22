namespace Research.Models.Weights;

/// <summary>
/// The families of registered models, by the reference implementation whose tensor names their
/// weights use elsewhere (torchvision's, timm's, the official code's). A family selects the name
/// maps in <see cref="NameMaps"/>; models of other origins (spec files, genotypes) have none.
/// </summary>
public static class ModelFamily
{
    public const string EfficientNet = "efficientnet";
    public const string MobileNetV1 = "mobilenet_v1";
    public const string MobileNetV2 = "mobilenet_v2";
    public const string MobileNetV3 = "mobilenet_v3";
    public const string ShuffleNetV2 = "shufflenet_v2";
    public const string ShuffleNetV1 = "shufflenet_v1";
    public const string GhostNet = "ghostnet";
    public const string MobileNeXt = "mobilenext";
}
