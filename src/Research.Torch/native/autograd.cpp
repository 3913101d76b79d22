// Autograd: backward, gradients, higher-order grad for DARTS' Hessian-vector products.
#include "shim.h"

#include <torch/csrc/autograd/autograd.h>

RT_FN(rt_backward, (TH t, TH grad, bool retain_graph, bool create_graph),
      t->backward(rt::or_undefined(grad), retain_graph, create_graph))

// *out is nullptr when the tensor has no gradient.
RT_FN(rt_grad, (TH t, TH* out), {
  const auto& g = t->grad();
  *out = g.defined() ? rt::wrap(g) : nullptr;
})
RT_FN(rt_set_grad, (TH t, TH g), t->mutable_grad() = rt::or_undefined(g))
// set_to_none drops the gradient; otherwise it is zeroed in place (PyTorch's two modes).
RT_FN(rt_zero_grad, (TH t, bool set_to_none), {
  auto& g = t->mutable_grad();
  if (!g.defined()) return nullptr;
  if (set_to_none) {
    g.reset();
  } else {
    if (g.grad_fn()) g = g.detach();
    else g.requires_grad_(false);
    g.zero_();
  }
})
RT_FN(rt_retain_grad, (TH t), t->retain_grad())

// outputs[i] may come with grad_outputs[i] (nullptr: ones for scalars). results[j] is
// nullptr when inputs[j] is unused and allow_unused is set.
RT_FN(rt_autograd_grad, (const TH* outputs, int32_t n_out, const TH* grad_outputs, const TH* inputs, int32_t n_in,
                         bool retain_graph, bool create_graph, bool allow_unused, TH* results),
      {
        std::vector<at::Tensor> outs = rt::list(outputs, n_out);
        std::vector<at::Tensor> ins = rt::list(inputs, n_in);
        std::vector<at::Tensor> gouts;
        if (grad_outputs) {
          gouts.reserve(static_cast<size_t>(n_out));
          for (int32_t i = 0; i < n_out; ++i) gouts.push_back(rt::or_undefined(grad_outputs[i]));
        }
        auto gs = torch::autograd::grad(outs, ins, gouts, retain_graph, create_graph, allow_unused);
        for (int32_t j = 0; j < n_in; ++j) results[j] = gs[static_cast<size_t>(j)].defined() ? rt::wrap(gs[static_cast<size_t>(j)]) : nullptr;
      })

// Swaps the tensor's storage for new_data's, keeping its identity and autograd flags
// (what `param.data = x` does): modules move to a device or dtype this way.
RT_FN(rt_set_data, (TH t, TH new_data), t->set_data(*new_data))
