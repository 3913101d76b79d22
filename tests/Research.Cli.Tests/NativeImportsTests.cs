using System.Reflection;
using System.Runtime.InteropServices;

namespace Research.Cli.Tests;

public class NativeImportsTests
{
    /// <summary>docs/ARCHITECTURE.md, the native boundary: only Research.Torch touches native code; Research.Core's LibC (a folder's fsync: open/fsync/close; a path's file type: statx) is the one exception.</summary>
    [Fact]
    public void OnlyTheBindingDeclaresNativeImports()
    {
        var assemblies = new[] { "Research.Core", "Research.Models", "Research.Training", "Research.Search", "Research.Experiments", "research" }
            .Select(name => Assembly.LoadFrom(Path.Combine(AppContext.BaseDirectory, name + ".dll"))).ToList();
        var imports = assemblies.SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Import: m.GetCustomAttribute<DllImportAttribute>()))
            .Where(x => x.Import is not null)
            .Select(x => $"{x.Method.DeclaringType!.Assembly.GetName().Name}:{x.Import!.Value}:{x.Method.Name}")
            .Order().ToList();
        Assert.Equal(["Research.Core:libc:close", "Research.Core:libc:fsync", "Research.Core:libc:open", "Research.Core:libc:statx"], imports);
    }
}
