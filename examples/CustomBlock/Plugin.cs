using Research.Models.Plugins;

[assembly: ResearchPlugin(typeof(CustomBlock.Plugin))]

namespace CustomBlock;

/// <summary>What `--plugin CustomBlock.dll` runs: registers the fm kind in the registries the CLI reads.</summary>
public sealed class Plugin : IResearchPlugin
{
    public static readonly FusedMBConvKind Kind = new();

    public void Register(PluginRegistries registries) => registries.BlockKinds.Register(Kind);
}
