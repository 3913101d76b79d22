// Elementwise math, comparisons, reductions, in-place updates.
#include "shim.h"

#define SC rt::scalar(d, l, kind)
#define SC_PARAMS double d, int64_t l, int32_t kind

// Binary tensor-tensor and tensor-scalar ops.
RT_FN(rt_add, (TH a, TH b, SC_PARAMS, TH* out), *out = rt::wrap(at::add(*a, *b, SC)))  // a + alpha*b
RT_FN(rt_add_scalar, (TH a, SC_PARAMS, TH* out), *out = rt::wrap(at::add(*a, SC)))
RT_FN(rt_sub, (TH a, TH b, TH* out), *out = rt::wrap(at::sub(*a, *b)))
RT_FN(rt_sub_scalar, (TH a, SC_PARAMS, TH* out), *out = rt::wrap(at::sub(*a, SC)))
RT_FN(rt_rsub_scalar, (TH a, SC_PARAMS, TH* out), *out = rt::wrap(at::rsub(*a, SC)))
RT_FN(rt_mul, (TH a, TH b, TH* out), *out = rt::wrap(at::mul(*a, *b)))
RT_FN(rt_mul_scalar, (TH a, SC_PARAMS, TH* out), *out = rt::wrap(at::mul(*a, SC)))
RT_FN(rt_div, (TH a, TH b, TH* out), *out = rt::wrap(at::div(*a, *b)))
RT_FN(rt_div_scalar, (TH a, SC_PARAMS, TH* out), *out = rt::wrap(at::div(*a, SC)))
// scalar / a, as PyTorch's __rtruediv__ (reciprocal(a) * scalar). Out of place: reciprocal's
// backward reads its output, so an in-place mul_ on it would break backward.
RT_FN(rt_rdiv_scalar, (TH a, SC_PARAMS, TH* out), *out = rt::wrap(at::mul(at::reciprocal(*a), SC)))
RT_FN(rt_remainder_scalar, (TH a, SC_PARAMS, TH* out), *out = rt::wrap(at::remainder(*a, SC)))
RT_FN(rt_pow, (TH a, TH b, TH* out), *out = rt::wrap(at::pow(*a, *b)))
RT_FN(rt_pow_scalar, (TH a, SC_PARAMS, TH* out), *out = rt::wrap(at::pow(*a, SC)))
RT_FN(rt_maximum, (TH a, TH b, TH* out), *out = rt::wrap(at::maximum(*a, *b)))
RT_FN(rt_minimum, (TH a, TH b, TH* out), *out = rt::wrap(at::minimum(*a, *b)))
RT_FN(rt_matmul, (TH a, TH b, TH* out), *out = rt::wrap(at::matmul(*a, *b)))
RT_FN(rt_logical_and, (TH a, TH b, TH* out), *out = rt::wrap(at::logical_and(*a, *b)))
RT_FN(rt_logical_or, (TH a, TH b, TH* out), *out = rt::wrap(at::logical_or(*a, *b)))
RT_FN(rt_logical_not, (TH a, TH* out), *out = rt::wrap(at::logical_not(*a)))

// Comparisons: op 0 eq, 1 ne, 2 lt, 3 le, 4 gt, 5 ge; b is a tensor or a scalar.
template <typename B>
static at::Tensor compare(const at::Tensor& a, const B& b, int32_t op) {
  switch (op) {
    case 0: return at::eq(a, b);
    case 1: return at::ne(a, b);
    case 2: return at::lt(a, b);
    case 3: return at::le(a, b);
    case 4: return at::gt(a, b);
    case 5: return at::ge(a, b);
  }
  TORCH_CHECK(false, "unknown comparison code ", op);
}
RT_FN(rt_compare, (TH a, TH b, int32_t op, TH* out), *out = rt::wrap(compare(*a, *b, op)))
RT_FN(rt_compare_scalar, (TH a, SC_PARAMS, int32_t op, TH* out), *out = rt::wrap(compare(*a, SC, op)))
RT_FN(rt_allclose, (TH a, TH b, double rtol, double atol, bool* out), *out = at::allclose(*a, *b, rtol, atol))
RT_FN(rt_equal, (TH a, TH b, bool* out), *out = at::equal(*a, *b))

// Unary math.
#define UNARY(name, expr) RT_FN(rt_##name, (TH a, TH* out), *out = rt::wrap(expr))
UNARY(neg, at::neg(*a))
UNARY(abs, at::abs(*a))
UNARY(exp, at::exp(*a))
UNARY(log, at::log(*a))
UNARY(sqrt, at::sqrt(*a))
UNARY(rsqrt, at::rsqrt(*a))
UNARY(sign, at::sign(*a))
UNARY(square, at::square(*a))
UNARY(reciprocal, at::reciprocal(*a))
UNARY(floor, at::floor(*a))
UNARY(ceil, at::ceil(*a))
UNARY(round, at::round(*a))
UNARY(isnan, at::isnan(*a))
UNARY(isfinite, at::isfinite(*a))
UNARY(sin, at::sin(*a))
UNARY(cos, at::cos(*a))

RT_FN(rt_where, (TH cond, TH a, TH b, TH* out), *out = rt::wrap(at::where(*cond, *a, *b)))
RT_FN(rt_clamp, (TH a, bool has_min, double min, bool has_max, double max, TH* out), {
  c10::optional<at::Scalar> lo = has_min ? c10::optional<at::Scalar>(min) : c10::nullopt;
  c10::optional<at::Scalar> hi = has_max ? c10::optional<at::Scalar>(max) : c10::nullopt;
  *out = rt::wrap(at::clamp(*a, lo, hi));
})

// Reductions. dims == nullptr with ndims < 0 reduces over everything.
RT_FN(rt_sum, (TH a, const int64_t* dims, int32_t n, bool keepdim, int32_t dtype, TH* out), {
  c10::optional<at::ScalarType> dt = dtype < 0 ? c10::optional<at::ScalarType>(c10::nullopt) : static_cast<at::ScalarType>(dtype);
  *out = rt::wrap(n < 0 ? at::sum(*a, dt) : at::sum(*a, rt::ints(dims, n), keepdim, dt));
})
RT_FN(rt_mean, (TH a, const int64_t* dims, int32_t n, bool keepdim, TH* out),
      *out = rt::wrap(n < 0 ? at::mean(*a) : at::mean(*a, rt::ints(dims, n), keepdim)))
RT_FN(rt_std, (TH a, const int64_t* dims, int32_t n, bool unbiased, bool keepdim, TH* out),
      *out = rt::wrap(at::std(*a, rt::opt_ints(dims, n), unbiased, keepdim)))
RT_FN(rt_var, (TH a, const int64_t* dims, int32_t n, bool unbiased, bool keepdim, TH* out),
      *out = rt::wrap(at::var(*a, rt::opt_ints(dims, n), unbiased, keepdim)))
RT_FN(rt_norm, (TH a, double p, const int64_t* dims, int32_t n, bool keepdim, TH* out),
      *out = rt::wrap(at::linalg_vector_norm(*a, p, rt::opt_ints(dims, n), keepdim, c10::nullopt)))
RT_FN(rt_max_all, (TH a, TH* out), *out = rt::wrap(at::max(*a)))
RT_FN(rt_min_all, (TH a, TH* out), *out = rt::wrap(at::min(*a)))
RT_FN(rt_max_dim, (TH a, int64_t dim, bool keepdim, TH* values, TH* indices), {
  auto r = at::max(*a, dim, keepdim);
  *values = rt::wrap(std::get<0>(r));
  *indices = rt::wrap(std::get<1>(r));
})
RT_FN(rt_min_dim, (TH a, int64_t dim, bool keepdim, TH* values, TH* indices), {
  auto r = at::min(*a, dim, keepdim);
  *values = rt::wrap(std::get<0>(r));
  *indices = rt::wrap(std::get<1>(r));
})
RT_FN(rt_argmax, (TH a, bool has_dim, int64_t dim, bool keepdim, TH* out),
      *out = rt::wrap(at::argmax(*a, has_dim ? c10::optional<int64_t>(dim) : c10::nullopt, keepdim)))
RT_FN(rt_argmin, (TH a, bool has_dim, int64_t dim, bool keepdim, TH* out),
      *out = rt::wrap(at::argmin(*a, has_dim ? c10::optional<int64_t>(dim) : c10::nullopt, keepdim)))
RT_FN(rt_topk, (TH a, int64_t k, int64_t dim, bool largest, bool sorted, TH* values, TH* indices), {
  auto r = at::topk(*a, k, dim, largest, sorted);
  *values = rt::wrap(std::get<0>(r));
  *indices = rt::wrap(std::get<1>(r));
})
RT_FN(rt_cumsum, (TH a, int64_t dim, TH* out), *out = rt::wrap(at::cumsum(*a, dim)))
RT_FN(rt_any, (TH a, TH* out), *out = rt::wrap(at::any(*a)))
RT_FN(rt_all, (TH a, TH* out), *out = rt::wrap(at::all(*a)))

// In-place updates (return nothing new: the handle's tensor changes).
RT_FN(rt_add_, (TH a, TH b, SC_PARAMS), a->add_(*b, SC))
RT_FN(rt_add_scalar_, (TH a, SC_PARAMS), a->add_(SC))
RT_FN(rt_sub_, (TH a, TH b), a->sub_(*b))
RT_FN(rt_sub_scalar_, (TH a, SC_PARAMS), a->sub_(SC))
RT_FN(rt_mul_, (TH a, TH b), a->mul_(*b))
RT_FN(rt_mul_scalar_, (TH a, SC_PARAMS), a->mul_(SC))
RT_FN(rt_div_, (TH a, TH b), a->div_(*b))
RT_FN(rt_div_scalar_, (TH a, SC_PARAMS), a->div_(SC))
RT_FN(rt_pow_scalar_, (TH a, SC_PARAMS), a->pow_(SC))
RT_FN(rt_sqrt_, (TH a), a->sqrt_())
RT_FN(rt_neg_, (TH a), a->neg_())
RT_FN(rt_clamp_, (TH a, bool has_min, double min, bool has_max, double max), {
  c10::optional<at::Scalar> lo = has_min ? c10::optional<at::Scalar>(min) : c10::nullopt;
  c10::optional<at::Scalar> hi = has_max ? c10::optional<at::Scalar>(max) : c10::nullopt;
  a->clamp_(lo, hi);
})
RT_FN(rt_addcmul_, (TH a, TH b, TH c, SC_PARAMS), a->addcmul_(*b, *c, SC))
RT_FN(rt_addcdiv_, (TH a, TH b, TH c, SC_PARAMS), a->addcdiv_(*b, *c, SC))
RT_FN(rt_lerp_, (TH a, TH b, SC_PARAMS), a->lerp_(*b, SC))
RT_FN(rt_copy_, (TH dst, TH src, bool non_blocking), dst->copy_(*src, non_blocking))
RT_FN(rt_fill_, (TH a, SC_PARAMS), a->fill_(SC))
RT_FN(rt_zero_, (TH a), a->zero_())
RT_FN(rt_uniform_, (TH a, double from, double to), a->uniform_(from, to))
RT_FN(rt_normal_, (TH a, double mean, double std), a->normal_(mean, std))
RT_FN(rt_bernoulli_, (TH a, double p), a->bernoulli_(p))
RT_FN(rt_requires_grad_, (TH a, bool on), a->requires_grad_(on))
