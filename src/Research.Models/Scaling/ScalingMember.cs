namespace Research.Models.Scaling;

/// <summary>One member of a family: its multipliers, resolution and dropout (e.g. EfficientNet-B3: 1.2, 1.4, 300, 0.3).</summary>
public sealed record ScalingMember(string Name, double Phi, double WidthMultiplier, double DepthMultiplier, int Resolution, double Dropout);
