// Depthwise convolution (weight (C, 1, kh, kw), groups = in channels = out channels) as one autograd
// function for float32 CPU tensors, NCHW or NHWC, whose weight gradient is computed here.
//
// libtorch 1.13 runs a depthwise convolution's forward and its input gradient through oneDNN at
// about the cost of their multiply-adds, but its weight gradient, the same number of multiply-adds,
// up to 50 times slower, most at small maps and 5x5 kernels (one thread, NHWC, forward against
// forward + weight gradient: 64x1152x2x2 5x5 0.26 against 17.7 ms; 64x672x4x4 5x5 0.74 against 18.3).
// Here the forward and the input gradient stay libtorch's own calls (at::conv2d;
// at::convolution_backward asked for the input gradient only), and the weight gradient is a direct loop
//   dW[c, i, j] = sum over n, oh, ow of dy[n, c, oh, ow] * x[n, c, oh*sh - ph + i*dh, ow*sw - pw + j*dw]
// in NHWC (NCHW input is copied to it): for each image and tap, the sums of 64 channels at a time
// stay in registers over the output pixels that see the image, then go to double totals, so the
// result does not drift with the batch. Work is split over channel ranges and, where channels are
// few, over images too; each split has its own totals, added in a fixed order, so a thread count
// gives the same bits every run. The loops are built for AVX-512, AVX2+FMA and plain x86-64
// (target_clones), chosen when the library loads.
//
// A double backward (create_graph) differentiates libtorch's at::conv2d instead.
#include "shim.h"

#include <ATen/Parallel.h>
#include <ATen/autocast_mode.h>
#include <ATen/record_function.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <vector>

namespace {

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define RT_CLONES __attribute__((target_clones("avx512f", "arch=haswell", "default")))
#else
#define RT_CLONES
#endif

constexpr int kLanes = 16;

struct Geometry {
  int64_t N, C, H, W, OH, OW, KH, KW, SH, SW, PH, PW, DH, DW;
  int64_t taps() const { return KH * KW; }
};

// The output positions o in [0, out) whose input position o * stride + offset lies in [0, in).
struct Span {
  int64_t begin, end;
};
Span valid(int64_t out, int64_t in, int64_t stride, int64_t offset) {
  // o * stride + offset >= 0  and  o * stride + offset <= in - 1
  int64_t begin = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  int64_t last = in - 1 - offset;
  int64_t end = last < 0 ? 0 : std::min(out, last / stride + 1);
  return {begin, std::max(begin, end)};
}

#define RT_ALWAYS_INLINE inline __attribute__((always_inline))

// One tap's sums over one image's output pixels for L channels from c (L = 64, 32 or 16; 0 for the
// remainder of a row, `count` wide), held in registers, then added to that tap's double totals.
// Narrow rows take P pixels at a time into sums of their own, so that four registers of sums are
// in flight and the adds do not wait on each other.
template <int L>
RT_ALWAYS_INLINE void tap_sums(const float* __restrict__ x, const float* __restrict__ gy, double* __restrict__ totals, const Geometry& g,
                               int64_t n, int64_t i, int64_t j, int64_t c, int64_t count) {
  const Span rows = valid(g.OH, g.H, g.SH, i * g.DH - g.PH), cols = valid(g.OW, g.W, g.SW, j * g.DW - g.PW);
  constexpr int W = L > 0 ? L : kLanes;
  constexpr int P = L > 0 ? 64 / L : 1;
  const int64_t width = L > 0 ? L : count;
  const int64_t dstep = g.C, xstep = g.SW * g.C;
  float s[P][W] = {};
  for (int64_t oh = rows.begin; oh < rows.end; ++oh) {
    const int64_t ih = oh * g.SH - g.PH + i * g.DH;
    const float* dy = gy + ((n * g.OH + oh) * g.OW + cols.begin) * g.C + c;
    const float* xs = x + ((n * g.H + ih) * g.W + cols.begin * g.SW - g.PW + j * g.DW) * g.C + c;
    int64_t ow = cols.begin;
    if constexpr (L > 0) {
      for (; ow + P <= cols.end; ow += P, dy += P * dstep, xs += P * xstep)
        for (int p = 0; p < P; ++p)
          for (int l = 0; l < L; ++l) s[p][l] += dy[p * dstep + l] * xs[p * xstep + l];
      for (; ow < cols.end; ++ow, dy += dstep, xs += xstep)
        for (int l = 0; l < L; ++l) s[0][l] += dy[l] * xs[l];
    } else {
      for (; ow < cols.end; ++ow, dy += dstep, xs += xstep)
        for (int64_t l = 0; l < width; ++l) s[0][l] += dy[l] * xs[l];
    }
  }
  for (int64_t l = 0; l < width; ++l) {
    float sum = s[0][l];
    for (int p = 1; p < P; ++p) sum += s[p][l];
    totals[l] += sum;
  }
}

// NHWC, channels [c0, c1) of images [n0, n1): totals[t * (c1 - c0) + c] for tap t. Channels go 64
// at a time (four AVX-512 registers of sums), then 32, 16 and what is left.
RT_CLONES void weight_grad_nhwc(const float* __restrict__ x, const float* __restrict__ gy, double* __restrict__ totals, const Geometry g,
                                int64_t n0, int64_t n1, int64_t c0, int64_t c1) {
  const int64_t cr = c1 - c0;
  for (int64_t n = n0; n < n1; ++n)
    for (int64_t i = 0; i < g.KH; ++i)
      for (int64_t j = 0; j < g.KW; ++j) {
        double* t = totals + (i * g.KW + j) * cr;  // channel c's total is t[c - c0]
        int64_t c = c0;
        for (; c + 64 <= c1; c += 64) tap_sums<64>(x, gy, t + (c - c0), g, n, i, j, c, 64);
        if (c + 32 <= c1) tap_sums<32>(x, gy, t + (c - c0), g, n, i, j, c, 32), c += 32;
        if (c + 16 <= c1) tap_sums<16>(x, gy, t + (c - c0), g, n, i, j, c, 16), c += 16;
        if (c < c1) tap_sums<0>(x, gy, t + (c - c0), g, n, i, j, c, c1 - c);
      }
}

// dW, computed in NHWC: NCHW input and gradient are copied to it first (cheaper than NCHW's short
// rows at the small maps where libtorch's own weight gradient is slowest).
at::Tensor depthwise_weight_grad(const at::Tensor& x_in, const at::Tensor& gy_in, const Geometry& g) {
  const at::Tensor x = x_in.contiguous(at::MemoryFormat::ChannelsLast), gy = gy_in.contiguous(at::MemoryFormat::ChannelsLast);
  const float* xp = x.data_ptr<float>();
  const float* gp = gy.data_ptr<float>();
  const int64_t taps = g.taps();
  at::Tensor dw = at::empty({g.C, 1, g.KH, g.KW}, x.options().memory_format(at::MemoryFormat::Contiguous));
  float* out = dw.data_ptr<float>();

  // Channel ranges of at least 64 (a few registers' rows per pixel), then the threads left over
  // split the images. The split depends on the thread count only.
  const int64_t threads = std::max<int64_t>(1, at::get_num_threads());
  const int64_t channel_parts = std::max<int64_t>(1, std::min(threads, g.C / 64));
  const int64_t image_parts = std::max<int64_t>(1, std::min(g.N, threads / channel_parts));
  const int64_t parts = channel_parts * image_parts;
  auto channel_range = [&](int64_t p) { return std::make_pair(g.C * p / channel_parts, g.C * (p + 1) / channel_parts); };
  auto image_range = [&](int64_t p) { return std::make_pair(g.N * p / image_parts, g.N * (p + 1) / image_parts); };
  std::vector<std::vector<double>> totals(static_cast<size_t>(parts));
  at::parallel_for(0, parts, 1, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const auto [c0, c1] = channel_range(p / image_parts);
      const auto [n0, n1] = image_range(p % image_parts);
      totals[p].assign(static_cast<size_t>((c1 - c0) * taps), 0.0);
      weight_grad_nhwc(xp, gp, totals[p].data(), g, n0, n1, c0, c1);
    }
  });
  for (int64_t cp = 0; cp < channel_parts; ++cp) {
    const auto [c0, c1] = channel_range(cp);
    const int64_t cr = c1 - c0;
    for (int64_t t = 0; t < taps; ++t)
      for (int64_t c = 0; c < cr; ++c) {
        double s = 0.0;
        for (int64_t ip = 0; ip < image_parts; ++ip) s += totals[cp * image_parts + ip][t * cr + c];
        out[(c0 + c) * taps + t] = static_cast<float>(s);
      }
  }
  return dw;
}

struct DepthwiseConv2dFunction : public torch::autograd::Function<DepthwiseConv2dFunction> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, const at::Tensor& w,
                            const c10::optional<at::Tensor>& bias, std::vector<int64_t> stride, std::vector<int64_t> padding,
                            std::vector<int64_t> dilation) {
    RECORD_FUNCTION("research::depthwise_conv2d", c10::ArrayRef<const c10::IValue>{});
    at::Tensor y = at::conv2d(x, w, bias, stride, padding, dilation, x.size(1));
    ctx->save_for_backward({x, w});
    ctx->saved_data["stride"] = stride;
    ctx->saved_data["padding"] = padding;
    ctx->saved_data["dilation"] = dilation;
    ctx->saved_data["bias"] = bias.has_value();
    ctx->saved_data["out_h"] = y.size(2);
    ctx->saved_data["out_w"] = y.size(3);
    return y;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads) {
    RECORD_FUNCTION("research::depthwise_conv2d_backward", c10::ArrayRef<const c10::IValue>{});
    auto saved = ctx->get_saved_variables();
    const at::Tensor &x = saved[0], &w = saved[1], &gy = grads[0];
    const auto stride = ctx->saved_data["stride"].toIntVector();
    const auto padding = ctx->saved_data["padding"].toIntVector();
    const auto dilation = ctx->saved_data["dilation"].toIntVector();
    const bool has_bias = ctx->saved_data["bias"].toBool();
    const bool need_dx = ctx->needs_input_grad(0), need_dw = ctx->needs_input_grad(1), need_db = has_bias && ctx->needs_input_grad(2);
    torch::autograd::variable_list result(6);
    if (at::GradMode::is_enabled()) {
      // A double backward (create_graph): the same gradients through libtorch's differentiable conv2d.
      std::vector<at::Tensor> inputs;
      auto take = [&](const at::Tensor& t) {
        at::Tensor v = t.requires_grad() ? t : t.detach().requires_grad_(true);
        inputs.push_back(v);
        return v;
      };
      const at::Tensor xv = need_dx ? take(x) : x, wv = need_dw ? take(w) : w;
      // The bias's value enters no gradient (the output is affine in it), so zeros stand in for it.
      at::Tensor bv;
      if (has_bias) bv = need_db ? take(at::zeros({w.size(0)}, w.options())) : at::zeros({w.size(0)}, w.options());
      if (inputs.empty()) return result;
      at::Tensor y = at::conv2d(xv, wv, has_bias ? c10::optional<at::Tensor>(bv) : c10::nullopt, stride, padding, dilation, x.size(1));
      auto gs = torch::autograd::grad({y}, inputs, {gy}, /*retain_graph=*/true, /*create_graph=*/true, /*allow_unused=*/true);
      size_t k = 0;
      if (need_dx) result[0] = gs[k++];
      if (need_dw) result[1] = gs[k++];
      if (need_db) result[2] = gs[k++];
      return result;
    }
    if (need_dx) {
      result[0] = std::get<0>(at::convolution_backward(gy, x, w, c10::nullopt, stride, padding, dilation, /*transposed=*/false, {0, 0},
                                                       x.size(1), {true, false, false}));
    }
    if (need_dw) {
      const Geometry g{x.size(0), x.size(1), x.size(2), x.size(3), ctx->saved_data["out_h"].toInt(), ctx->saved_data["out_w"].toInt(),
                       w.size(2), w.size(3), stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1]};
      result[1] = depthwise_weight_grad(x, gy, g);
    }
    if (need_db) result[2] = gy.sum({0, 2, 3});
    return result;
  }
};

bool is_float_cpu(const at::Tensor& t) { return t.scalar_type() == at::kFloat && t.device().is_cpu() && t.layout() == at::kStrided; }

// Why the function does not apply (nullptr when it does).
const char* not_applicable(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) {
  if (!is_float_cpu(x) || !is_float_cpu(w)) return "the input or the weight is not a float32 CPU tensor";
  if (x.dim() != 4 || w.dim() != 4) return "the input or the weight is not 4-d";
  if (w.size(1) != 1 || w.size(0) != x.size(1)) return "the weight is not (C, 1, kh, kw) for an input of C channels";
  if (x.numel() == 0) return "the input is empty";
  if (b.defined() && (!is_float_cpu(b) || b.dim() != 1 || b.size(0) != x.size(1))) return "the bias is not a float32 CPU vector of C values";
  if (at::autocast::is_cpu_enabled() || at::autocast::is_enabled()) return "autocast is on";
  return nullptr;
}

}  // namespace

// mode 0: at::conv2d; 1: the function where it applies and a gradient is wanted, at::conv2d
// elsewhere; 2: the function, or an error saying why it does not apply.
RT_FN(rt_depthwise_conv2d, (TH x, TH w, TH b, const int64_t* stride, const int64_t* padding, const int64_t* dilation, int32_t mode, TH* out), {
  const at::Tensor& bias = rt::or_undefined(b);
  const std::vector<int64_t> s(stride, stride + 2), p(padding, padding + 2), d(dilation, dilation + 2);
  const char* why = mode == 0 ? "" : not_applicable(*x, *w, bias);
  TORCH_CHECK(mode != 2 || why == nullptr, "depthwise_conv2d: the weight-gradient kernel does not apply: ", why ? why : "");
  const bool wanted = mode == 2 || (at::GradMode::is_enabled() && (x->requires_grad() || w->requires_grad() || (bias.defined() && bias.requires_grad())));
  if (why || !wanted) {
    *out = rt::wrap(at::conv2d(*x, *w, rt::opt(b), s, p, d, w->size(0)));
  } else {
    *out = rt::wrap(DepthwiseConv2dFunction::apply(*x, *w, rt::opt(b), s, p, d));
  }
})
