using System.Globalization;

namespace Research.Search.Darts;

/// <summary>
/// The process's peak resident memory (Linux VmHWM), resettable so one process can measure
/// several phases. Large allocations are mapped and unmapped directly (a fixed glibc mmap
/// threshold), so memory freed by one phase leaves the resident set instead of hiding the next
/// phase's growth.
/// </summary>
public static class PeakMemory
{
    /// <summary>
    /// Fixes glibc's mmap and trim thresholds at 128 KiB (through the binding; no effect elsewhere),
    /// undoing its retaining allocator setting for this process so freed phases leave the resident set.
    /// </summary>
    public static void UseDirectMapping() => Research.Torch.torch.host_allocator_use_direct_mapping();

    /// <summary>Peak resident set size in MiB (0 where /proc is unavailable).</summary>
    public static double PeakMiB() => Read("VmHWM:");

    /// <summary>Current resident set size in MiB.</summary>
    public static double CurrentMiB() => Read("VmRSS:");

    /// <summary>Resets the peak to the current size (Linux 4.0+: clear_refs 5); false if not possible.</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static double Read(string key)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith(key, StringComparison.Ordinal))
                    return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException)
        {
        }
        return 0;
    }
}
