// Tensor creation, metadata, conversion and host copies.
#include "shim.h"

#include <cmath>
#include <cstring>

// at:: factories ignore TensorOptions::requires_grad (only the torch:: ones honour it), so
// OPTS leaves it out and LEAF sets the flag on the result, as torch::ones etc. do.
#define OPTS rt::options(dtype, dev_type, dev_index, false)
#define OPT_PARAMS int32_t dtype, int32_t dev_type, int32_t dev_index, bool requires_grad
#define LEAF(expr) rt::leaf(expr, requires_grad)

RT_FN(rt_empty, (const int64_t* shape, int32_t n, OPT_PARAMS, TH* out), *out = LEAF(at::empty(rt::ints(shape, n), OPTS)))
RT_FN(rt_zeros, (const int64_t* shape, int32_t n, OPT_PARAMS, TH* out), *out = LEAF(at::zeros(rt::ints(shape, n), OPTS)))
RT_FN(rt_ones, (const int64_t* shape, int32_t n, OPT_PARAMS, TH* out), *out = LEAF(at::ones(rt::ints(shape, n), OPTS)))
RT_FN(rt_full, (const int64_t* shape, int32_t n, double d, int64_t l, int32_t kind, OPT_PARAMS, TH* out),
      *out = LEAF(at::full(rt::ints(shape, n), rt::scalar(d, l, kind), OPTS)))
RT_FN(rt_rand, (const int64_t* shape, int32_t n, OPT_PARAMS, TH* out), *out = LEAF(at::rand(rt::ints(shape, n), OPTS)))
RT_FN(rt_randn, (const int64_t* shape, int32_t n, OPT_PARAMS, TH* out), *out = LEAF(at::randn(rt::ints(shape, n), OPTS)))
RT_FN(rt_randint, (int64_t low, int64_t high, const int64_t* shape, int32_t n, OPT_PARAMS, TH* out),
      *out = LEAF(at::randint(low, high, rt::ints(shape, n), OPTS)))
RT_FN(rt_randperm, (int64_t n, OPT_PARAMS, TH* out), *out = LEAF(at::randperm(n, OPTS)))
RT_FN(rt_arange, (double start, double end, double step, OPT_PARAMS, TH* out), {
  // Integer dtypes take integer scalars when all three are whole numbers, so large values
  // count exactly. Otherwise the doubles go through as PyTorch passes them: arange(0, 2.5, 1,
  // dtype=int32) has ceil(2.5 / 1) = 3 elements (truncating end to 2 here would drop one).
  auto st = static_cast<at::ScalarType>(dtype);
  auto whole = [](double v) { return std::isfinite(v) && std::trunc(v) == v && std::fabs(v) < 9.2e18; };
  if (at::isIntegralType(st, false) && whole(start) && whole(end) && whole(step))
    *out = LEAF(at::arange(static_cast<int64_t>(start), static_cast<int64_t>(end), static_cast<int64_t>(step), OPTS));
  else
    *out = LEAF(at::arange(start, end, step, OPTS));
})
RT_FN(rt_linspace, (double start, double end, int64_t steps, OPT_PARAMS, TH* out),
      *out = LEAF(at::linspace(start, end, steps, OPTS)))
RT_FN(rt_eye, (int64_t n, OPT_PARAMS, TH* out), *out = LEAF(at::eye(n, OPTS)))

// Copies host memory into a new tensor (the caller's buffer is not retained).
RT_FN(rt_from_data, (const void* data, const int64_t* shape, int32_t n, int32_t dtype, int32_t dev_type, int32_t dev_index,
                     bool requires_grad, TH* out),
      {
        auto cpu = at::from_blob(const_cast<void*>(data), rt::ints(shape, n), at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)));
        auto t = cpu.to(rt::device(dev_type, dev_index), /*non_blocking=*/false, /*copy=*/true);
        if (requires_grad) t.set_requires_grad(true);
        *out = rt::wrap(std::move(t));
      })

// Copies a tensor's elements (any device, any layout) into host memory of exactly nbytes.
RT_FN(rt_copy_to_host, (TH t, void* dst, int64_t nbytes), {
  auto c = t->detach().to(at::kCPU).contiguous();
  TORCH_CHECK(static_cast<int64_t>(c.nbytes()) == nbytes, "copy to host: tensor has ", c.nbytes(), " bytes, buffer has ", nbytes);
  if (nbytes) std::memcpy(dst, c.data_ptr(), static_cast<size_t>(nbytes));
})

RT_API int64_t rt_dim(TH t) { return t->dim(); }
RT_API int64_t rt_numel(TH t) { return t->numel(); }
RT_API void rt_shape(TH t, int64_t* out) {
  auto s = t->sizes();
  for (size_t i = 0; i < s.size(); ++i) out[i] = s[i];
}
RT_API void rt_strides(TH t, int64_t* out) {
  auto s = t->strides();
  for (size_t i = 0; i < s.size(); ++i) out[i] = s[i];
}
RT_API int32_t rt_dtype(TH t) { return static_cast<int32_t>(t->scalar_type()); }
RT_API int32_t rt_device_type(TH t) { return static_cast<int32_t>(t->device().type()); }
RT_API int32_t rt_device_index(TH t) { return t->device().index(); }
RT_API bool rt_requires_grad(TH t) { return t->requires_grad(); }
RT_API bool rt_is_contiguous(TH t) { return t->is_contiguous(); }
RT_API bool rt_is_channels_last(TH t) { return t->dim() == 4 && t->is_contiguous(at::MemoryFormat::ChannelsLast); }
RT_API bool rt_is_leaf(TH t) { return t->is_leaf(); }

RT_FN(rt_item_double, (TH t, double* out), *out = t->item<double>())
RT_FN(rt_item_long, (TH t, int64_t* out), *out = t->item<int64_t>())

RT_FN(rt_to, (TH t, int32_t dtype, int32_t dev_type, int32_t dev_index, bool non_blocking, bool copy, TH* out),
      *out = rt::wrap(t->to(rt::device(dev_type, dev_index), static_cast<at::ScalarType>(dtype), non_blocking, copy)))
RT_FN(rt_pin_memory, (TH t, TH* out), *out = rt::wrap(t->pin_memory()))
RT_FN(rt_clone, (TH t, TH* out), *out = rt::wrap(t->clone()))
RT_FN(rt_detach, (TH t, TH* out), *out = rt::wrap(t->detach()))
RT_FN(rt_contiguous, (TH t, TH* out), *out = rt::wrap(t->contiguous()))
// to() rather than contiguous(): with a size-1 dim (one input channel) contiguous() keeps NCHW
// strides, which conv reads as NCHW; to() lays the strides out as NHWC, as PyTorch's Module.to does.
RT_FN(rt_to_memory_format, (TH t, int32_t format, TH* out),
      *out = rt::wrap(t->to(t->options(), false, false, format == 1 ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous)))
RT_FN(rt_alias, (TH t, TH* out), *out = rt::wrap(*t))
