using Research.Models.LatencyTables;

namespace Research.Cli.Benchmarks;

/// <summary>The engines latency tables are measured on, by name.</summary>
public static class LatencyEngines
{
    public const string Libtorch = "libtorch";
    public const string OnnxRuntime = "onnxruntime";
    public static readonly string[] Names = [Libtorch, OnnxRuntime];

    public static ILatencyEngine Create(string name, Device device, int threads) => name switch
    {
        Libtorch => new LibtorchEngine(device),
        OnnxRuntime when device.Type == DeviceType.CUDA => throw new ArgumentException("--engine onnxruntime runs on the CPU here: use --engine libtorch for --device cuda"),
        OnnxRuntime => new OnnxRuntimeEngine(threads),
        _ => throw new ArgumentException($"--engine {name}: one of {string.Join(", ", Names)}"),
    };

    /// <summary>
    /// The machine here as a table's key, for a table measured or compared now: fails naming every key that differs from
    /// <paramref name="table"/>'s when one is given.
    /// </summary>
    public static Dictionary<string, string> Here(ILatencyEngine engine, int threads, int batch, LatencyTable? table)
    {
        var here = MachineKey.Here(engine.Name, engine.Version, engine.Device, threads, batch);
        if (table?.Mismatches(here) is { Count: > 0 } differ)
            throw new ArgumentException($"{table.Source} was measured on another machine, engine or setting ({string.Join("; ", differ)}): " +
                                        "its entries do not compare with measurements here; measure a table here (research bench latency-table)");
        return here;
    }
}
