namespace Research.Torch;

public static partial class torch
{
    /// <summary>CUDA queries; all are runtime checks, so they answer false/0 on a CPU-only libtorch.</summary>
    public static class cuda
    {
        public static bool is_available() => Native.rt_cuda_is_available();

        public static int device_count() => (int)Native.rt_cuda_device_count();

        public static bool cudnn_is_available() => Native.rt_cudnn_is_available();

        /// <summary>Waits for all kernels on the device (-1: the current one).</summary>
        public static void synchronize(int device = -1)
        {
            if (!is_available()) throw new TorchException("cuda.synchronize: no CUDA device is available");
            Native.Check(Native.rt_cuda_synchronize(device));
        }

        public static void manual_seed_all(long seed) => torch.manual_seed(seed);

        /// <summary>cuDNN autotuning for fixed input shapes.</summary>
        public static void set_cudnn_benchmark(bool on) => Native.Check(Native.rt_cudnn_set_benchmark(on));

        /// <summary>Whether the shim was built against a CUDA libtorch (memory statistics, CUDA RNG state and graphs need it).</summary>
        public static bool is_built() => Native.rt_cuda_built();

        /// <summary>Bytes the caching allocator has handed out on the device now (torch.cuda.memory_allocated).</summary>
        public static long memory_allocated(int device = 0)
        {
            Native.Check(Native.rt_cuda_memory_allocated(device, out var bytes));
            return bytes;
        }

        /// <summary>The peak of <see cref="memory_allocated"/> since the start or the last <see cref="reset_peak_memory_stats"/>.</summary>
        public static long max_memory_allocated(int device = 0)
        {
            Native.Check(Native.rt_cuda_max_memory_allocated(device, out var bytes));
            return bytes;
        }

        /// <summary>Bytes the caching allocator holds from the driver (torch.cuda.memory_reserved).</summary>
        public static long memory_reserved(int device = 0)
        {
            Native.Check(Native.rt_cuda_memory_reserved(device, out var bytes));
            return bytes;
        }

        public static void reset_peak_memory_stats(int device = 0) => Native.Check(Native.rt_cuda_reset_peak_memory_stats(device));

        /// <summary>Returns cached, unused blocks to the driver (torch.cuda.empty_cache).</summary>
        public static void empty_cache() => Native.Check(Native.rt_cuda_empty_cache());

        /// <summary>The device generator's state (a CPU uint8 tensor; the caller owns it).</summary>
        public static Tensor get_rng_state(int device = 0)
        {
            Native.Check(Native.rt_cuda_rng_get_state(device, out var state));
            return new Tensor(state);
        }

        public static void set_rng_state(Tensor state, int device = 0)
        {
            Native.Check(Native.rt_cuda_rng_set_state(device, state.Handle));
            GC.KeepAlive(state);
        }

        /// <summary>
        /// Makes a fresh side stream current until disposed (torch.cuda.stream): it first waits for the
        /// work queued so far, and the previous stream waits for its work when it ends.
        /// </summary>
        public static IDisposable side_stream(int device = 0)
        {
            Native.Check(Native.rt_cuda_side_stream_enter(device, out var stream));
            return new SideStream(stream);
        }

        private sealed class SideStream(IntPtr handle) : IDisposable
        {
            private IntPtr _handle = handle;

            public void Dispose()
            {
                var h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
                if (h != IntPtr.Zero) Native.Check(Native.rt_cuda_side_stream_exit(h));
            }
        }
    }
}
