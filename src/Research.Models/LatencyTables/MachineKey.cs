using System.Globalization;

namespace Research.Models.LatencyTables;

/// <summary>
/// What a latency table was measured on, written in the table: the CPU (or GPU), the threads, the engine and its version,
/// the device and the batch. A table predicts for its own machine; measuring here against a table from elsewhere is refused.
/// </summary>
public static class MachineKey
{
    /// <summary>The keys that must agree for a measurement here to be compared with the table's entries.</summary>
    public static readonly string[] Compared = ["cpu", "cpu_extensions", "device", "engine", "engine_version", "threads", "batch"];

    /// <summary>Keys that tables written before them lack: compared only where both sides have them (an older table stays usable).</summary>
    public static readonly string[] AddedLater = ["cpu_extensions"];

    public static Dictionary<string, string> Here(string engine, string engineVersion, Device device, int threads, int batch) => new(StringComparer.Ordinal)
    {
        ["cpu"] = CpuModel(),
        // Two CPUs of one model name can run other kernels at other speeds (see VectorExtensions).
        ["cpu_extensions"] = VectorExtensions(),
        ["device"] = device.ToString(),
        ["engine"] = engine,
        ["engine_version"] = engineVersion,
        ["threads"] = threads.ToString(CultureInfo.InvariantCulture),
        ["batch"] = batch.ToString(CultureInfo.InvariantCulture),
        ["libtorch"] = torch.version,
        ["cores"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The CPU's model name (/proc/cpuinfo), or the architecture where that is not readable.</summary>
    public static string CpuModel() => CpuInfo("model name") ?? System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();

    /// <summary>
    /// The vector extensions of <see cref="Extensions"/> that this CPU's /proc/cpuinfo flags list, space-separated ("" where not
    /// readable). They choose which kernels oneDNN and OpenBLAS run, and so the order of a run's floating-point sums: two machines
    /// that both print the model name "AMD EPYC" ran the first epoch of study 1's base to other digits with the same code.
    /// </summary>
    public static string VectorExtensions()
    {
        var flags = (CpuInfo("flags") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        return string.Join(' ', Extensions.Where(flags.Contains));
    }

    /// <summary>The value of the first /proc/cpuinfo line of this field (its first processor's), or null where there is none.</summary>
    private static string? CpuInfo(string field)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith(field, StringComparison.Ordinal) && line.IndexOf(':') is var i and > 0)
                    return line[(i + 1)..].Trim();
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return null;
    }

    /// <summary>The x86 extensions that decide the kernels, in the order the ISA levels add them (Linux's flag names).</summary>
    public static readonly string[] Extensions =
        ["sse4_2", "avx", "avx2", "fma", "avx_vnni", "avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_int8", "amx_bf16"];
}
