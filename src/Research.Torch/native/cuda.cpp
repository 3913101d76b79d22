// CUDA-only entry points: caching-allocator statistics, the device generator's state, side
// streams, and CUDA graphs. Compiled only against a libtorch with CUDA (CMakeLists.txt picks
// this file or cuda_absent.cpp, which has the same exports and says CUDA is absent).
// Written against libtorch 1.13 and 2.x alike: only calls whose signatures both share.
#include "shim.h"

#include <ATen/cuda/CUDAContext.h>
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGeneratorImpl.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include <mutex>

RT_API bool rt_cuda_built() { return true; }

// Statistic index 0 is the aggregate over small and large pools (StatType::AGGREGATE) in every version.
RT_FN(rt_cuda_memory_allocated, (int32_t device, int64_t* out),
      *out = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(device)).allocated_bytes[0].current)
RT_FN(rt_cuda_max_memory_allocated, (int32_t device, int64_t* out),
      *out = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(device)).allocated_bytes[0].peak)
RT_FN(rt_cuda_memory_reserved, (int32_t device, int64_t* out),
      *out = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(device)).reserved_bytes[0].current)
RT_FN(rt_cuda_reset_peak_memory_stats, (int32_t device), c10::cuda::CUDACachingAllocator::resetPeakStats(static_cast<c10::DeviceIndex>(device)))
RT_FN(rt_cuda_empty_cache, (), c10::cuda::CUDACachingAllocator::emptyCache())

// The device generator's state as a CPU uint8 tensor, and back (torch.cuda.get_rng_state / set_rng_state).
RT_FN(rt_cuda_rng_get_state, (int32_t device, TH* out), {
  auto gen = at::cuda::detail::getDefaultCUDAGenerator(static_cast<c10::DeviceIndex>(device));
  std::lock_guard<std::mutex> lock(gen.mutex());
  *out = rt::wrap(gen.get_state());
})
RT_FN(rt_cuda_rng_set_state, (int32_t device, TH state), {
  auto gen = at::cuda::detail::getDefaultCUDAGenerator(static_cast<c10::DeviceIndex>(device));
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(*state);
})

namespace {
// A side stream made current, as torch.cuda.stream(s): it first waits for the work already queued,
// and on leaving the previous stream waits for the side stream's work.
struct SideStream {
  c10::cuda::CUDAStream previous;
  c10::cuda::CUDAStream side;
  c10::cuda::CUDAStreamGuard guard;
  explicit SideStream(c10::DeviceIndex device)
      : previous(c10::cuda::getCurrentCUDAStream(device)), side(c10::cuda::getStreamFromPool(false, device)), guard(side) {
    at::cuda::CUDAEvent ready;
    ready.record(previous);
    ready.block(side);
  }
  ~SideStream() {
    at::cuda::CUDAEvent done;
    done.record(side);
    done.block(previous);
  }
};
}  // namespace

RT_FN(rt_cuda_side_stream_enter, (int32_t device, void** out), *out = new SideStream(static_cast<c10::DeviceIndex>(device)))
RT_FN(rt_cuda_side_stream_exit, (void* s), delete static_cast<SideStream*>(s))

// CUDA graphs (at::cuda::CUDAGraph): capture on a side stream, then replay; tensors used in the
// capture keep their addresses, so inputs are copied into them before each replay.
RT_FN(rt_cuda_graph_new, (void** out), *out = new at::cuda::CUDAGraph())
RT_API void rt_cuda_graph_free(void* g) { delete static_cast<at::cuda::CUDAGraph*>(g); }
RT_FN(rt_cuda_graph_capture_begin, (void* g), static_cast<at::cuda::CUDAGraph*>(g)->capture_begin())
RT_FN(rt_cuda_graph_capture_end, (void* g), static_cast<at::cuda::CUDAGraph*>(g)->capture_end())
RT_FN(rt_cuda_graph_replay, (void* g), static_cast<at::cuda::CUDAGraph*>(g)->replay())
