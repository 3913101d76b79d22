using Research.Models.Specs;

namespace Research.Experiments.Config;

/// <summary>Turns a <see cref="ModelRef"/> into a spec for a dataset by the rule both front ends share (<see cref="ModelSource.ResolveFor"/>).</summary>
public static class ModelResolver
{
    /// <param name="model">a registered name, or the full path of a spec file / genotype</param>
    public static NetworkSpec Resolve(ModelRef r, string model, DatasetInfo? dataset) => ModelSource.ResolveFor(model, r.Overrides, dataset?.Shape);
}
