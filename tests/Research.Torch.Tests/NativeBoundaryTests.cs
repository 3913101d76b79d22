using System.Buffers.Binary;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Research.Torch.Tests;

/// <summary>
/// The native boundary is written twice, by hand: the shim's exports (native/*.cpp) and the C#
/// imports (Interop/Native.*.cs). This reads the built library's exported rt_* functions from its
/// ELF dynamic symbol table and the [DllImport] declarations from the assembly, and fails on any
/// export without a binding or binding without an export.
/// </summary>
public class NativeBoundaryTests
{
    private static string Library => Path.Combine(AppContext.BaseDirectory, "libresearch_torch.so");

    [Fact]
    public void EveryExportHasABindingAndEveryBindingAnExport()
    {
        var exports = ElfDynamicFunctions(Library).Where(n => n.StartsWith("rt_", StringComparison.Ordinal)).ToHashSet();
        var imports = typeof(Tensor).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Import: m.GetCustomAttribute<DllImportAttribute>()))
            .Where(x => x.Import is { Value: "research_torch" })
            .Select(x => x.Import!.EntryPoint ?? x.Method.Name)
            .ToHashSet();
        Assert.True(exports.Count > 100, $"only {exports.Count} rt_* exports read from {Library}");
        var unbound = exports.Except(imports).Order().ToList();
        var missing = imports.Except(exports).Order().ToList();
        Assert.True(unbound.Count == 0, $"exported by the shim but not bound in C#: {string.Join(", ", unbound)}");
        Assert.True(missing.Count == 0, $"bound in C# but not exported by the shim: {string.Join(", ", missing)}");
    }

    /// <summary>Names of the defined global functions in an ELF64 little-endian file's .dynsym (what the dynamic linker can bind).</summary>
    internal static List<string> ElfDynamicFunctions(string path)
    {
        var elf = File.ReadAllBytes(path);
        Assert.True(elf.Length > 64 && elf[0] == 0x7f && elf[1] == 'E' && elf[2] == 'L' && elf[3] == 'F', $"{path} is not an ELF file");
        Assert.True(elf[4] == 2 && elf[5] == 1, $"{path}: expected ELF64 little-endian");
        ulong U64(int at) => BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(at));
        uint U32(int at) => BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(at));
        ushort U16(int at) => BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(at));
        int sectionHeaders = (int)U64(0x28), headerSize = U16(0x3A), count = U16(0x3C);
        int Section(int index) => sectionHeaders + index * headerSize;
        const uint DynamicSymbols = 11;
        const int Function = 2, Global = 1, Weak = 2;
        var names = new List<string>();
        for (int i = 0; i < count; i++)
        {
            int sh = Section(i);
            if (U32(sh + 4) != DynamicSymbols) continue;
            int symbols = (int)U64(sh + 0x18), size = (int)U64(sh + 0x20), entry = (int)U64(sh + 0x38);
            int strings = (int)U64(Section((int)U32(sh + 0x28)) + 0x18);
            for (int at = symbols; at + entry <= symbols + size; at += entry)
            {
                byte info = elf[at + 4];
                ushort sectionIndex = U16(at + 6);
                if (sectionIndex == 0 || (info & 0xf) != Function || (info >> 4) is not (Global or Weak)) continue;
                int name = strings + (int)U32(at);
                int end = Array.IndexOf(elf, (byte)0, name);
                names.Add(System.Text.Encoding.ASCII.GetString(elf, name, end - name));
            }
        }
        return names;
    }
}
