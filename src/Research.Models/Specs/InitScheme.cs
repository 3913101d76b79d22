namespace Research.Models.Specs;

/// <summary>How weights start, following each family's reference implementation.</summary>
public enum InitScheme
{
    /// <summary>PyTorch's layer defaults (ShuffleNetV2, GhostNet).</summary>
    Default,
    /// <summary>Conv kaiming-normal (fan-out), BN (1, 0), Linear N(0, 0.01), zero biases (MobileNetV2/V3, MobileNeXt).</summary>
    MobileNet,
    /// <summary>Conv kaiming-normal (fan-out), BN (1, 0), Linear U(±1/√out), zero biases (EfficientNet).</summary>
    EfficientNet,
}
