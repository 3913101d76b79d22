// torch.nn.functional: convolution, normalisation, activations, pooling, losses.
#include "shim.h"

RT_FN(rt_conv2d, (TH x, TH w, TH b, const int64_t* stride, const int64_t* padding, const int64_t* dilation, int64_t groups, TH* out),
      *out = rt::wrap(at::conv2d(*x, *w, rt::opt(b), rt::ints(stride, 2), rt::ints(padding, 2), rt::ints(dilation, 2), groups)))
RT_FN(rt_batch_norm, (TH x, TH w, TH b, TH mean, TH var, bool training, double momentum, double eps, TH* out),
      *out = rt::wrap(at::batch_norm(*x, rt::opt(w), rt::opt(b), rt::opt(mean), rt::opt(var), training, momentum, eps,
                                     at::globalContext().userEnabledCuDNN())))
RT_FN(rt_linear, (TH x, TH w, TH b, TH* out), *out = rt::wrap(at::linear(*x, *w, rt::opt(b))))
RT_FN(rt_dropout, (TH x, double p, bool train, TH* out), *out = rt::wrap(at::dropout(*x, p, train)))

#define ACT(name, expr) RT_FN(rt_##name, (TH a, TH* out), *out = rt::wrap(expr))
ACT(relu, at::relu(*a))
ACT(relu6, at::hardtanh(*a, 0.0, 6.0))
ACT(silu, at::silu(*a))
ACT(hardswish, at::hardswish(*a))
ACT(hardsigmoid, at::hardsigmoid(*a))
ACT(sigmoid, at::sigmoid(*a))
ACT(tanh, at::tanh(*a))
ACT(gelu, at::gelu(*a))
RT_FN(rt_relu_, (TH a), at::relu_(*a))
RT_FN(rt_leaky_relu, (TH a, double slope, TH* out), *out = rt::wrap(at::leaky_relu(*a, slope)))

RT_FN(rt_softmax, (TH a, int64_t dim, TH* out), *out = rt::wrap(at::softmax(*a, dim)))
RT_FN(rt_log_softmax, (TH a, int64_t dim, TH* out), *out = rt::wrap(at::log_softmax(*a, dim)))

RT_FN(rt_adaptive_avg_pool2d, (TH x, int64_t h, int64_t w, TH* out), *out = rt::wrap(at::adaptive_avg_pool2d(*x, {h, w})))
RT_FN(rt_avg_pool2d, (TH x, const int64_t* k, const int64_t* s, const int64_t* p, bool ceil_mode, bool count_include_pad, TH* out),
      *out = rt::wrap(at::avg_pool2d(*x, rt::ints(k, 2), rt::ints(s, 2), rt::ints(p, 2), ceil_mode, count_include_pad, c10::nullopt)))
RT_FN(rt_max_pool2d, (TH x, const int64_t* k, const int64_t* s, const int64_t* p, const int64_t* d, bool ceil_mode, TH* out),
      *out = rt::wrap(at::max_pool2d(*x, rt::ints(k, 2), rt::ints(s, 2), rt::ints(p, 2), rt::ints(d, 2), ceil_mode)))

// mode 0 nearest, 1 bilinear.
RT_FN(rt_interpolate, (TH x, int64_t h, int64_t w, int32_t mode, bool align_corners, TH* out), {
  std::vector<int64_t> size{h, w};
  if (mode == 0)
    *out = rt::wrap(at::upsample_nearest2d(*x, size, c10::nullopt, c10::nullopt));
  else if (mode == 1)
    *out = rt::wrap(at::upsample_bilinear2d(*x, size, align_corners, c10::nullopt, c10::nullopt));
  else
    TORCH_CHECK(false, "interpolate: unknown mode ", mode);
})

// reduction: 0 none, 1 mean, 2 sum (at::Reduction).
RT_FN(rt_cross_entropy, (TH x, TH target, TH weight, int64_t reduction, int64_t ignore_index, double label_smoothing, TH* out),
      *out = rt::wrap(at::cross_entropy_loss(*x, *target, rt::opt(weight), reduction, ignore_index, label_smoothing)))
RT_FN(rt_nll_loss, (TH x, TH target, TH weight, int64_t reduction, int64_t ignore_index, TH* out),
      *out = rt::wrap(at::nll_loss(*x, *target, rt::opt(weight), reduction, ignore_index)))
RT_FN(rt_mse_loss, (TH x, TH target, int64_t reduction, TH* out), *out = rt::wrap(at::mse_loss(*x, *target, reduction)))
RT_FN(rt_one_hot, (TH x, int64_t classes, TH* out), *out = rt::wrap(at::one_hot(*x, classes)))

// Affine sampling (batched crops and resizes with a different box per sample): theta (N, 2, 3)
// maps output coordinates in [-1, 1] to input ones; the sampler reads bilinearly (mode 0) or the
// nearest pixel (mode 1), zeros outside (padding 0) or the border (padding 1).
RT_FN(rt_affine_grid, (TH theta, const int64_t* size, int32_t n, bool align_corners, TH* out),
      *out = rt::wrap(at::affine_grid_generator(*theta, rt::ints(size, n), align_corners)))
RT_FN(rt_grid_sample, (TH x, TH grid, int64_t mode, int64_t padding, bool align_corners, TH* out),
      *out = rt::wrap(at::grid_sampler(*x, *grid, mode, padding, align_corners)))
