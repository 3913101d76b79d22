using Research.Models.Zoo;

namespace Research.Models.Plugins;

/// <summary>The registries a plugin adds to: each throws on a name that exists.</summary>
public sealed record PluginRegistries(BlockKindRegistry BlockKinds, CellOpFormRegistry OpForms, ModelRegistry Models)
{
    /// <summary>The process-wide registries that specs, spaces, the zoo and the exporter read.</summary>
    public static PluginRegistries Default { get; } = new(BlockKindRegistry.Default, CellOpFormRegistry.Default, ModelRegistry.Default);
}
