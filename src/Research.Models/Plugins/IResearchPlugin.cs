namespace Research.Models.Plugins;

/// <summary>A user's extension: registers its own block kinds, op forms and zoo models.</summary>
public interface IResearchPlugin
{
    void Register(PluginRegistries registries);
}
