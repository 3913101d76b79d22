namespace Research.Models.Tests;

/// <summary>
/// Tests that seed torch's global generator and compare what it draws: they run alone, after the
/// parallel ones, so that no other test draws numbers in between.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialRngCollection
{
    public const string Name = "Serial RNG";
}
