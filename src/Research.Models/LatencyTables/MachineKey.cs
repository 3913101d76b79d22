using System.Globalization;

namespace Research.Models.LatencyTables;

/// <summary>
/// What a latency table was measured on, written in the table: the CPU (or GPU), the threads, the engine and its version,
/// the device and the batch. A table predicts for its own machine; measuring here against a table from elsewhere is refused.
/// </summary>
public static class MachineKey
{
    /// <summary>The keys that must agree for a measurement here to be compared with the table's entries.</summary>
    public static readonly string[] Compared = ["cpu", "device", "engine", "engine_version", "threads", "batch"];

    public static Dictionary<string, string> Here(string engine, string engineVersion, Device device, int threads, int batch) => new(StringComparer.Ordinal)
    {
        ["cpu"] = CpuModel(),
        ["device"] = device.ToString(),
        ["engine"] = engine,
        ["engine_version"] = engineVersion,
        ["threads"] = threads.ToString(CultureInfo.InvariantCulture),
        ["batch"] = batch.ToString(CultureInfo.InvariantCulture),
        ["libtorch"] = torch.version,
        ["cores"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The CPU's model name (/proc/cpuinfo), or the architecture where that is not readable.</summary>
    public static string CpuModel()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is var i and > 0)
                    return line[(i + 1)..].Trim();
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
    }
}
