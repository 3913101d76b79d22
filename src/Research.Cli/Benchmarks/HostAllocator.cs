namespace Research.Cli.Benchmarks;

/// <summary>The glibc thresholds the native shim sets when it loads (native/runtime.cpp), for child processes.</summary>
internal static class HostAllocator
{
    public const long MmapThreshold = 32L << 20;
    public const long TrimThreshold = 1L << 30;
}
