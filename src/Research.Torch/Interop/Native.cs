using System.Reflection;
using System.Runtime.CompilerServices;

namespace Research.Torch.Interop;

/// <summary>
/// The C ABI of native/ (libresearch_torch.so). Each op returns an error pointer
/// (zero on success) and its result through out-parameters; <see cref="Check"/>
/// turns an error into a <see cref="TorchException"/>.
/// </summary>
internal static partial class Native
{
    internal const string Lib = "research_torch";

    // The one module initializer: the resolver must exist before any native call.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize()
    {
        NativeLibrary.SetDllImportResolver(typeof(Native).Assembly, Resolve);
        torch.DefaultThreads();
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Lib) return IntPtr.Zero;
        var file = Path.Combine(AppContext.BaseDirectory, "libresearch_torch.so");
        if (!File.Exists(file))
            throw new DllNotFoundException(
                $"{file} is missing: build the project with `dotnet build` (it compiles the native shim; needs cmake, g++ and libtorch-dev).");
        try
        {
            return NativeLibrary.Load(file);
        }
        catch (DllNotFoundException e)
        {
            throw new DllNotFoundException(
                $"{file} could not be loaded (is libtorch installed? apt-get install libtorch-dev): {e.Message}", e);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Check(IntPtr error)
    {
        if (error != IntPtr.Zero) Throw(error);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(IntPtr error) =>
        throw new TorchException(Marshal.PtrToStringUTF8(error) ?? "libtorch error");
}
