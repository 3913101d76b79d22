// Process-wide state: errors, handle lifetime, version, threads, seeds, CUDA queries.
// CUDA is reached only through runtime checks (at::hasCUDA, torch::cuda::*), so
// this file compiles against CPU and CUDA builds of libtorch alike.
#include "shim.h"

#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <ATen/autocast_mode.h>
#include <ATen/CPUGeneratorImpl.h>

#include <mutex>
#include <torch/cuda.h>
#include <torch/version.h>

#include <cstdlib>
#include <cstring>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace rt {
const char* set_error(const char* msg) {
  static thread_local std::string last;
  last = (msg && *msg) ? msg : "libtorch raised an error with no message";
  return last.c_str();
}
}  // namespace rt

RT_API void rt_free(TH t) { delete t; }
RT_API void rt_list_free(TL l) { delete l; }
RT_API int64_t rt_list_size(TL l) { return static_cast<int64_t>(l->size()); }
// Moves element i out into a new handle the caller owns.
RT_API TH rt_list_take(TL l, int64_t i) { return rt::wrap(std::move((*l)[static_cast<size_t>(i)])); }

// glibc serves blocks above its mmap threshold (128 KiB, raised only as such blocks are freed, and
// never above 32 MiB) with fresh mappings and trims freed heap above 128 KiB, so a training step's
// activations are page-faulted in again every step: a third of CPU time went to the kernel on a
// cell network, and at 64x64 with batch 128 (activations of 100-200 MiB, past any threshold) a
// MobileNetV2 epoch ran 3x slower (116,000 page faults a second). Keeping freed memory in the heap
// and never mapping blocks of their own (as jemalloc or tcmalloc would) makes the steps' memory
// reused; the resident set stays at the run's peak. Runs once, when the shim loads;
// RESEARCH_MALLOC=system or any MALLOC_* / GLIBC_TUNABLES setting of the user's own leaves glibc's
// defaults alone.
namespace {
// 32 MiB is the largest mmap threshold glibc accepts; with no mappings allowed it only stops the
// threshold's own adjusting.
constexpr int kMmapThreshold = 32 << 20;
constexpr int kTrimThreshold = 1 << 30;
constexpr int kMmapMax = 0;
// glibc's own default of M_MMAP_MAX.
constexpr int kDefaultMmapMax = 65536;

int tune_host_allocator() {
#if defined(__GLIBC__)
  const char* policy = std::getenv("RESEARCH_MALLOC");
  if (policy && std::strcmp(policy, "system") == 0) return 0;
  for (const char* v : {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_MAX_", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES"})
    if (std::getenv(v)) return 0;
  bool ok = mallopt(M_MMAP_THRESHOLD, kMmapThreshold) == 1;
  ok = mallopt(M_TRIM_THRESHOLD, kTrimThreshold) == 1 && ok;
  ok = mallopt(M_MMAP_MAX, kMmapMax) == 1 && ok;
  return ok ? 1 : 0;
#else
  return 0;
#endif
}
const int host_allocator_tuned = tune_host_allocator();
}  // namespace

RT_API bool rt_host_allocator_tuned() { return host_allocator_tuned == 1; }
// The settings as glibc's environment variables spell them, for child processes (benchmark references).
RT_API void rt_host_allocator_thresholds(int64_t* mmap_threshold, int64_t* trim_threshold, int64_t* mmap_max) {
  *mmap_threshold = kMmapThreshold;
  *trim_threshold = kTrimThreshold;
  *mmap_max = kMmapMax;
}

// Fixes glibc's mmap and trim thresholds at 128 KiB and allows mappings again (its static
// defaults), so memory freed by one phase of a measurement leaves the resident set instead of
// hiding the next phase's growth. Returns false where the allocator is not glibc's.
RT_API bool rt_host_allocator_use_direct_mapping() {
#if defined(__GLIBC__)
  bool ok = mallopt(M_MMAP_MAX, kDefaultMmapMax) == 1;
  ok = mallopt(M_MMAP_THRESHOLD, 128 * 1024) == 1 && ok;
  ok = mallopt(M_TRIM_THRESHOLD, 128 * 1024) == 1 && ok;
  return ok;
#else
  return false;
#endif
}

RT_API const char* rt_version() { return TORCH_VERSION; }

RT_API int32_t rt_get_num_threads() { return at::get_num_threads(); }
RT_FN(rt_set_num_threads, (int32_t n), at::set_num_threads(n))
RT_FN(rt_get_num_interop_threads, (int32_t* out), *out = at::get_num_interop_threads())

RT_FN(rt_manual_seed, (uint64_t seed), at::manual_seed(seed))
RT_FN(rt_set_deterministic, (bool on, bool warn_only), at::globalContext().setDeterministicAlgorithms(on, warn_only))
RT_API bool rt_get_deterministic() { return at::globalContext().deterministicAlgorithms(); }

RT_API bool rt_grad_enabled() { return at::GradMode::is_enabled(); }
RT_API void rt_set_grad_enabled(bool on) { at::GradMode::set_enabled(on); }

RT_API bool rt_cuda_is_available() { return torch::cuda::is_available(); }
RT_API int64_t rt_cuda_device_count() { return static_cast<int64_t>(torch::cuda::device_count()); }
RT_API bool rt_cudnn_is_available() { return torch::cuda::cudnn_is_available(); }
RT_FN(rt_cuda_synchronize, (int64_t device_index), torch::cuda::synchronize(device_index))
RT_FN(rt_cudnn_set_benchmark, (bool on), at::globalContext().setBenchmarkCuDNN(on))

// Text of the build configuration (compiler, BLAS, oneDNN, CUDA) for `doctor`.
RT_FN(rt_config, (char* buf, int64_t cap, int64_t* needed), {
  std::string s = at::show_config();
  *needed = static_cast<int64_t>(s.size()) + 1;
  if (buf && cap > 0) {
    size_t n = std::min(static_cast<size_t>(cap - 1), s.size());
    std::memcpy(buf, s.data(), n);
    buf[n] = 0;
  }
})

// Autocast (mixed precision). device_type 0 = CPU, 1 = CUDA. libtorch 2.4 gave autocast one API per
// device type and deprecated the CUDA/CPU-specific names; both are used by version, so one source
// builds against 1.13 and 2.x. The dtype is set first: it is what libtorch validates (1.13's CPU
// autocast takes only bfloat16), so a rejected dtype leaves the enabled flag as it was.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define RT_AUTOCAST_PER_DEVICE 1
#endif
static at::DeviceType autocast_device(int32_t device_type) { return device_type == 1 ? at::kCUDA : at::kCPU; }
RT_FN(rt_autocast_set, (int32_t device_type, bool enabled, int32_t dtype), {
#ifdef RT_AUTOCAST_PER_DEVICE
  at::autocast::set_autocast_dtype(autocast_device(device_type), static_cast<at::ScalarType>(dtype));
  at::autocast::set_autocast_enabled(autocast_device(device_type), enabled);
#else
  (void)autocast_device;
  if (device_type == 1) {
    at::autocast::set_autocast_gpu_dtype(static_cast<at::ScalarType>(dtype));
    at::autocast::set_enabled(enabled);
  } else {
    at::autocast::set_autocast_cpu_dtype(static_cast<at::ScalarType>(dtype));
    at::autocast::set_cpu_enabled(enabled);
  }
#endif
})
// Off while capturing a CUDA graph: a cached cast would be freed when the autocast region ends, under the graph's feet.
RT_API void rt_autocast_set_cache_enabled(bool enabled) { at::autocast::set_autocast_cache_enabled(enabled); }
RT_API bool rt_autocast_is_cache_enabled() { return at::autocast::is_autocast_cache_enabled(); }
RT_API bool rt_autocast_is_enabled(int32_t device_type) {
#ifdef RT_AUTOCAST_PER_DEVICE
  return at::autocast::is_autocast_enabled(autocast_device(device_type));
#else
  return device_type == 1 ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}
RT_API int32_t rt_autocast_get_dtype(int32_t device_type) {
#ifdef RT_AUTOCAST_PER_DEVICE
  return static_cast<int32_t>(at::autocast::get_autocast_dtype(autocast_device(device_type)));
#else
  return static_cast<int32_t>(device_type == 1 ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype());
#endif
}
RT_FN(rt_autocast_clear_cache, (), at::autocast::clear_cache())

// The CPU generator's state as a byte tensor, so a resumed run draws the same numbers.
RT_FN(rt_cpu_rng_get_state, (TH* out), {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  *out = rt::wrap(gen.get_state());
})
RT_FN(rt_cpu_rng_set_state, (TH state), {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(*state);
})
