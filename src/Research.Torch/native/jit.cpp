// TorchScript for inference: a module compiled from source with its tensors as attributes, then
// frozen (the attributes become constants) and, when asked, optimized for inference as
// torch.jit.optimize_for_inference does (oneDNN convolutions on prepacked weights with the
// following activation and addition fused, tensors kept in oneDNN's layout between them).
#include "shim.h"

#include <torch/csrc/jit/api/module.h>

using JitModule = torch::jit::Module;

RT_FN(rt_jit_compile, (const char* source, const char* const* names, const TH* tensors, int32_t n, bool optimize, void** out), {
  JitModule m("__torch__.ResearchInference");
  // freeze() refuses a module in training mode, and a module built from C++ has no `training` yet.
  m.register_attribute("training", c10::BoolType::get(), false);
  for (int32_t i = 0; i < n; ++i) m.register_attribute(names[i], c10::TensorType::get(), *tensors[i]);
  m.define(source);
  JitModule frozen = optimize ? torch::jit::optimize_for_inference(m) : torch::jit::freeze(m);
  *out = new JitModule(std::move(frozen));
})

RT_FN(rt_jit_forward, (void* module, TH input, TH* out), {
  auto* m = static_cast<JitModule*>(module);
  *out = rt::wrap(m->forward({*input}).toTensor());
})

RT_API void rt_jit_free(void* module) { delete static_cast<JitModule*>(module); }
