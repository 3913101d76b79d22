using Research.Models.Zoo;

namespace Research.Models.Networks;

/// <summary>Resolves what a user names as a model: a registered name, a spec file (.yaml/.yml) or a genotype file (.json).</summary>
public static class ModelSource
{
    /// <summary>
    /// The spec for training on data of a given shape, by the one rule both front ends follow: a
    /// registered model and a searched genotype (.json, whose cells work at any input size) adapt
    /// to the data's channels and image size; a spec file (.yaml) keeps its own channels and
    /// resolution (a scaled member's resolution is the point); classes come from the data; an
    /// override wins over all of it. Without data the model's own defaults stand (the zoo's: 1000
    /// classes, 3 channels, 224).
    /// </summary>
    public static NetworkSpec ResolveFor(string model, ModelOverrides overrides, InputShape? data)
    {
        overrides.Validate();
        bool keepsShape = IsYamlSpec(model);
        var spec = Resolve(model, overrides.Classes ?? data?.Classes, overrides.InChannels ?? (keepsShape ? null : data?.Channels), overrides.WidthMult,
            overrides.Resolution ?? (keepsShape ? null : data?.Size), overrides.SmallInput ? true : null);
        if (data is not null && spec.Classes < data.Classes)
            throw new ArgumentException($"classes {spec.Classes}: {data.Name} has {data.Classes} classes");
        return spec;
    }

    /// <summary>A network spec file (.yaml/.yml).</summary>
    public static bool IsYamlSpec(string nameOrPath) =>
        nameOrPath.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || nameOrPath.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

    /// <summary>A spec file (.yaml/.yml) or a genotype file (.json) rather than a registered name.</summary>
    public static bool IsSpecFile(string nameOrPath) => IsYamlSpec(nameOrPath) || Cells.GenotypeFile.IsGenotypeFile(nameOrPath);

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
            throw new ArgumentException($"{nameOrPath}: width_mult applies to registered models; scale a spec file with `research scale`");
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
