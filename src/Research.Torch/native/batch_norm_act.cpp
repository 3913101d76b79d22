// Batch norm followed by an activation (none, ReLU, ReLU6, SiLU, hard-swish) as one autograd
// function, for float32 CPU tensors in NCHW or NHWC (channels_last).
//
// Unfused, libtorch reads a batch norm's input three times (mean, centred squares, normalise),
// writes its output, and the activation reads and writes it again; backward does as much. Here:
// - forward (training): one pass gathers each channel's mean and centred sum of squares (per block
//   of 2,048 floats, two passes over the block while it is in L1, blocks merged in double by Chan's
//   rule), a second pass writes act(x * scale + shift). NCHW works a channel at a time, so the
//   second pass reads from L2 at these sizes; NHWC runs over rows with one partial sum per thread,
//   R rows at a time read as one row of R * C values so the inner loop has no scalar remainder (Tiling).
//   Running statistics are updated as libtorch does: r = (1 - m) r + m s, the variance unbiased.
// - forward (eval): one pass with the running statistics.
// - backward: the activation's derivative is taken at y = x * scale + shift, recomputed from the
//   saved input (the pre-activation is never stored), inside the two passes of batch norm's own
//   backward (the sums of dy and dy (x - mean), then dx).
// Pointers are __restrict__: the buffers never overlap, and without it the vectorizer versions
// every loop on runtime alias checks. The loops are plain code over 16 independent lanes (one AVX-512 register, two AVX2 ones), built
// three times (AVX-512, AVX2+FMA, baseline x86-64) by GCC's target_clones and chosen when the
// library loads. The sums run in the same order in every clone; fp-contraction is off (CMake), so a
// forward and the backward that recomputes its pre-activation agree to the bit. Channels (NCHW) or
// row ranges (NHWC) run in parallel with at::parallel_for.
//
// rt_batch_norm_act takes the path explicitly: other dtypes, devices and shapes, and a double
// backward (create_graph), use libtorch's batch norm and activation.
#include "shim.h"

#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <vector>

namespace {

// The codes C# passes (Research.Torch.Modules.BatchNormActivation).
enum Act : int64_t { kNone = 0, kReLU = 1, kReLU6 = 2, kSiLU = 3, kHardSwish = 4 };

constexpr int kLanes = 16;
constexpr int64_t kBlock = 2048;

#define RT_ALWAYS_INLINE inline __attribute__((always_inline))
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define RT_CLONES __attribute__((target_clones("avx512f", "arch=haswell", "default")))
#else
#define RT_CLONES
#endif

// exp by Cody-Waite reduction and Cephes' degree-6 polynomial (within 2 ulp of std::exp), in
// arithmetic the vectorizer takes; the argument is clamped to where 2^n stays a normal float.
RT_ALWAYS_INLINE float exp_lane(float x) {
  x = std::min(std::max(x, -87.33654f), 88.37626f);
  const float magic = 12582912.0f;  // 1.5 * 2^23: adding and subtracting it rounds to an integer
  float fx = (x * 1.44269504088896341f + magic) - magic;
  float r = x - fx * 0.693359375f;
  r = r - fx * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.0f;
  int32_t bits = (static_cast<int32_t>(fx) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

template <int A>
RT_ALWAYS_INLINE float activate(float y) {
  if constexpr (A == kReLU) return std::max(y, 0.0f);
  if constexpr (A == kReLU6) return std::min(std::max(y, 0.0f), 6.0f);
  if constexpr (A == kSiLU) return y / (1.0f + exp_lane(-y));
  if constexpr (A == kHardSwish) return y * std::min(std::max(y + 3.0f, 0.0f), 6.0f) / 6.0f;
  return y;
}

// d act(y) / dy, as libtorch's backward formulas take it (threshold, hardtanh, silu, hardswish).
// Comparisons are combined with & and turned into numbers, not branched on: a loop's scalar
// remainder (channels not a multiple of the vector width, NHWC) otherwise branches on every value,
// half of them mispredicted on real data (ReLU6's backward ran 10-20x slower at 8, 24 or 72 channels).
template <int A>
RT_ALWAYS_INLINE float activate_grad(float y) {
  if constexpr (A == kReLU) return static_cast<float>(y > 0.0f);
  if constexpr (A == kReLU6) return static_cast<float>((y > 0.0f) & (y < 6.0f));
  if constexpr (A == kSiLU) {
    float s = 1.0f / (1.0f + exp_lane(-y));
    return s * (1.0f + y * (1.0f - s));
  }
  if constexpr (A == kHardSwish) {
    float inside = y / 3.0f + 0.5f;
    float upper = y <= 3.0f ? inside : 1.0f;
    return y < -3.0f ? 0.0f : upper;
  }
  return 1.0f;
}

// ---- kernels: one contiguous run of a channel (NCHW) ----

// Mean and centred sum of squares of x[0, n) by the corrected two-pass rule.
RT_CLONES void run_moments(const float* __restrict__ x, int64_t n, double* mean, double* m2) {
  float acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) acc[l] += x[i + l];
  float s = 0.0f;
  for (int l = 0; l < kLanes; ++l) s += acc[l];
  for (; i < n; ++i) s += x[i];
  const float m = s / static_cast<float>(n);
  float d[kLanes] = {}, d2[kLanes] = {};
  i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) {
      float v = x[i + l] - m;
      d[l] += v;
      d2[l] += v * v;
    }
  float sd = 0.0f, sd2 = 0.0f;
  for (int l = 0; l < kLanes; ++l) sd += d[l], sd2 += d2[l];
  for (; i < n; ++i) {
    float v = x[i] - m;
    sd += v;
    sd2 += v * v;
  }
  *mean = static_cast<double>(m) + static_cast<double>(sd) / static_cast<double>(n);
  *m2 = std::max(0.0, static_cast<double>(sd2) - static_cast<double>(sd) * sd / static_cast<double>(n));
}

template <int A>
RT_ALWAYS_INLINE void run_apply_impl(const float* __restrict__ x, float* __restrict__ y, int64_t n, float scale, float shift) {
  for (int64_t i = 0; i < n; ++i) y[i] = activate<A>(x[i] * scale + shift);
}

RT_CLONES void run_apply(int64_t act, const float* __restrict__ x, float* __restrict__ y, int64_t n, float scale, float shift) {
  switch (act) {
    case kReLU: return run_apply_impl<kReLU>(x, y, n, scale, shift);
    case kReLU6: return run_apply_impl<kReLU6>(x, y, n, scale, shift);
    case kSiLU: return run_apply_impl<kSiLU>(x, y, n, scale, shift);
    case kHardSwish: return run_apply_impl<kHardSwish>(x, y, n, scale, shift);
    default: return run_apply_impl<kNone>(x, y, n, scale, shift);
  }
}

// Sums of gy and gy * (x - mean), gy = g * act'(x * scale + shift).
template <int A>
RT_ALWAYS_INLINE void run_grad_sums_impl(const float* __restrict__ x, const float* __restrict__ g, int64_t n, float scale, float shift, float mean,
                                         double* sum_gy, double* sum_gy_xc) {
  float a[kLanes] = {}, b[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) {
      float xv = x[i + l];
      float gy = g[i + l] * activate_grad<A>(xv * scale + shift);
      a[l] += gy;
      b[l] += gy * (xv - mean);
    }
  float sa = 0.0f, sb = 0.0f;
  for (int l = 0; l < kLanes; ++l) sa += a[l], sb += b[l];
  for (; i < n; ++i) {
    float gy = g[i] * activate_grad<A>(x[i] * scale + shift);
    sa += gy;
    sb += gy * (x[i] - mean);
  }
  *sum_gy += sa;
  *sum_gy_xc += sb;
}

RT_CLONES void run_grad_sums(int64_t act, const float* __restrict__ x, const float* __restrict__ g, int64_t n, float scale, float shift, float mean,
                             double* sum_gy, double* sum_gy_xc) {
  switch (act) {
    case kReLU: return run_grad_sums_impl<kReLU>(x, g, n, scale, shift, mean, sum_gy, sum_gy_xc);
    case kReLU6: return run_grad_sums_impl<kReLU6>(x, g, n, scale, shift, mean, sum_gy, sum_gy_xc);
    case kSiLU: return run_grad_sums_impl<kSiLU>(x, g, n, scale, shift, mean, sum_gy, sum_gy_xc);
    case kHardSwish: return run_grad_sums_impl<kHardSwish>(x, g, n, scale, shift, mean, sum_gy, sum_gy_xc);
    default: return run_grad_sums_impl<kNone>(x, g, n, scale, shift, mean, sum_gy, sum_gy_xc);
  }
}

// dx = ((gy - grad_mean) - (x - mean) * proj) * k: batch norm's backward (k = invstd * weight; in
// eval grad_mean = proj = 0).
template <int A>
RT_ALWAYS_INLINE void run_grad_input_impl(const float* __restrict__ x, const float* __restrict__ g, float* __restrict__ dx, int64_t n, float scale, float shift,
                                          float mean, float grad_mean, float proj, float k) {
  for (int64_t i = 0; i < n; ++i) {
    float gy = g[i] * activate_grad<A>(x[i] * scale + shift);
    dx[i] = ((gy - grad_mean) - (x[i] - mean) * proj) * k;
  }
}

RT_CLONES void run_grad_input(int64_t act, const float* __restrict__ x, const float* __restrict__ g, float* __restrict__ dx, int64_t n, float scale, float shift,
                              float mean, float grad_mean, float proj, float k) {
  switch (act) {
    case kReLU: return run_grad_input_impl<kReLU>(x, g, dx, n, scale, shift, mean, grad_mean, proj, k);
    case kReLU6: return run_grad_input_impl<kReLU6>(x, g, dx, n, scale, shift, mean, grad_mean, proj, k);
    case kSiLU: return run_grad_input_impl<kSiLU>(x, g, dx, n, scale, shift, mean, grad_mean, proj, k);
    case kHardSwish: return run_grad_input_impl<kHardSwish>(x, g, dx, n, scale, shift, mean, grad_mean, proj, k);
    default: return run_grad_input_impl<kNone>(x, g, dx, n, scale, shift, mean, grad_mean, proj, k);
  }
}

// ---- kernels: rows of C channels (NHWC) ----

// Per-channel mean and centred sum of squares of `rows` rows (corrected two-pass); tmp holds C floats.
RT_CLONES void rows_moments(const float* __restrict__ x, int64_t rows, int64_t C, float* __restrict__ mean, float* __restrict__ m2, float* __restrict__ tmp) {
  std::fill(mean, mean + C, 0.0f);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < C; ++c) mean[c] += x[r * C + c];
  const float inv = 1.0f / static_cast<float>(rows);
  for (int64_t c = 0; c < C; ++c) mean[c] *= inv;
  std::fill(m2, m2 + C, 0.0f);
  std::fill(tmp, tmp + C, 0.0f);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < C; ++c) {
      float v = x[r * C + c] - mean[c];
      tmp[c] += v;
      m2[c] += v * v;
    }
  for (int64_t c = 0; c < C; ++c) {
    m2[c] = std::max(0.0f, m2[c] - tmp[c] * tmp[c] * inv);
    mean[c] += tmp[c] * inv;
  }
}

template <int A>
RT_ALWAYS_INLINE void rows_apply_impl(const float* __restrict__ x, float* __restrict__ y, int64_t rows, int64_t C, const float* __restrict__ scale, const float* __restrict__ shift) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < C; ++c) y[r * C + c] = activate<A>(x[r * C + c] * scale[c] + shift[c]);
}

RT_CLONES void rows_apply(int64_t act, const float* __restrict__ x, float* __restrict__ y, int64_t rows, int64_t C, const float* __restrict__ scale, const float* __restrict__ shift) {
  switch (act) {
    case kReLU: return rows_apply_impl<kReLU>(x, y, rows, C, scale, shift);
    case kReLU6: return rows_apply_impl<kReLU6>(x, y, rows, C, scale, shift);
    case kSiLU: return rows_apply_impl<kSiLU>(x, y, rows, C, scale, shift);
    case kHardSwish: return rows_apply_impl<kHardSwish>(x, y, rows, C, scale, shift);
    default: return rows_apply_impl<kNone>(x, y, rows, C, scale, shift);
  }
}

// Adds to sum_gy[c] and sum_gy_xc[c] (float, one block of rows; the caller carries them on in double).
template <int A>
RT_ALWAYS_INLINE void rows_grad_sums_impl(const float* __restrict__ x, const float* __restrict__ g, int64_t rows, int64_t C, const float* __restrict__ scale,
                                          const float* __restrict__ shift, const float* __restrict__ mean, float* __restrict__ sum_gy, float* __restrict__ sum_gy_xc) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < C; ++c) {
      float xv = x[r * C + c];
      float gy = g[r * C + c] * activate_grad<A>(xv * scale[c] + shift[c]);
      sum_gy[c] += gy;
      sum_gy_xc[c] += gy * (xv - mean[c]);
    }
}

RT_CLONES void rows_grad_sums(int64_t act, const float* __restrict__ x, const float* __restrict__ g, int64_t rows, int64_t C, const float* __restrict__ scale,
                              const float* __restrict__ shift, const float* __restrict__ mean, float* __restrict__ sum_gy, float* __restrict__ sum_gy_xc) {
  switch (act) {
    case kReLU: return rows_grad_sums_impl<kReLU>(x, g, rows, C, scale, shift, mean, sum_gy, sum_gy_xc);
    case kReLU6: return rows_grad_sums_impl<kReLU6>(x, g, rows, C, scale, shift, mean, sum_gy, sum_gy_xc);
    case kSiLU: return rows_grad_sums_impl<kSiLU>(x, g, rows, C, scale, shift, mean, sum_gy, sum_gy_xc);
    case kHardSwish: return rows_grad_sums_impl<kHardSwish>(x, g, rows, C, scale, shift, mean, sum_gy, sum_gy_xc);
    default: return rows_grad_sums_impl<kNone>(x, g, rows, C, scale, shift, mean, sum_gy, sum_gy_xc);
  }
}

template <int A>
RT_ALWAYS_INLINE void rows_grad_input_impl(const float* __restrict__ x, const float* __restrict__ g, float* __restrict__ dx, int64_t rows, int64_t C, const float* __restrict__ scale,
                                           const float* __restrict__ shift, const float* __restrict__ mean, const float* __restrict__ grad_mean, const float* __restrict__ proj,
                                           const float* __restrict__ k) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < C; ++c) {
      int64_t i = r * C + c;
      float gy = g[i] * activate_grad<A>(x[i] * scale[c] + shift[c]);
      dx[i] = ((gy - grad_mean[c]) - (x[i] - mean[c]) * proj[c]) * k[c];
    }
}

RT_CLONES void rows_grad_input(int64_t act, const float* __restrict__ x, const float* __restrict__ g, float* __restrict__ dx, int64_t rows, int64_t C, const float* __restrict__ scale,
                               const float* __restrict__ shift, const float* __restrict__ mean, const float* __restrict__ grad_mean, const float* __restrict__ proj, const float* __restrict__ k) {
  switch (act) {
    case kReLU: return rows_grad_input_impl<kReLU>(x, g, dx, rows, C, scale, shift, mean, grad_mean, proj, k);
    case kReLU6: return rows_grad_input_impl<kReLU6>(x, g, dx, rows, C, scale, shift, mean, grad_mean, proj, k);
    case kSiLU: return rows_grad_input_impl<kSiLU>(x, g, dx, rows, C, scale, shift, mean, grad_mean, proj, k);
    case kHardSwish: return rows_grad_input_impl<kHardSwish>(x, g, dx, rows, C, scale, shift, mean, grad_mean, proj, k);
    default: return rows_grad_input_impl<kNone>(x, g, dx, rows, C, scale, shift, mean, grad_mean, proj, k);
  }
}

// ---- drivers ----

// Chan's rule: merges a part (count nb, mean mb, centred sum of squares qb) into (n, mean, m2).
inline void merge_moments(double& n, double& mean, double& m2, double nb, double mb, double qb) {
  double total = n + nb;
  double delta = mb - mean;
  mean += delta * nb / total;
  m2 += qb + delta * delta * n * nb / total;
  n = total;
}

struct Shape {
  int64_t N, C, HW;
  bool channels_last;
  int64_t count() const { return N * HW; }  // values per channel
};

// NCHW counts first when both hold (one channel or 1x1 maps: the two layouts are the same memory).
at::MemoryFormat layout_of(const at::Tensor& x) {
  if (x.is_contiguous()) return at::MemoryFormat::Contiguous;
  if (x.is_contiguous(at::MemoryFormat::ChannelsLast)) return at::MemoryFormat::ChannelsLast;
  return x.suggest_memory_format();
}

Shape shape_of(const at::Tensor& x, at::MemoryFormat layout) {
  return {x.size(0), x.size(1), x.size(2) * x.size(3), layout == at::MemoryFormat::ChannelsLast && !x.is_contiguous()};
}

// NHWC partial sums: row ranges, one per thread at most, each at least this many rows.
constexpr int64_t kMinRowsPerPart = 256;
// NHWC rows of C channels read as rows of W = R * C values, R the fewest rows that make W a multiple of
// the vector width: the kernels' inner loop over a row then has no scalar remainder. With 8, 24 or 72
// channels (MobileNet at half width, EfficientNet's 24 and 40) that remainder was a third to all of
// every row, and scalar SiLU or hard-swish costs ten times its vector form. Per-channel coefficients
// are repeated R times (tile); sums over the W columns fold back onto the C channels; the last
// rows % R rows of a range run as C-wide rows. Wide rows (R * C over a block) are left as they are:
// their remainder is a small part of each row, and a tile that long would leave a block one group.
struct Tiling {
  int64_t C, R, W;
  explicit Tiling(int64_t channels) : C(channels), R(rows_per_tile(channels)), W(R * channels) {}
  static int64_t rows_per_tile(int64_t channels) {
    int64_t r = kLanes / std::gcd(channels, static_cast<int64_t>(kLanes));
    return r * channels <= kBlock ? r : 1;
  }
  std::vector<float> tile(const float* v) const {
    std::vector<float> t(W);
    for (int64_t j = 0; j < W; ++j) t[j] = v[j % C];
    return t;
  }
  std::vector<float> tile(const std::vector<float>& v) const { return tile(v.data()); }
};

// NHWC blocks: rows whose per-channel float sums stay short (and in L1) before they go into double; a multiple of R.
int64_t block_rows_of(const Tiling& t) {
  int64_t rows = std::max<int64_t>(1, std::min<int64_t>(256, kBlock / t.C));
  return std::max<int64_t>(t.R, rows / t.R * t.R);
}

// Runs f(first row, rows, width, tiled) over [begin, end): the whole R-row groups as W-wide rows, then the rest as C-wide ones.
template <typename F>
void over_tiles(const Tiling& t, int64_t begin, int64_t end, F&& f) {
  int64_t groups = (end - begin) / t.R;
  if (groups > 0) f(begin, groups, t.W, true);
  int64_t rest = begin + groups * t.R;
  if (rest < end) f(rest, end - rest, t.C, false);
}

int64_t row_parts(int64_t rows) {
  return std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads(), rows / kMinRowsPerPart));
}

// One NCHW channel's mean and centred sum of squares (double), block by block.
void channel_moments(const float* x, const Shape& s, int64_t c, double* mean, double* m2) {
  double n = 0, mu = 0, q = 0;
  for (int64_t p = 0; p < s.N; ++p) {
    const float* plane = x + (p * s.C + c) * s.HW;
    for (int64_t o = 0; o < s.HW; o += kBlock) {
      int64_t len = std::min(kBlock, s.HW - o);
      double bm, bq;
      run_moments(plane + o, len, &bm, &bq);
      merge_moments(n, mu, q, static_cast<double>(len), bm, bq);
    }
  }
  *mean = mu;
  *m2 = q;
}

// NHWC: per-channel batch mean and centred sum of squares (double), over row ranges in parallel.
void rows_batch_moments(const float* x, const Shape& s, std::vector<double>& mean, std::vector<double>& m2) {
  const int64_t C = s.C;
  mean.assign(C, 0.0);
  m2.assign(C, 0.0);
  const int64_t rows = s.count();
  const int64_t parts = row_parts(rows);
  const Tiling tiling(C);
  const int64_t block_rows = block_rows_of(tiling);
  // Each channel's count so far per part: a W-wide block adds R columns of `groups` values to each channel.
  std::vector<double> part_n(parts * C, 0.0), part_mean(parts * C, 0.0), part_m2(parts * C, 0.0);
  at::parallel_for(0, parts, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> bm(tiling.W), bq(tiling.W), tmp(tiling.W);
    for (int64_t t = begin; t < end; ++t) {
      int64_t r0 = rows * t / parts, r1 = rows * (t + 1) / parts;
      for (int64_t r = r0; r < r1; r += block_rows)
        over_tiles(tiling, r, std::min(r + block_rows, r1), [&](int64_t first, int64_t nr, int64_t width, bool) {
          rows_moments(x + first * C, nr, width, bm.data(), bq.data(), tmp.data());
          for (int64_t j = 0; j < width; ++j) {
            int64_t c = t * C + j % C;
            merge_moments(part_n[c], part_mean[c], part_m2[c], static_cast<double>(nr), bm[j], bq[j]);
          }
        });
    }
  });
  std::vector<double> n(C, 0.0);
  for (int64_t t = 0; t < parts; ++t)
    for (int64_t c = 0; c < C; ++c) merge_moments(n[c], mean[c], m2[c], part_n[t * C + c], part_mean[t * C + c], part_m2[t * C + c]);
}

struct Forward {
  at::Tensor output, mean, invstd;  // mean and invstd: float [C], what normalised the batch
};

// What the forward needs per channel: the statistics that normalise, the running ones updated,
// and y = x * scale + shift.
struct ChannelParams {
  float* mean;
  float* invstd;
  float* running_mean;
  float* running_var;
  const float* weight;
  const float* bias;
  float* scale;
  float* shift;
  double momentum, eps, count;

  void set_batch(int64_t c, double mu, double m2) const {
    mean[c] = static_cast<float>(mu);
    invstd[c] = static_cast<float>(1.0 / std::sqrt(m2 / count + eps));
    if (running_mean) running_mean[c] = static_cast<float>(momentum * mu + (1 - momentum) * running_mean[c]);
    if (running_var) running_var[c] = static_cast<float>(momentum * (m2 / (count - 1)) + (1 - momentum) * running_var[c]);
    set_affine(c);
  }
  void set_running(int64_t c) const {
    mean[c] = running_mean[c];
    invstd[c] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(running_var[c]) + eps));
    set_affine(c);
  }
  void set_affine(int64_t c) const {
    scale[c] = invstd[c] * (weight ? weight[c] : 1.0f);
    shift[c] = (bias ? bias[c] : 0.0f) - mean[c] * scale[c];
  }
};

Forward fused_forward(const at::Tensor& input, const at::Tensor& weight, const at::Tensor& bias, const at::Tensor& running_mean,
                      const at::Tensor& running_var, bool training, double momentum, double eps, int64_t act) {
  const auto layout = layout_of(input);
  const at::Tensor x = input.contiguous(layout);
  const Shape s = shape_of(x, layout);
  const int64_t C = s.C;
  at::Tensor y = at::empty_like(x, x.options(), layout);
  at::Tensor mean_t = at::empty({C}, x.options());
  at::Tensor invstd_t = at::empty({C}, x.options());
  std::vector<float> scale(C), shift(C);
  const ChannelParams cp{mean_t.data_ptr<float>(),
                         invstd_t.data_ptr<float>(),
                         running_mean.defined() ? running_mean.data_ptr<float>() : nullptr,
                         running_var.defined() ? running_var.data_ptr<float>() : nullptr,
                         weight.defined() ? weight.data_ptr<float>() : nullptr,
                         bias.defined() ? bias.data_ptr<float>() : nullptr,
                         scale.data(),
                         shift.data(),
                         momentum,
                         eps,
                         static_cast<double>(s.count())};
  const float* xp = x.data_ptr<float>();
  float* yp = y.data_ptr<float>();
  if (!s.channels_last) {
    // A channel at a time: its statistics, then its output while its planes are still in cache.
    at::parallel_for(0, C, 1, [&](int64_t begin, int64_t end) {
      for (int64_t c = begin; c < end; ++c) {
        if (training) {
          double mu, m2;
          channel_moments(xp, s, c, &mu, &m2);
          cp.set_batch(c, mu, m2);
        } else {
          cp.set_running(c);
        }
        for (int64_t p = 0; p < s.N; ++p) {
          int64_t o = (p * C + c) * s.HW;
          run_apply(act, xp + o, yp + o, s.HW, scale[c], shift[c]);
        }
      }
    });
  } else {
    if (training) {
      std::vector<double> mu, m2;
      rows_batch_moments(xp, s, mu, m2);
      for (int64_t c = 0; c < C; ++c) cp.set_batch(c, mu[c], m2[c]);
    } else {
      for (int64_t c = 0; c < C; ++c) cp.set_running(c);
    }
    const Tiling tiling(C);
    const std::vector<float> scale_t = tiling.tile(scale), shift_t = tiling.tile(shift);
    const int64_t grain = block_rows_of(tiling);
    at::parallel_for(0, s.count(), grain, [&](int64_t begin, int64_t end) {
      over_tiles(tiling, begin, end, [&](int64_t first, int64_t nr, int64_t width, bool tiled) {
        rows_apply(act, xp + first * C, yp + first * C, nr, width, tiled ? scale_t.data() : scale.data(), tiled ? shift_t.data() : shift.data());
      });
    });
  }
  return {y, mean_t, invstd_t};
}

struct Backward {
  at::Tensor dx, dweight, dbias;
};

Backward fused_backward(const at::Tensor& input, const at::Tensor& grad_output, const at::Tensor& weight, const at::Tensor& bias,
                        const at::Tensor& mean_t, const at::Tensor& invstd_t, bool training, int64_t act, bool need_dx,
                        bool need_dweight, bool need_dbias) {
  const auto layout = layout_of(input);
  const at::Tensor x = input.contiguous(layout);
  const at::Tensor g = grad_output.contiguous(layout);
  const Shape s = shape_of(x, layout);
  const int64_t C = s.C;
  const float* xp = x.data_ptr<float>();
  const float* gp = g.data_ptr<float>();
  const float* mean = mean_t.data_ptr<float>();
  const float* invstd = invstd_t.data_ptr<float>();
  const float* w = weight.defined() ? weight.data_ptr<float>() : nullptr;
  const float* b = bias.defined() ? bias.data_ptr<float>() : nullptr;
  const double n = static_cast<double>(s.count());
  // dx = ((gy - grad_mean) - (x - mean) * proj) * k, as libtorch's batch_norm_backward (eval: no
  // grad_mean or proj); the pre-activation y = x * scale + shift is recomputed as the forward did.
  std::vector<float> scale(C), shift(C), grad_mean(C, 0.0f), proj(C, 0.0f), k(C);
  std::vector<double> sum_gy(C, 0.0), sum_gy_xc(C, 0.0);
  for (int64_t c = 0; c < C; ++c) {
    scale[c] = invstd[c] * (w ? w[c] : 1.0f);
    shift[c] = (b ? b[c] : 0.0f) - mean[c] * scale[c];
    k[c] = invstd[c] * (w ? w[c] : 1.0f);
  }
  auto set_coefficients = [&](int64_t c) {
    if (!training) return;
    grad_mean[c] = static_cast<float>(sum_gy[c] / n);
    proj[c] = static_cast<float>(sum_gy_xc[c] / n * invstd[c] * invstd[c]);
  };
  at::Tensor dx;
  float* dxp = nullptr;
  if (need_dx) {
    dx = at::empty_like(x, x.options(), layout);
    dxp = dx.data_ptr<float>();
  }

  if (!s.channels_last) {
    // A channel at a time: the sums of gy and gy (x - mean), then dx while the planes are in cache.
    at::parallel_for(0, C, 1, [&](int64_t begin, int64_t end) {
      for (int64_t c = begin; c < end; ++c) {
        for (int64_t p = 0; p < s.N; ++p) {
          int64_t o = (p * C + c) * s.HW;
          for (int64_t i = 0; i < s.HW; i += kBlock)
            run_grad_sums(act, xp + o + i, gp + o + i, std::min(kBlock, s.HW - i), scale[c], shift[c], mean[c], &sum_gy[c], &sum_gy_xc[c]);
        }
        if (!need_dx) continue;
        set_coefficients(c);
        for (int64_t p = 0; p < s.N; ++p) {
          int64_t o = (p * C + c) * s.HW;
          run_grad_input(act, xp + o, gp + o, dxp + o, s.HW, scale[c], shift[c], mean[c], grad_mean[c], proj[c], k[c]);
        }
      }
    });
  } else {
    const int64_t rows = s.count();
    const int64_t parts = row_parts(rows);
    const Tiling tiling(C);
    const int64_t block_rows = block_rows_of(tiling);
    const std::vector<float> scale_t = tiling.tile(scale), shift_t = tiling.tile(shift), mean_tiled = tiling.tile(mean);
    std::vector<double> part_gy(parts * C, 0.0), part_gy_xc(parts * C, 0.0);
    at::parallel_for(0, parts, 1, [&](int64_t begin, int64_t end) {
      std::vector<float> bg(tiling.W), bgx(tiling.W);
      for (int64_t t = begin; t < end; ++t) {
        int64_t r0 = rows * t / parts, r1 = rows * (t + 1) / parts;
        for (int64_t r = r0; r < r1; r += block_rows)
          over_tiles(tiling, r, std::min(r + block_rows, r1), [&](int64_t first, int64_t nr, int64_t width, bool tiled) {
            std::fill(bg.begin(), bg.end(), 0.0f);
            std::fill(bgx.begin(), bgx.end(), 0.0f);
            rows_grad_sums(act, xp + first * C, gp + first * C, nr, width, tiled ? scale_t.data() : scale.data(), tiled ? shift_t.data() : shift.data(),
                           tiled ? mean_tiled.data() : mean, bg.data(), bgx.data());
            for (int64_t j = 0; j < width; ++j) {
              part_gy[t * C + j % C] += bg[j];
              part_gy_xc[t * C + j % C] += bgx[j];
            }
          });
      }
    });
    for (int64_t t = 0; t < parts; ++t)
      for (int64_t c = 0; c < C; ++c) {
        sum_gy[c] += part_gy[t * C + c];
        sum_gy_xc[c] += part_gy_xc[t * C + c];
      }
    if (need_dx) {
      for (int64_t c = 0; c < C; ++c) set_coefficients(c);
      const std::vector<float> grad_mean_t = tiling.tile(grad_mean), proj_t = tiling.tile(proj), k_t = tiling.tile(k);
      at::parallel_for(0, rows, block_rows, [&](int64_t begin, int64_t end) {
        over_tiles(tiling, begin, end, [&](int64_t first, int64_t nr, int64_t width, bool tiled) {
          rows_grad_input(act, xp + first * C, gp + first * C, dxp + first * C, nr, width, tiled ? scale_t.data() : scale.data(),
                          tiled ? shift_t.data() : shift.data(), tiled ? mean_tiled.data() : mean, tiled ? grad_mean_t.data() : grad_mean.data(),
                          tiled ? proj_t.data() : proj.data(), tiled ? k_t.data() : k.data());
        });
      });
    }
  }

  Backward out;
  out.dx = dx;
  if (need_dweight) {
    out.dweight = at::empty({C}, x.options());
    float* dw = out.dweight.data_ptr<float>();
    for (int64_t c = 0; c < C; ++c) dw[c] = static_cast<float>(sum_gy_xc[c] * invstd[c]);
  }
  if (need_dbias) {
    out.dbias = at::empty({C}, x.options());
    float* db = out.dbias.data_ptr<float>();
    for (int64_t c = 0; c < C; ++c) db[c] = static_cast<float>(sum_gy[c]);
  }
  return out;
}

// ---- the unfused path: libtorch's batch norm, then its activation ----

// ReLU and ReLU6 run in place: batch norm's backward needs its input, not its output, and their
// own backward reads their result. SiLU's and hard-swish's read their input, so in place would
// only add a copy.
at::Tensor activate_unfused(at::Tensor y, int64_t act) {
  switch (act) {
    case kReLU: return at::relu_(y);
    case kReLU6: return at::hardtanh_(y, 0.0, 6.0);
    case kSiLU: return at::silu(y);
    case kHardSwish: return at::hardswish(y);
    default: return y;
  }
}

at::Tensor unfused(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, const at::Tensor& running_mean,
                   const at::Tensor& running_var, bool training, double momentum, double eps, int64_t act) {
  return activate_unfused(at::batch_norm(x, weight, bias, running_mean, running_var, training, momentum, eps,
                                         at::globalContext().userEnabledCuDNN()),
                          act);
}

struct BatchNormActFunction : public torch::autograd::Function<BatchNormActFunction> {
  // Absent tensors come as empty optionals: libtorch 1.13's Function::apply takes no undefined tensor.
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, const c10::optional<at::Tensor>& weight_opt,
                            const c10::optional<at::Tensor>& bias_opt, const c10::optional<at::Tensor>& running_mean,
                            const c10::optional<at::Tensor>& running_var, bool training, double momentum, double eps, int64_t act) {
    RECORD_FUNCTION("research::batch_norm_act", c10::ArrayRef<const c10::IValue>{});
    const at::Tensor weight = weight_opt.value_or(at::Tensor()), bias = bias_opt.value_or(at::Tensor());
    Forward f = fused_forward(x, weight, bias, running_mean.value_or(at::Tensor()), running_var.value_or(at::Tensor()), training, momentum,
                              eps, act);
    ctx->save_for_backward({x, weight, bias, f.mean, f.invstd});
    ctx->saved_data["training"] = training;
    ctx->saved_data["eps"] = eps;
    ctx->saved_data["act"] = act;
    return f.output;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads) {
    RECORD_FUNCTION("research::batch_norm_act_backward", c10::ArrayRef<const c10::IValue>{});
    auto saved = ctx->get_saved_variables();
    const at::Tensor &x = saved[0], &weight = saved[1], &bias = saved[2], &mean = saved[3], &invstd = saved[4];
    const bool training = ctx->saved_data["training"].toBool();
    const int64_t act = ctx->saved_data["act"].toInt();
    // needs_input_grad counts the tensors given (absent weight or bias have no edge).
    const bool need_dx = ctx->needs_input_grad(0);
    const bool need_dweight = weight.defined() && ctx->needs_input_grad(1);
    const bool need_dbias = bias.defined() && ctx->needs_input_grad(weight.defined() ? 2 : 1);
    torch::autograd::variable_list result(9);
    if (at::GradMode::is_enabled()) {
      // A double backward (create_graph): the same gradients through libtorch's differentiable ops.
      result = differentiable_backward(x, weight, bias, mean, invstd, grads[0], training, ctx->saved_data["eps"].toDouble(), act,
                                       need_dx, need_dweight, need_dbias);
      result.resize(9);
      return result;
    }
    Backward b = fused_backward(x, grads[0], weight, bias, mean, invstd, training, act, need_dx, need_dweight, need_dbias);
    result[0] = b.dx;
    result[1] = b.dweight;
    result[2] = b.dbias;
    return result;
  }

  // Rebuilds the unfused graph from the saved inputs (batch statistics recomputed; running ones
  // untouched) and differentiates it with create_graph, so second derivatives are libtorch's.
  static torch::autograd::variable_list differentiable_backward(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                                                                const at::Tensor& mean, const at::Tensor& invstd, const at::Tensor& grad,
                                                                bool training, double eps, int64_t act, bool need_dx,
                                                                bool need_dweight, bool need_dbias) {
    std::vector<at::Tensor> inputs;
    auto take = [&](const at::Tensor& t, bool need) {
      if (!need) return at::Tensor();
      at::Tensor v = t.requires_grad() ? t : t.detach().requires_grad_(true);
      inputs.push_back(v);
      return v;
    };
    at::Tensor xv = take(x, need_dx), wv = take(weight, need_dweight), bv = take(bias, need_dbias);
    if (inputs.empty()) return {at::Tensor(), at::Tensor(), at::Tensor()};
    const at::Tensor& xr = xv.defined() ? xv : x;
    const at::Tensor& wr = wv.defined() ? wv : weight;
    const at::Tensor& br = bv.defined() ? bv : bias;
    at::Tensor y;
    if (training) {
      y = at::batch_norm(xr, wr, br, at::Tensor(), at::Tensor(), true, 0.0, eps, false);
    } else {
      // Eval: the statistics are constants (invstd = 1 / sqrt(running_var + eps)).
      y = (xr - mean.view({1, -1, 1, 1})) * invstd.view({1, -1, 1, 1});
      if (wr.defined()) y = y * wr.view({1, -1, 1, 1});
      if (br.defined()) y = y + br.view({1, -1, 1, 1});
    }
    at::Tensor z;
    switch (act) {
      case kReLU: z = at::relu(y); break;
      case kReLU6: z = at::hardtanh(y, 0.0, 6.0); break;
      case kSiLU: z = at::silu(y); break;
      case kHardSwish: z = at::hardswish(y); break;
      default: z = y;
    }
    auto gs = torch::autograd::grad({z}, inputs, {grad}, /*retain_graph=*/true, /*create_graph=*/true, /*allow_unused=*/true);
    size_t i = 0;
    at::Tensor dx = need_dx ? gs[i++] : at::Tensor();
    at::Tensor dw = need_dweight ? gs[i++] : at::Tensor();
    at::Tensor db = need_dbias ? gs[i++] : at::Tensor();
    return {dx, dw, db};
  }
};

bool is_float_cpu(const at::Tensor& t) { return t.scalar_type() == at::kFloat && t.device().is_cpu() && t.layout() == at::kStrided; }

bool is_channel_vector(const at::Tensor& t, int64_t C) {
  return !t.defined() || (is_float_cpu(t) && t.dim() == 1 && t.size(0) == C && t.is_contiguous());
}

// Why the fused kernel does not apply (nullptr when it does).
const char* not_fusable(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, const at::Tensor& running_mean,
                        const at::Tensor& running_var, bool training, int64_t act) {
  if (act < kNone || act > kHardSwish) return "unknown activation code";
  if (!is_float_cpu(x)) return "the input is not a float32 CPU tensor";
  if (x.dim() != 4) return "the input is not 4-d (N, C, H, W)";
  if (x.numel() == 0) return "the input is empty";
  const int64_t C = x.size(1);
  if (!is_channel_vector(weight, C) || !is_channel_vector(bias, C)) return "weight or bias is not a contiguous float32 CPU vector of C values";
  if (!is_channel_vector(running_mean, C) || !is_channel_vector(running_var, C))
    return "a running statistic is not a contiguous float32 CPU vector of C values";
  if (training && x.numel() / C < 2) return "training needs more than one value per channel";
  if (!training && (!running_mean.defined() || !running_var.defined())) return "eval needs the running statistics";
  return nullptr;
}

}  // namespace

// mode 0: the unfused path (libtorch's batch norm, then the activation); 1: the fused kernel where
// it applies, the unfused path elsewhere; 2: the fused kernel, or an error saying why it does not apply.
RT_FN(rt_batch_norm_act, (TH x, TH w, TH b, TH mean, TH var, bool training, double momentum, double eps, int32_t act, int32_t mode, TH* out), {
  const at::Tensor& weight = rt::or_undefined(w);
  const at::Tensor& bias = rt::or_undefined(b);
  const at::Tensor& running_mean = rt::or_undefined(mean);
  const at::Tensor& running_var = rt::or_undefined(var);
  TORCH_CHECK(act >= kNone && act <= kHardSwish, "batch_norm_act: unknown activation code ", act);
  const char* why = mode == 0 ? "" : not_fusable(*x, weight, bias, running_mean, running_var, training, act);
  TORCH_CHECK(mode != 2 || why == nullptr, "batch_norm_act: the fused kernel does not apply: ", why ? why : "");
  *out = rt::wrap(why ? unfused(*x, weight, bias, running_mean, running_var, training, momentum, eps, act)
                      : BatchNormActFunction::apply(*x, rt::opt(w), rt::opt(b), rt::opt(mean), rt::opt(var), training, momentum, eps,
                                                    static_cast<int64_t>(act)));
})
