// NCCL process groups, for CUDA tensors: compiled in only against a CUDA libtorch built with
// NCCL (CMake defines RESEARCH_WITH_NCCL); elsewhere the entry point says what is missing.
#include "shim.h"

#ifdef RESEARCH_WITH_NCCL
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>

RT_FN(rt_dist_nccl_create, (void* s, const char* prefix, int32_t rank, int32_t world_size, int64_t timeout_ms, void** out), {
  auto& store = *static_cast<c10::intrusive_ptr<c10d::Store>*>(s);
  auto opts = c10d::ProcessGroupNCCL::Options::create();
  opts->timeout = std::chrono::milliseconds(timeout_ms);
  auto prefixed = c10::make_intrusive<c10d::PrefixStore>(prefix, store);
  c10::intrusive_ptr<c10d::ProcessGroup> group = c10::make_intrusive<c10d::ProcessGroupNCCL>(prefixed, rank, world_size, opts);
  *out = new c10::intrusive_ptr<c10d::ProcessGroup>(std::move(group));
})
#else
RT_FN(rt_dist_nccl_create, (void* s, const char* prefix, int32_t rank, int32_t world_size, int64_t timeout_ms, void** out),
      TORCH_CHECK(false, "this build of the shim has no NCCL: build against a CUDA libtorch with NCCL (scripts/gpu-build.sh) or use the gloo backend"))
#endif
