// Views, reshapes, joins, splits and indexing.
#include "shim.h"

RT_FN(rt_view, (TH a, const int64_t* s, int32_t n, TH* out), *out = rt::wrap(a->view(rt::ints(s, n))))
RT_FN(rt_reshape, (TH a, const int64_t* s, int32_t n, TH* out), *out = rt::wrap(a->reshape(rt::ints(s, n))))
RT_FN(rt_permute, (TH a, const int64_t* s, int32_t n, TH* out), *out = rt::wrap(a->permute(rt::ints(s, n))))
RT_FN(rt_expand, (TH a, const int64_t* s, int32_t n, TH* out), *out = rt::wrap(a->expand(rt::ints(s, n))))
RT_FN(rt_repeat, (TH a, const int64_t* s, int32_t n, TH* out), *out = rt::wrap(a->repeat(rt::ints(s, n))))
RT_FN(rt_transpose, (TH a, int64_t d0, int64_t d1, TH* out), *out = rt::wrap(a->transpose(d0, d1)))
RT_FN(rt_flatten, (TH a, int64_t start, int64_t end, TH* out), *out = rt::wrap(a->flatten(start, end)))
RT_FN(rt_squeeze, (TH a, TH* out), *out = rt::wrap(a->squeeze()))
RT_FN(rt_squeeze_dim, (TH a, int64_t dim, TH* out), *out = rt::wrap(a->squeeze(dim)))
RT_FN(rt_unsqueeze, (TH a, int64_t dim, TH* out), *out = rt::wrap(a->unsqueeze(dim)))
RT_FN(rt_narrow, (TH a, int64_t dim, int64_t start, int64_t length, TH* out), *out = rt::wrap(a->narrow(dim, start, length)))
RT_FN(rt_slice, (TH a, int64_t dim, int64_t start, int64_t end, int64_t step, TH* out),
      *out = rt::wrap(a->slice(dim, start, end, step)))
RT_FN(rt_select, (TH a, int64_t dim, int64_t index, TH* out), *out = rt::wrap(a->select(dim, index)))
RT_FN(rt_index_select, (TH a, int64_t dim, TH index, TH* out), *out = rt::wrap(at::index_select(*a, dim, *index)))
RT_FN(rt_gather, (TH a, int64_t dim, TH index, TH* out), *out = rt::wrap(at::gather(*a, dim, *index)))
RT_FN(rt_masked_fill, (TH a, TH mask, double d, int64_t l, int32_t kind, TH* out),
      *out = rt::wrap(at::masked_fill(*a, *mask, rt::scalar(d, l, kind))))
RT_FN(rt_cat, (const TH* ts, int32_t n, int64_t dim, TH* out), *out = rt::wrap(at::cat(rt::list(ts, n), dim)))
RT_FN(rt_stack, (const TH* ts, int32_t n, int64_t dim, TH* out), *out = rt::wrap(at::stack(rt::list(ts, n), dim)))
RT_FN(rt_chunk, (TH a, int64_t chunks, int64_t dim, TL* out), *out = new std::vector<at::Tensor>(a->chunk(chunks, dim)))
RT_FN(rt_split, (TH a, int64_t size, int64_t dim, TL* out), *out = new std::vector<at::Tensor>(a->split(size, dim)))
RT_FN(rt_split_sizes, (TH a, const int64_t* sizes, int32_t n, int64_t dim, TL* out),
      *out = new std::vector<at::Tensor>(a->split_with_sizes(rt::ints(sizes, n), dim)))

// pad: mode 0 constant, 1 reflect, 2 replicate, 3 circular (last dims first, as in F.pad).
RT_FN(rt_pad, (TH a, const int64_t* p, int32_t n, int32_t mode, double value, TH* out), {
  auto pad = rt::ints(p, n);
  switch (mode) {
    case 0: *out = rt::wrap(at::constant_pad_nd(*a, pad, value)); return nullptr;
    case 1:
      TORCH_CHECK(n == 4 && a->dim() >= 3, "pad: reflect mode supports 4 pad values on 3-D or 4-D input");
      *out = rt::wrap(at::reflection_pad2d(*a, pad)); return nullptr;
    case 2:
      TORCH_CHECK(n == 4 && a->dim() >= 3, "pad: replicate mode supports 4 pad values on 3-D or 4-D input");
      *out = rt::wrap(at::replication_pad2d(*a, pad)); return nullptr;
    case 3: *out = rt::wrap(at::_pad_circular(*a, pad)); return nullptr;
  }
  TORCH_CHECK(false, "pad: unknown mode ", mode);
})
RT_FN(rt_flip, (TH a, const int64_t* dims, int32_t n, TH* out), *out = rt::wrap(at::flip(*a, rt::ints(dims, n))))
RT_FN(rt_roll, (TH a, const int64_t* shifts, const int64_t* dims, int32_t n, TH* out),
      *out = rt::wrap(at::roll(*a, rt::ints(shifts, n), rt::ints(dims, n))))
