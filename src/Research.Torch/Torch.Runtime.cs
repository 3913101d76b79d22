namespace Research.Torch;

/// <summary>Process-wide settings: versions, threads, seeds, determinism, grad mode, scopes.</summary>
public static unsafe partial class torch
{
    /// <summary>Opens a scope that frees the tensors created in it when disposed.</summary>
    public static DisposeScope NewDisposeScope() => DisposeScopeManager.Push();

    /// <summary>libtorch's version, e.g. 1.13.1.</summary>
    public static string version => Marshal.PtrToStringUTF8(Native.rt_version()) ?? "unknown";

    /// <summary>libtorch's build configuration (compiler, BLAS, oneDNN, CUDA...).</summary>
    public static string show_config()
    {
        Native.Check(Native.rt_config(null, 0, out var needed));
        var buf = new byte[needed];
        fixed (byte* p = buf) Native.Check(Native.rt_config(p, buf.Length, out _));
        return System.Text.Encoding.UTF8.GetString(buf, 0, (int)needed - 1);
    }

    /// <summary>
    /// True when the binding told glibc to keep freed tensor memory instead of returning it to the
    /// kernel (done when the native library loads; RESEARCH_MALLOC=system turns it off).
    /// </summary>
    public static bool host_allocator_tuned => Native.rt_host_allocator_tuned() != 0;

    /// <summary>
    /// The glibc settings the binding makes when tuned (mmap threshold and trim threshold in bytes, and
    /// how many blocks may be mapped of their own: none), e.g. to give a child process the same policy
    /// through MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_ and MALLOC_MMAP_MAX_.
    /// </summary>
    public static (long mmap, long trim, long mmapMax) host_allocator_thresholds
    {
        get
        {
            Native.rt_host_allocator_thresholds(out var m, out var t, out var max);
            return (m, t, max);
        }
    }

    /// <summary>
    /// Undoes the retaining policy for the rest of the process: glibc's 128 KiB mmap and trim
    /// thresholds and mappings allowed again, so freed memory leaves the resident set (for measuring peaks phase by phase).
    /// False where the allocator is not glibc's.
    /// </summary>
    public static bool host_allocator_use_direct_mapping() => Native.rt_host_allocator_use_direct_mapping();

    public static int get_num_threads() => Native.rt_get_num_threads();

    public static void set_num_threads(int n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "thread count must be at least 1");
        Native.Check(Native.rt_set_num_threads(n));
    }

    public static int get_num_interop_threads()
    {
        Native.Check(Native.rt_get_num_interop_threads(out var n));
        return n;
    }

    /// <summary>Seeds the CPU generator and, when CUDA is present, every CUDA generator.</summary>
    public static void manual_seed(long seed) => Native.Check(Native.rt_manual_seed(unchecked((ulong)seed)));

    public static void use_deterministic_algorithms(bool on, bool warn_only = false) =>
        Native.Check(Native.rt_set_deterministic(on, warn_only));

    public static bool are_deterministic_algorithms_enabled() => Native.rt_get_deterministic();

    public static bool is_grad_enabled() => Native.rt_grad_enabled();

    public static void set_grad_enabled(bool on) => Native.rt_set_grad_enabled(on);

    /// <summary>Disables gradient recording on this thread until disposed (then restores).</summary>
    public static GradModeScope no_grad() => new(false);

    public static GradModeScope enable_grad() => new(true);

    public static partial class random
    {
        public static void manual_seed(long seed) => torch.manual_seed(seed);
    }

    // libtorch defaults to the physical cores; the design says all cores unless the user chose.
    internal static void DefaultThreads()
    {
        if (Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is null && File.Exists(Path.Combine(AppContext.BaseDirectory, "libresearch_torch.so")))
        {
            try
            {
                Native.rt_set_num_threads(Environment.ProcessorCount);
            }
            catch (DllNotFoundException)
            {
                // Reported with a clear message at the first real use.
            }
        }
    }
}

/// <summary>Sets grad mode on this thread and restores the previous mode on Dispose.</summary>
public readonly struct GradModeScope : IDisposable
{
    private readonly bool _previous;

    internal GradModeScope(bool enabled)
    {
        _previous = Native.rt_grad_enabled();
        Native.rt_set_grad_enabled(enabled);
    }

    public void Dispose() => Native.rt_set_grad_enabled(_previous);
}
