using Research.Torch.Interop;

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
    }
}
