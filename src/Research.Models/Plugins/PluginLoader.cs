using System.Reflection;
using System.Runtime.Loader;

namespace Research.Models.Plugins;

/// <summary>
/// Loads a plugin assembly given by path (the CLI's <c>--plugin</c>) and runs the registrar its
/// <see cref="ResearchPluginAttribute"/> names against the default registries. A path registers
/// once per process and registries; anything else wrong (not a file, not a .NET assembly, no attribute, a
/// registrar of the wrong shape, a name that exists) is an error naming the file.
/// </summary>
public static class PluginLoader
{
    private static readonly object Gate = new();
    private static readonly HashSet<(PluginRegistries, string)> Loaded = new();

    public static void Load(string path) => Load(path, PluginRegistries.Default);

    public static void Load(string path, PluginRegistries registries)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"--plugin {path}: no such file", path);
        string full = Path.GetFullPath(path);
        lock (Gate)
        {
            if (Loaded.Contains((registries, full))) return;
            Assembly assembly;
            try
            {
                assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(full);
            }
            catch (BadImageFormatException)
            {
                throw new InvalidDataException($"--plugin {path}: not a .NET assembly (give the .dll of a project that references Research.Models)");
            }
            catch (FileLoadException e)
            {
                throw new InvalidDataException($"--plugin {path}: cannot be loaded: {e.Message}");
            }
            var attribute = assembly.GetCustomAttribute<ResearchPluginAttribute>()
                            ?? throw new InvalidDataException($"--plugin {path}: the assembly has no [assembly: ResearchPlugin(typeof(...))] attribute naming its registrar");
            var type = attribute.Registrar;
            if (!typeof(IResearchPlugin).IsAssignableFrom(type) || type.IsAbstract || type.GetConstructor(Type.EmptyTypes) is null)
                throw new InvalidDataException($"--plugin {path}: {type.FullName} must be a class implementing IResearchPlugin with a public parameterless constructor");
            var plugin = (IResearchPlugin)Activator.CreateInstance(type)!;
            try
            {
                plugin.Register(registries);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"--plugin {path}: {e.Message}");
            }
            Loaded.Add((registries, full));
        }
    }
}
