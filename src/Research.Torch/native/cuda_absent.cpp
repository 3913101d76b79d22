// The exports of cuda.cpp for a libtorch without CUDA: each says so (CMakeLists.txt compiles
// this file instead of cuda.cpp and prints that the CUDA parts are off).
#include "shim.h"

namespace {
const char* absent() { return rt::set_error("this build of the shim has no CUDA: build it against a CUDA libtorch (scripts/gpu-check.sh)"); }
}  // namespace

RT_API bool rt_cuda_built() { return false; }

RT_API const char* rt_cuda_memory_allocated(int32_t, int64_t*) { return absent(); }
RT_API const char* rt_cuda_max_memory_allocated(int32_t, int64_t*) { return absent(); }
RT_API const char* rt_cuda_memory_reserved(int32_t, int64_t*) { return absent(); }
RT_API const char* rt_cuda_reset_peak_memory_stats(int32_t) { return absent(); }
RT_API const char* rt_cuda_empty_cache() { return absent(); }
RT_API const char* rt_cuda_rng_get_state(int32_t, TH*) { return absent(); }
RT_API const char* rt_cuda_rng_set_state(int32_t, TH) { return absent(); }
RT_API const char* rt_cuda_side_stream_enter(int32_t, void**) { return absent(); }
RT_API const char* rt_cuda_side_stream_exit(void*) { return absent(); }
RT_API const char* rt_cuda_graph_new(void**) { return absent(); }
RT_API void rt_cuda_graph_free(void*) {}
RT_API const char* rt_cuda_graph_capture_begin(void*) { return absent(); }
RT_API const char* rt_cuda_graph_capture_end(void*) { return absent(); }
RT_API const char* rt_cuda_graph_replay(void*) { return absent(); }
