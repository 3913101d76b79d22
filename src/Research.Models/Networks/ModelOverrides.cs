using Research.Core.Settings;

namespace Research.Models.Networks;

/// <summary>
/// What a user may change about a named model: its classes, input channels, resolution, width
/// and a small-input stem. Null keeps what <see cref="ModelSource.ResolveFor"/> decides (see its rule).
/// </summary>
public sealed record ModelOverrides : ISettingsRecord<ModelOverrides>
{
    public int? Classes { get; init; }
    public int? InChannels { get; init; }
    public int? Resolution { get; init; }
    /// <summary>Width multiplier of a registered family that has one.</summary>
    public double? WidthMult { get; init; }
    /// <summary>Stride-1 stem without max-pool, for 28x28/32x32 images (false keeps the model's own stem).</summary>
    public bool SmallInput { get; init; }

    public static SettingSet<ModelOverrides> Settings { get; } = new SettingSet<ModelOverrides>(new ModelOverrides(), "model")
        .OptionalInteger("classes", "output classes", "the dataset's", r => r.Classes, (r, v) => r with { Classes = v }, min: 1)
        .OptionalInteger("in_channels", "input channels", "the dataset's; a spec file keeps its own", r => r.InChannels, (r, v) => r with { InChannels = v },
            min: 1)
        .OptionalInteger("resolution", "input height and width", "the dataset's image size; a spec file keeps its own", r => r.Resolution,
            (r, v) => r with { Resolution = v }, min: 8, max: 100_000)
        .OptionalNumber("width_mult", "width multiplier (registered families that have one)", "the family's own, 1", r => r.WidthMult,
            (r, v) => r with { WidthMult = v }, new SettingRange(0, 10, MinExclusive: true))
        .Flag("small_input", "stride-1 stem without max-pool, for 28x28/32x32 images", r => r.SmallInput, (r, v) => r with { SmallInput = v });

    public ModelOverrides Validate() => Settings.Validate(this);
}
