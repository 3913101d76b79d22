namespace Research.Torch.Tests;

/// <summary>
/// Tests that seed libtorch's global CPU generator and depend on the exact numbers it draws
/// (learning, checkpoint resume) run in this collection: alone, after the parallel ones, so
/// no other test draws from the generator in between.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialRngCollection
{
    public const string Name = "Global CPU RNG (serial)";
}
