// torch.distributed's engine (c10d) over the C ABI: the TCPStore rendezvous, Gloo process groups,
// collectives as asynchronous works waited on with a timeout, and a differentiable all-reduce
// (for synchronised batch norm). NCCL groups live in distributed_nccl.cpp, built only against a
// libtorch that has them.
#include "shim.h"

#include <torch/csrc/autograd/custom_function.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <cstdlib>
#include <cstring>

using StoreP = c10::intrusive_ptr<c10d::Store>;
using GroupP = c10::intrusive_ptr<c10d::ProcessGroup>;
using WorkP = c10::intrusive_ptr<c10d::Work>;

namespace {

std::chrono::milliseconds ms(int64_t v) { return std::chrono::milliseconds(v); }

StoreP& store_of(void* s) { return *static_cast<StoreP*>(s); }
GroupP& group_of(void* g) { return *static_cast<GroupP*>(g); }

c10d::ReduceOp reduce_op(int32_t op) {
  switch (op) {
    case 0: return c10d::ReduceOp(c10d::ReduceOp::SUM);
    case 1: return c10d::ReduceOp(c10d::ReduceOp::PRODUCT);
    case 2: return c10d::ReduceOp(c10d::ReduceOp::MIN);
    case 3: return c10d::ReduceOp(c10d::ReduceOp::MAX);
  }
  TORCH_CHECK(false, "unknown reduce op code ", op);
}

std::vector<uint8_t> bytes(const uint8_t* data, int64_t n) { return std::vector<uint8_t>(data, data + n); }

void wait(const WorkP& work, int64_t timeout_ms) {
  // Work::wait rethrows the collective's own failure (a closed connection, Gloo's timeout).
  if (!work->wait(ms(timeout_ms))) TORCH_CHECK(false, "the collective did not finish within ", timeout_ms, " ms");
}

// Sum over ranks in forward; the gradient of a sum that every rank consumes is the sum of the
// ranks' gradients, so backward is the same all-reduce.
struct AllReduceSum : public torch::autograd::Function<AllReduceSum> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& input, int64_t group, int64_t timeout_ms) {
    ctx->saved_data["group"] = group;
    ctx->saved_data["timeout"] = timeout_ms;
    std::vector<at::Tensor> tensors{input.detach().clone(at::MemoryFormat::Contiguous)};
    wait(group_of(reinterpret_cast<void*>(group))->allreduce(tensors), timeout_ms);
    return tensors[0];
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads) {
    auto group = ctx->saved_data["group"].toInt();
    auto timeout_ms = ctx->saved_data["timeout"].toInt();
    std::vector<at::Tensor> tensors{grads[0].clone(at::MemoryFormat::Contiguous)};
    wait(group_of(reinterpret_cast<void*>(group))->allreduce(tensors), timeout_ms);
    return {tensors[0], at::Tensor(), at::Tensor()};
  }
};

}  // namespace

// ---------------------------------------------------------------- the store

// The rank that hosts (is_server) listens on port (0: a free one, see rt_dist_store_port); the
// others connect, retrying until timeout_ms.
RT_FN(rt_dist_store_create, (const char* host, int32_t port, int32_t world_size, bool is_server, int64_t timeout_ms, void** out), {
  c10d::TCPStoreOptions opts;
  opts.port = static_cast<std::uint16_t>(port);
  opts.isServer = is_server;
  opts.numWorkers = static_cast<std::size_t>(world_size);
  opts.waitWorkers = false;  // joining is checked by the process group's own rendezvous
  opts.timeout = ms(timeout_ms);
  *out = new StoreP(c10::make_intrusive<c10d::TCPStore>(std::string(host), opts));
})
RT_API void rt_dist_store_free(void* s) { delete static_cast<StoreP*>(s); }
RT_FN(rt_dist_store_port, (void* s, int32_t* out), *out = static_cast<c10d::TCPStore*>(store_of(s).get())->getPort())
RT_FN(rt_dist_store_set, (void* s, const char* key, const uint8_t* data, int64_t n), store_of(s)->set(key, bytes(data, n)))
// *data is malloc'ed; the caller frees it with rt_dist_bytes_free.
RT_FN(rt_dist_store_get, (void* s, const char* key, uint8_t** data, int64_t* n), {
  auto v = store_of(s)->get(key);
  *n = static_cast<int64_t>(v.size());
  *data = static_cast<uint8_t*>(std::malloc(v.empty() ? 1 : v.size()));
  if (!v.empty()) std::memcpy(*data, v.data(), v.size());
})
RT_API void rt_dist_bytes_free(uint8_t* data) { std::free(data); }
RT_FN(rt_dist_store_add, (void* s, const char* key, int64_t delta, int64_t* out), *out = store_of(s)->add(key, delta))
RT_FN(rt_dist_store_check, (void* s, const char* key, bool* out), *out = store_of(s)->check({std::string(key)}))
RT_FN(rt_dist_store_wait, (void* s, const char* key, int64_t timeout_ms), store_of(s)->wait({std::string(key)}, ms(timeout_ms)))
RT_FN(rt_dist_store_delete, (void* s, const char* key, bool* out), *out = store_of(s)->deleteKey(key))

// ---------------------------------------------------------------- process groups

RT_FN(rt_dist_backend_available, (const char* name, bool* out), {
  std::string b(name);
#ifdef RESEARCH_WITH_NCCL
  *out = b == "gloo" || b == "nccl";
#else
  *out = b == "gloo";
#endif
})

// A Gloo group over the store (keys under prefix). interface: a network interface name (as
// GLOO_SOCKET_IFNAME); else hostname: an address of this host to listen on; else the default
// device (the address the host name resolves to).
RT_FN(rt_dist_gloo_create, (void* s, const char* prefix, int32_t rank, int32_t world_size, int64_t timeout_ms, const char* interface,
                            const char* hostname, int32_t threads, void** out), {
  auto opts = c10d::ProcessGroupGloo::Options::create(ms(timeout_ms));
  if (interface && *interface) opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(interface));
  else if (hostname && *hostname) opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(hostname));
  else opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
  opts->threads = threads;
  auto prefixed = c10::make_intrusive<c10d::PrefixStore>(prefix, store_of(s));
  *out = new GroupP(c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, rank, world_size, opts));
})
RT_API void rt_dist_group_free(void* g) { delete static_cast<GroupP*>(g); }

// ---------------------------------------------------------------- collectives (asynchronous: a work to wait on)
// One tensor each: c10d's tensor lists are one tensor per device of this process, all the same size.

RT_FN(rt_dist_all_reduce, (void* g, TH tensor, int32_t op, int64_t timeout_ms, void** work), {
  std::vector<at::Tensor> list{*tensor};
  c10d::AllreduceOptions opts;
  opts.reduceOp = reduce_op(op);
  opts.timeout = ms(timeout_ms);
  *work = new WorkP(group_of(g)->allreduce(list, opts));
})
RT_FN(rt_dist_broadcast, (void* g, TH tensor, int32_t root, int64_t timeout_ms, void** work), {
  std::vector<at::Tensor> list{*tensor};
  c10d::BroadcastOptions opts;
  opts.rootRank = root;
  opts.timeout = ms(timeout_ms);
  *work = new WorkP(group_of(g)->broadcast(list, opts));
})
// outputs[r] receives rank r's input (world_size of them, each shaped as the input).
RT_FN(rt_dist_all_gather, (void* g, TH input, const TH* outputs, int32_t n, int64_t timeout_ms, void** work), {
  std::vector<std::vector<at::Tensor>> outs{rt::list(outputs, n)};
  std::vector<at::Tensor> ins{*input};
  c10d::AllgatherOptions opts;
  opts.timeout = ms(timeout_ms);
  *work = new WorkP(group_of(g)->allgather(outs, ins, opts));
})
RT_FN(rt_dist_barrier, (void* g, int64_t timeout_ms, void** work), {
  c10d::BarrierOptions opts;
  opts.timeout = ms(timeout_ms);
  *work = new WorkP(group_of(g)->barrier(opts));
})
RT_FN(rt_dist_work_wait, (void* w, int64_t timeout_ms), wait(*static_cast<WorkP*>(w), timeout_ms))
RT_API void rt_dist_work_free(void* w) { delete static_cast<WorkP*>(w); }

// The group pointer outlives every graph that records it: Research.Torch's ProcessGroup owns it.
RT_FN(rt_dist_all_reduce_differentiable, (void* g, TH input, int64_t timeout_ms, TH* out),
      *out = rt::wrap(AllReduceSum::apply(*input, reinterpret_cast<int64_t>(g), timeout_ms)))
