namespace Research.Models.Zoo;

/// <summary>What a registered model is built for: classes, input channels, width, resolution, small inputs.</summary>
public sealed record ModelOptions
{
    public int Classes { get; init; } = 1000;
    public int InChannels { get; init; } = 3;
    public double WidthMultiplier { get; init; } = 1.0;
    public int? Resolution { get; init; }
    public bool SmallInput { get; init; }

    public void Validate(string model)
    {
        if (Classes < 1) throw new ArgumentException($"{model}: classes {Classes} must be >= 1");
        if (InChannels < 1) throw new ArgumentException($"{model}: in_channels {InChannels} must be >= 1");
        if (!(WidthMultiplier > 0) || WidthMultiplier > 10) throw new ArgumentException($"{model}: width multiplier {WidthMultiplier} must be in (0, 10]");
        if (Resolution is < 8) throw new ArgumentException($"{model}: resolution {Resolution} must be >= 8");
    }
}
