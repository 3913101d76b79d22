using Research.Models.Specs;
using Research.Models.Zoo;

namespace Research.Models.Networks;

/// <summary>Resolves what a user names as a model: a registered name, a spec file (.yaml/.yml) or a genotype file (.json).</summary>
public static class ModelSource
{
    /// <summary>A spec file (.yaml/.yml) or a genotype file (.json) rather than a registered name.</summary>
    public static bool IsSpecFile(string nameOrPath) =>
        nameOrPath.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || nameOrPath.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) ||
        Cells.GenotypeFile.IsGenotypeFile(nameOrPath);

    /// <summary>
    /// The spec for a name or file; each non-null argument overrides it (for registered models the
    /// zoo's defaults are 1000 classes, 3 channels, width 1). A width multiplier needs a registered model.
    /// </summary>
    public static NetworkSpec Resolve(string nameOrPath, int? classes = null, int? inChannels = null, double? widthMultiplier = null,
        int? resolution = null, bool? smallInput = null, ModelRegistry? registry = null)
    {
        if (!IsSpecFile(nameOrPath))
            return (registry ?? ModelRegistry.Default).Create(nameOrPath, new ModelOptions
            {
                Classes = classes ?? 1000, InChannels = inChannels ?? 3, WidthMultiplier = widthMultiplier ?? 1.0,
                Resolution = resolution, SmallInput = smallInput ?? false,
            });
        if (widthMultiplier is { } w && w != 1.0)
            throw new ArgumentException($"{nameOrPath}: --width-mult applies to registered models; scale a spec file with `research scale`");
        var spec = Cells.GenotypeFile.IsGenotypeFile(nameOrPath) ? Cells.GenotypeFile.Load(nameOrPath).ToSpec() : SpecYaml.Load(nameOrPath);
        spec = spec with
        {
            Classes = classes ?? spec.Classes,
            InChannels = inChannels ?? spec.InChannels,
            Resolution = resolution ?? spec.Resolution,
            SmallInput = smallInput ?? spec.SmallInput,
        };
        try
        {
            return spec.Validate();
        }
        catch (SpecFormatException e)
        {
            throw new SpecFormatException($"{nameOrPath}: {e.Message}");
        }
    }
}
