using Research.Models.Networks;
using Research.Models.Specs;

namespace Research.Experiments.Config;

/// <summary>
/// Turns a <see cref="ModelRef"/> into a spec for a dataset, the way `research train` does: a
/// registered model (or a searched genotype) adapts to the dataset's classes, channels and image
/// size; a spec file keeps its own channels and resolution (a scaled member's resolution is the
/// point) and takes the dataset's classes. Explicit overrides win. Without a dataset, the model's
/// own defaults stand (the zoo's: 1000 classes, 3 channels, 224).
/// </summary>
public static class ModelResolver
{
    /// <param name="model">a registered name, or the full path of a spec file / genotype</param>
    public static NetworkSpec Resolve(ModelRef r, string model, DatasetInfo? dataset)
    {
        // Only a YAML spec keeps its own shape; a registered model or a searched genotype (.json) adapts to the dataset.
        bool specFile = model.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || model.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);
        var spec = ModelSource.Resolve(model,
            r.Classes ?? dataset?.Classes,
            r.InChannels ?? (specFile ? null : dataset?.Channels),
            r.WidthMult,
            r.Resolution ?? (specFile ? null : dataset?.Size),
            r.SmallInput);
        if (dataset is not null && spec.Classes < dataset.Classes)
            throw new ArgumentException($"classes {spec.Classes}: {dataset.Name} has {dataset.Classes} classes");
        return spec;
    }
}
