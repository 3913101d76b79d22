namespace Research.Torch;

public static partial class torch
{
    /// <summary>
    /// Mixed precision for the ops run inside the scope: matmuls and convolutions in
    /// <paramref name="dtype"/> (bfloat16 by default), reductions and losses in float32.
    /// On CPU it does nothing unless asked for explicitly with DeviceType.CPU.
    /// </summary>
    public static AutocastScope autocast(DeviceType device_type, ScalarType dtype = ScalarType.BFloat16, bool enabled = true) =>
        new(device_type, dtype, enabled);

    public static bool is_autocast_enabled(DeviceType device_type = DeviceType.CUDA) => Native.rt_autocast_is_enabled((int)device_type);

    /// <summary>The type autocast runs matmuls and convolutions in on this thread (whether or not it is enabled).</summary>
    public static ScalarType get_autocast_dtype(DeviceType device_type) => (ScalarType)Native.rt_autocast_get_dtype((int)device_type);

    /// <summary>Whether autocast keeps its casts of leaf tensors (weights) for the rest of a region; off while capturing a CUDA graph.</summary>
    public static bool autocast_cache_enabled
    {
        get => Native.rt_autocast_is_cache_enabled();
        set => Native.rt_autocast_set_cache_enabled(value);
    }

    public static partial class random
    {
        /// <summary>The CPU generator's state (a uint8 tensor), for checkpoints.</summary>
        public static Tensor get_rng_state()
        {
            Native.Check(Native.rt_cpu_rng_get_state(out var r));
            return new Tensor(r);
        }

        public static void set_rng_state(Tensor state)
        {
            Native.Check(Native.rt_cpu_rng_set_state(state.Handle));
            GC.KeepAlive(state);
        }
    }
}

/// <summary>Enables autocast on this thread; Dispose restores the previous setting (on/off and dtype) and drops cached casts.</summary>
public sealed class AutocastScope : IDisposable
{
    private readonly DeviceType _device;
    private readonly bool _previous;
    private readonly ScalarType _previousDtype;
    private bool _disposed;

    internal AutocastScope(DeviceType device, ScalarType dtype, bool enabled)
    {
        if (dtype is not (ScalarType.BFloat16 or ScalarType.Float16))
            throw new ArgumentException($"autocast dtype must be bfloat16 or float16, not {dtype.Name()}", nameof(dtype));
        _device = device;
        _previous = Native.rt_autocast_is_enabled((int)device);
        _previousDtype = torch.get_autocast_dtype(device);
        Native.Check(Native.rt_autocast_set((int)device, enabled, (int)dtype));
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Native.Check(Native.rt_autocast_set((int)_device, _previous, (int)_previousDtype));
        if (!_previous) Native.Check(Native.rt_autocast_clear_cache());
    }
}
