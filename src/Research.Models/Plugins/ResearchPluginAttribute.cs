namespace Research.Models.Plugins;

/// <summary>
/// Names the class of an assembly that registers its block kinds, op forms and models
/// (<c>[assembly: ResearchPlugin(typeof(MyPlugin))]</c>). The loader finds it by this attribute
/// alone: nothing is scanned, and a class that is not named is never run.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false)]
public sealed class ResearchPluginAttribute(Type registrar) : Attribute
{
    /// <summary>A public class with a parameterless constructor implementing <see cref="IResearchPlugin"/>.</summary>
    public Type Registrar { get; } = registrar;
}
