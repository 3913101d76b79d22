// Common pieces of the C ABI over ATen/autograd.
//
// Every exported function returns `const char*`: nullptr on success, otherwise
// libtorch's message (thread-local storage, valid until the next failing call on
// the same thread). Results come back through out-pointers. This keeps one
// P/Invoke per op and makes error checking free on the success path.
#pragma once

#include <ATen/ATen.h>
#include <c10/util/Exception.h>

#include <cstdint>
#include <string>
#include <vector>

#define RT_API extern "C" __attribute__((visibility("default")))

using TH = at::Tensor*;
using TL = std::vector<at::Tensor>*;

namespace rt {

const char* set_error(const char* msg);

inline TH wrap(at::Tensor t) { return new at::Tensor(std::move(t)); }

// at:: factories ignore TensorOptions::requires_grad (torch:: ones apply it), so set it here.
inline TH leaf(at::Tensor t, bool requires_grad) {
  if (requires_grad) t.set_requires_grad(true);
  return wrap(std::move(t));
}

inline at::Device device(int32_t type, int32_t index) {
  return at::Device(static_cast<c10::DeviceType>(type), static_cast<c10::DeviceIndex>(index));
}

inline at::TensorOptions options(int32_t dtype, int32_t dev_type, int32_t dev_index, bool requires_grad) {
  return at::TensorOptions()
      .dtype(static_cast<at::ScalarType>(dtype))
      .device(device(dev_type, dev_index))
      .requires_grad(requires_grad);
}

inline at::IntArrayRef ints(const int64_t* p, int32_t n) { return at::IntArrayRef(p, static_cast<size_t>(n)); }

// n < 0 means "not given" (e.g. reduce over all dims).
inline at::OptionalIntArrayRef opt_ints(const int64_t* p, int32_t n) {
  if (n < 0) return c10::nullopt;
  return at::IntArrayRef(p, static_cast<size_t>(n));
}

// A scalar crosses the boundary as (double, int64, kind): kind 0 float, 1 integer, 2 bool.
inline at::Scalar scalar(double d, int64_t l, int32_t kind) {
  switch (kind) {
    case 1: return at::Scalar(l);
    case 2: return at::Scalar(l != 0);
    default: return at::Scalar(d);
  }
}

inline c10::optional<at::Tensor> opt(TH t) {
  return t ? c10::optional<at::Tensor>(*t) : c10::optional<at::Tensor>(c10::nullopt);
}

inline const at::Tensor& or_undefined(TH t) {
  static const at::Tensor undefined;
  return t ? *t : undefined;
}

inline std::vector<at::Tensor> list(const TH* p, int32_t n) {
  std::vector<at::Tensor> v;
  v.reserve(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; ++i) v.push_back(*p[i]);
  return v;
}

}  // namespace rt

#define RT_TRY try {
#define RT_CATCH                                                   \
  return nullptr;                                                  \
  }                                                                \
  catch (const c10::Error& e) {                                    \
    return rt::set_error(e.what_without_backtrace());              \
  }                                                                \
  catch (const std::exception& e) {                                \
    return rt::set_error(e.what());                                \
  }                                                                \
  catch (...) {                                                    \
    return rt::set_error("unknown C++ exception in libtorch shim"); \
  }

// Shorthand for an export whose body assigns *out.
#define RT_FN(name, params, ...) \
  RT_API const char* name params { RT_TRY __VA_ARGS__; RT_CATCH }
