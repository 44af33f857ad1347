// Pulmo's native kernels: oneDNN (fp32, NHWC activations, HWIO filters) on the tensors of
// TensorFlow.js's wasm backend, read and written in place.
//
// Every entry takes the wasm heap as a Float32Array (a view over the module's memory, built by the
// caller after its last allocation, so it is never stale) and a Float64Array of parameters: element
// offsets of the tensors in that heap, then the shapes. Nothing here allocates on the wasm heap, so
// the view stays valid for the whole call. Every offset + extent is checked against the heap's
// length before oneDNN runs: a wrong shape is a thrown JS error, never a write outside the heap.
//
// Primitives are cached by their full parameter list (shapes, strides, paddings, post-op); memory
// objects wrap the heap pointers afresh on each call, which costs nothing.

#include <node_api.h>
#include <omp.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <cstdio>
#include <algorithm>
#include <cmath>
#include <utility>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "imaging.hpp"
#include "jpegLossless.hpp"

using dnnl::algorithm;
using dnnl::memory;
using dnnl::prop_kind;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;
using dims = dnnl::memory::dims;

namespace {

dnnl::engine &cpu() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream &stream() {
  static dnnl::stream s(cpu());
  return s;
}

struct Heap {
  float *base;
  size_t length;  // in floats
  float *at(double offset, double count, const char *what) const {
    if (offset < 0 || count < 0 || offset + count > static_cast<double>(length)) {
      throw std::invalid_argument(std::string(what) + " lies outside the wasm heap");
    }
    return base + static_cast<size_t>(offset);
  }
};

struct Args {
  Heap heap;
  std::vector<double> p;
  int64_t i(size_t k) const {
    if (k >= p.size()) throw std::invalid_argument("too few parameters");
    return static_cast<int64_t>(p[k]);
  }
  double f(size_t k) const {
    if (k >= p.size()) throw std::invalid_argument("too few parameters");
    return p[k];
  }
};

void check(napi_env env, napi_status status, const char *what) {
  if (status != napi_ok) throw std::runtime_error(std::string("N-API: ") + what);
}

// Reads (heap: Float32Array, params: Float64Array). A SharedArrayBuffer-backed typed array is
// fine: napi_get_typedarray_info gives its data pointer where napi_get_arraybuffer_info refuses.
Args readArgs(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  check(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr), "arguments");
  if (argc < 2) throw std::invalid_argument("expected (heap, params)");
  Args args{};
  bool isTyped = false;
  for (int k = 0; k < 2; k++) {
    check(env, napi_is_typedarray(env, argv[k], &isTyped), "typed array check");
    if (!isTyped) throw std::invalid_argument(k == 0 ? "heap must be a Float32Array" : "params must be a Float64Array");
  }
  napi_typedarray_type type;
  size_t length = 0;
  void *data = nullptr;
  check(env, napi_get_typedarray_info(env, argv[0], &type, &length, &data, nullptr, nullptr), "heap");
  if (type != napi_float32_array) throw std::invalid_argument("heap must be a Float32Array");
  args.heap = Heap{static_cast<float *>(data), length};
  check(env, napi_get_typedarray_info(env, argv[1], &type, &length, &data, nullptr, nullptr), "params");
  if (type != napi_float64_array) throw std::invalid_argument("params must be a Float64Array");
  const double *values = static_cast<const double *>(data);
  args.p.assign(values, values + length);
  return args;
}

void positive(std::initializer_list<int64_t> values, const char *what) {
  for (int64_t v : values) {
    if (v <= 0) throw std::invalid_argument(std::string(what) + ": dimensions must be positive");
  }
}

// The cache key: the primitive's kind and its parameters (shapes, not offsets), exactly.
std::string key(const char *kind, const std::vector<double> &p, size_t from) {
  std::string k(kind);
  char number[32];
  for (size_t i = from; i < p.size(); i++) {
    std::snprintf(number, sizeof(number), ",%.17g", p[i]);
    k += number;
  }
  return k;
}

// ---------------------------------------------------------------------------------------------
// Convolution (tfjs Conv2D, FusedConv2D, Conv2DBackpropInput, Conv2DBackpropFilter).
//
// params: [xOff, wOff, bOff (−1: none), yOff,
//          n, h, w, c, kh, kw, o, oh, ow, sh, sw, dh, dw, pt, pb, pl, pr, activation, alpha]
// activation: 0 linear, 1 relu, 2 relu6, 3 leaky relu (alpha), 4 sigmoid, 5 elu.
// For the gradients the roles of the offsets are [dyOff, wOff|xOff, −1, dxOff|dwOff].

struct ConvShape {
  int64_t n, h, w, c, kh, kw, o, oh, ow, sh, sw, dh, dw, pt, pb, pl, pr;
  explicit ConvShape(const Args &a)
      : n(a.i(4)), h(a.i(5)), w(a.i(6)), c(a.i(7)), kh(a.i(8)), kw(a.i(9)), o(a.i(10)), oh(a.i(11)), ow(a.i(12)),
        sh(a.i(13)), sw(a.i(14)), dh(a.i(15)), dw(a.i(16)), pt(a.i(17)), pb(a.i(18)), pl(a.i(19)), pr(a.i(20)) {
    positive({n, h, w, c, kh, kw, o, oh, ow, sh, sw, dh, dw}, "conv2d");
    // oneDNN's own consistency rule; checked here so the message names the shapes.
    const int64_t eh = (kh - 1) * dh + 1, ew = (kw - 1) * dw + 1;
    if ((h - eh + pt + pb) / sh + 1 != oh || (w - ew + pl + pr) / sw + 1 != ow) {
      throw std::invalid_argument("conv2d: output size does not match input, filter, strides and padding");
    }
  }
  memory::desc src() const { return memory::desc({n, c, h, w}, dt::f32, tag::nhwc); }
  memory::desc weights() const { return memory::desc({o, c, kh, kw}, dt::f32, tag::hwio); }
  memory::desc anyWeights() const { return memory::desc({o, c, kh, kw}, dt::f32, tag::any); }
  memory::desc bias() const { return memory::desc({o}, dt::f32, tag::x); }
  memory::desc dst() const { return memory::desc({n, o, oh, ow}, dt::f32, tag::nhwc); }
  dims strides() const { return {sh, sw}; }
  dims dilates() const { return {dh - 1, dw - 1}; }
  dims padL() const { return {pt, pl}; }
  dims padR() const { return {pb, pr}; }
  int64_t srcSize() const { return n * h * w * c; }
  int64_t weightSize() const { return kh * kw * c * o; }
  int64_t dstSize() const { return n * oh * ow * o; }
};

dnnl::primitive_attr activationAttr(int activation, float alpha) {
  dnnl::primitive_attr attr;
  if (activation == 0) return attr;
  dnnl::post_ops ops;
  switch (activation) {
    case 1: ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f); break;
    case 2: ops.append_eltwise(1.f, algorithm::eltwise_clip, 0.f, 6.f); break;
    case 3: ops.append_eltwise(1.f, algorithm::eltwise_relu, alpha, 0.f); break;
    case 4: ops.append_eltwise(1.f, algorithm::eltwise_logistic, 0.f, 0.f); break;
    case 5: ops.append_eltwise(1.f, algorithm::eltwise_elu, 1.f, 0.f); break;
    default: throw std::invalid_argument("unknown activation");
  }
  attr.set_post_ops(ops);
  return attr;
}

dnnl::convolution_forward::primitive_desc convForwardDesc(const ConvShape &s, bool bias, prop_kind kind,
                                                         const dnnl::primitive_attr &attr, const memory::desc &weights) {
  auto desc = bias ? dnnl::convolution_forward::desc(kind, algorithm::convolution_direct, s.src(), weights, s.bias(),
                                                     s.dst(), s.strides(), s.dilates(), s.padL(), s.padR())
                   : dnnl::convolution_forward::desc(kind, algorithm::convolution_direct, s.src(), weights, s.dst(),
                                                     s.strides(), s.dilates(), s.padL(), s.padR());
  return dnnl::convolution_forward::primitive_desc(desc, attr, cpu());
}

// A primitive with the layout it wants its weights in. Activations stay NHWC (no reorders of the
// large tensors); the filters, small, are given to oneDNN as "any" so it can pick its direct
// AVX-512 kernels' blocked layout, and are reordered to or from HWIO around each call (with plain
// HWIO weights oneDNN falls back to its slower im2col + GEMM path).
struct Prepared {
  dnnl::primitive primitive;
  memory::desc weights;  // the layout the primitive uses for the filter
  memory::desc user;     // the filter's layout in the heap
  std::shared_ptr<dnnl::primitive> toPrimitive;  // reorder user → weights, if they differ
  std::shared_ptr<dnnl::primitive> toUser;       // reorder weights → user, if they differ
};

// The only state: primitives by parameter list. The compute process runs one kernel at a time.
std::unordered_map<std::string, std::shared_ptr<Prepared>> &cache() {
  static std::unordered_map<std::string, std::shared_ptr<Prepared>> prepared;
  return prepared;
}

template <typename Make>
Prepared &cachedPrepared(const std::string &k, Make make) {
  auto &c = cache();
  auto found = c.find(k);
  if (found != c.end()) return *found->second;
  // Bounded: a long session with many input sizes must not grow without limit.
  if (c.size() > 512) c.clear();
  return *c.emplace(k, std::make_shared<Prepared>(make())).first->second;
}

template <typename Make>
dnnl::primitive &cached(const std::string &k, Make make) {
  return cachedPrepared(k, [&] {
           memory::desc none;
           return Prepared{make(), none, none, nullptr, nullptr};
         })
      .primitive;
}

Prepared prepare(dnnl::primitive primitive, const memory::desc &weights, const memory::desc &user) {
  Prepared p{primitive, weights, user, nullptr, nullptr};
  if (weights != user) {
    p.toPrimitive = std::make_shared<dnnl::primitive>(dnnl::reorder(dnnl::reorder::primitive_desc(cpu(), user, cpu(), weights)));
    p.toUser = std::make_shared<dnnl::primitive>(dnnl::reorder(dnnl::reorder::primitive_desc(cpu(), weights, cpu(), user)));
  }
  return p;
}

// The filter as the primitive reads it: the heap's memory itself, or a reordered copy.
memory weightsIn(const Prepared &p, float *data) {
  memory user(p.user, cpu(), data);
  if (!p.toPrimitive) return user;
  memory mine(p.weights, cpu());
  p.toPrimitive->execute(stream(), {{DNNL_ARG_FROM, user}, {DNNL_ARG_TO, mine}});
  return mine;
}

// A forward convolution: the input, the filter (held as `user` in the heap, given to oneDNN as
// `any`), an optional bias and the activation post-op of params 2, 21 and 22. Conv2D and the
// depthwise convolutions differ only in their filters' descriptions.
void convolutionForward(const Args &a, const ConvShape &s, const char *kind, const memory::desc &user, const memory::desc &any,
                        int64_t weightSize) {
  const bool bias = a.f(2) >= 0;
  const int activation = static_cast<int>(a.i(21));
  const float alpha = static_cast<float>(a.f(22));
  float *x = a.heap.at(a.f(0), s.srcSize(), "convolution input");
  float *wt = a.heap.at(a.f(1), weightSize, "convolution filter");
  float *b = bias ? a.heap.at(a.f(2), s.o, "convolution bias") : nullptr;
  float *y = a.heap.at(a.f(3), s.dstSize(), "convolution output");
  auto &p = cachedPrepared(key(kind, a.p, 2), [&] {
    auto pd = convForwardDesc(s, bias, prop_kind::forward_inference, activationAttr(activation, alpha), any);
    return prepare(dnnl::convolution_forward(pd), pd.weights_desc(), user);
  });
  std::unordered_map<int, memory> io{{DNNL_ARG_SRC, memory(s.src(), cpu(), x)},
                                     {DNNL_ARG_WEIGHTS, weightsIn(p, wt)},
                                     {DNNL_ARG_DST, memory(s.dst(), cpu(), y)}};
  if (bias) io.emplace(DNNL_ARG_BIAS, memory(s.bias(), cpu(), b));
  p.primitive.execute(stream(), io);
  stream().wait();
}

void conv2dForward(const Args &a) {
  ConvShape s(a);
  convolutionForward(a, s, "cf", s.weights(), s.anyWeights(), s.weightSize());
}

// The hint a gradient primitive is created from: the training forward pass of the same shape.
dnnl::convolution_forward::primitive_desc trainingHint(const ConvShape &s) {
  return convForwardDesc(s, false, prop_kind::forward_training, dnnl::primitive_attr(), s.anyWeights());
}

void conv2dBackwardData(const Args &a) {
  ConvShape s(a);
  float *dy = a.heap.at(a.f(0), s.dstSize(), "conv2d output gradient");
  float *wt = a.heap.at(a.f(1), s.weightSize(), "conv2d filter");
  float *dx = a.heap.at(a.f(3), s.srcSize(), "conv2d input gradient");
  auto &p = cachedPrepared(key("cd", a.p, 4), [&] {
    auto hint = trainingHint(s);
    dnnl::convolution_backward_data::desc desc(algorithm::convolution_direct, s.src(), s.anyWeights(), s.dst(), s.strides(),
                                               s.dilates(), s.padL(), s.padR());
    dnnl::convolution_backward_data::primitive_desc pd(desc, cpu(), hint);
    return prepare(dnnl::convolution_backward_data(pd), pd.weights_desc(), s.weights());
  });
  p.primitive.execute(stream(), {{DNNL_ARG_DIFF_DST, memory(s.dst(), cpu(), dy)},
                                 {DNNL_ARG_WEIGHTS, weightsIn(p, wt)},
                                 {DNNL_ARG_DIFF_SRC, memory(s.src(), cpu(), dx)}});
  stream().wait();
}

void conv2dBackwardWeights(const Args &a) {
  ConvShape s(a);
  float *dy = a.heap.at(a.f(0), s.dstSize(), "conv2d output gradient");
  float *x = a.heap.at(a.f(1), s.srcSize(), "conv2d input");
  float *dw = a.heap.at(a.f(3), s.weightSize(), "conv2d filter gradient");
  auto &p = cachedPrepared(key("cw", a.p, 4), [&] {
    auto hint = trainingHint(s);
    dnnl::convolution_backward_weights::desc desc(algorithm::convolution_direct, s.src(), s.anyWeights(), s.dst(),
                                                  s.strides(), s.dilates(), s.padL(), s.padR());
    dnnl::convolution_backward_weights::primitive_desc pd(desc, cpu(), hint);
    return prepare(dnnl::convolution_backward_weights(pd), pd.diff_weights_desc(), s.weights());
  });
  memory user(p.user, cpu(), dw);
  memory diff = p.toUser ? memory(p.weights, cpu()) : user;
  p.primitive.execute(stream(), {{DNNL_ARG_DIFF_DST, memory(s.dst(), cpu(), dy)},
                                 {DNNL_ARG_SRC, memory(s.src(), cpu(), x)},
                                 {DNNL_ARG_DIFF_WEIGHTS, diff}});
  if (p.toUser) p.toUser->execute(stream(), {{DNNL_ARG_FROM, diff}, {DNNL_ARG_TO, user}});
  stream().wait();
}

// ---------------------------------------------------------------------------------------------
// Depthwise convolution (tfjs DepthwiseConv2dNative / FusedDepthwiseConv2D): a grouped convolution
// with one group per input channel. The tfjs filter [kh, kw, c, m] is described to oneDNN by its
// strides in the grouped dims (g = c, oc/g = m, ic/g = 1, kh, kw).
// params: as conv2d with o = c·m (the output channels) and one more entry, m, at index 23.

void depthwiseForward(const Args &a) {
  ConvShape s(a);
  const int64_t m = a.i(23);
  positive({m}, "depthwise conv2d");
  if (s.o != s.c * m) throw std::invalid_argument("depthwise conv2d: output channels must be channels × multiplier");
  // The heap's filter is hwigo; oneDNN's depthwise kernels get a layout of their own choice.
  const dims grouped{s.c, m, 1, s.kh, s.kw};
  convolutionForward(a, s, "dw", memory::desc(grouped, dt::f32, tag::hwigo), memory::desc(grouped, dt::f32, tag::any),
                     s.kh * s.kw * s.c * m);
}

// ---------------------------------------------------------------------------------------------
// Pooling (tfjs MaxPool, AvgPool and their gradients). Average pooling excludes padding, as TF.
// params: [xOff, yOff, dyOff, dxOff, n, h, w, c, kh, kw, oh, ow, sh, sw, pt, pb, pl, pr, max(1)/avg(0)]
// Forward uses xOff → yOff. MaxPoolGrad recomputes the forward pass with a workspace (oneDNN's
// record of each window's arg-max) in native scratch memory, then routes dy through it.

struct PoolShape {
  int64_t n, h, w, c, kh, kw, oh, ow, sh, sw, pt, pb, pl, pr;
  bool max;
  explicit PoolShape(const Args &a)
      : n(a.i(4)), h(a.i(5)), w(a.i(6)), c(a.i(7)), kh(a.i(8)), kw(a.i(9)), oh(a.i(10)), ow(a.i(11)), sh(a.i(12)),
        sw(a.i(13)), pt(a.i(14)), pb(a.i(15)), pl(a.i(16)), pr(a.i(17)), max(a.i(18)) {
    positive({n, h, w, c, kh, kw, oh, ow, sh, sw}, "pool");
    if ((h - kh + pt + pb) / sh + 1 != oh || (w - kw + pl + pr) / sw + 1 != ow) {
      throw std::invalid_argument("pool: output size does not match input, window, strides and padding");
    }
  }
  memory::desc src() const { return memory::desc({n, c, h, w}, dt::f32, tag::nhwc); }
  memory::desc dst() const { return memory::desc({n, c, oh, ow}, dt::f32, tag::nhwc); }
  algorithm algo() const { return max ? algorithm::pooling_max : algorithm::pooling_avg_exclude_padding; }
  dnnl::pooling_forward::desc forward(prop_kind kind) const {
    return dnnl::pooling_forward::desc(kind, algo(), src(), dst(), {sh, sw}, {kh, kw}, {pt, pl}, {pb, pr});
  }
  int64_t srcSize() const { return n * h * w * c; }
  int64_t dstSize() const { return n * oh * ow * c; }
};

// Adds `count` pixels of `c` channels into `block` (float) — compiled for AVX-512, AVX2 and the
// baseline, the best chosen at load, so the addon stays portable.
__attribute__((target_clones("avx512f", "avx2", "default"))) void addPixels(const float *row, int64_t count, int64_t c,
                                                                             float *block) {
  for (int64_t p = 0; p < count; p++, row += c) {
    for (int64_t k = 0; k < c; k++) block[k] += row[k];
  }
}

// The mean of each image's channels (a window covering the whole image: the batch-norm statistics
// of batchNormRelu). oneDNN's pooling sums in float32 in one running total, 4x less accurate than
// XNNPACK at 352² (2.7e-5 against 7e-6 relative); here runs of 64 pixels are summed in float and
// the runs' sums in double, which is exact to float32 at these sizes.
void globalMean(const PoolShape &s, const float *x, float *y) {
  const int64_t pixels = s.h * s.w, c = s.c, run = 64;
  const int64_t runs = (pixels + run - 1) / run;
  std::vector<double> total(s.n * c, 0.0);
#pragma omp parallel
  {
    std::vector<double> part(s.n * c, 0.0);
    std::vector<float> block(c);
#pragma omp for schedule(static) nowait
    for (int64_t r = 0; r < s.n * runs; r++) {
      const int64_t n = r / runs, first = (r % runs) * run;
      std::fill(block.begin(), block.end(), 0.f);
      addPixels(x + (n * pixels + first) * c, std::min(run, pixels - first), c, block.data());
      for (int64_t k = 0; k < c; k++) part[n * c + k] += block[k];
    }
#pragma omp critical
    for (int64_t k = 0; k < s.n * c; k++) total[k] += part[k];
  }
  for (int64_t k = 0; k < s.n * c; k++) y[k] = static_cast<float>(total[k] / static_cast<double>(pixels));
}

void poolForward(const Args &a) {
  PoolShape s(a);
  float *x = a.heap.at(a.f(0), s.srcSize(), "pool input");
  float *y = a.heap.at(a.f(1), s.dstSize(), "pool output");
  if (!s.max && s.kh == s.h && s.kw == s.w && s.oh == 1 && s.ow == 1 && s.pt + s.pb + s.pl + s.pr == 0) {
    globalMean(s, x, y);
    return;
  }
  auto &prim = cached(key("pf", a.p, 4), [&] {
    return dnnl::pooling_forward(dnnl::pooling_forward::primitive_desc(s.forward(prop_kind::forward_inference), cpu()));
  });
  prim.execute(stream(), {{DNNL_ARG_SRC, memory(s.src(), cpu(), x)}, {DNNL_ARG_DST, memory(s.dst(), cpu(), y)}});
  stream().wait();
}

void poolBackward(const Args &a) {
  PoolShape s(a);
  float *dy = a.heap.at(a.f(2), s.dstSize(), "pool output gradient");
  float *dx = a.heap.at(a.f(3), s.srcSize(), "pool input gradient");
  auto hint = dnnl::pooling_forward::primitive_desc(s.forward(prop_kind::forward_training), cpu());
  dnnl::pooling_backward::desc desc(s.algo(), s.src(), s.dst(), {s.sh, s.sw}, {s.kh, s.kw}, {s.pt, s.pl}, {s.pb, s.pr});
  dnnl::pooling_backward::primitive_desc pd(desc, cpu(), hint);
  std::unordered_map<int, memory> io{{DNNL_ARG_DIFF_DST, memory(s.dst(), cpu(), dy)},
                                     {DNNL_ARG_DIFF_SRC, memory(s.src(), cpu(), dx)}};
  if (s.max) {
    float *x = a.heap.at(a.f(0), s.srcSize(), "pool input");
    memory workspace(hint.workspace_desc(), cpu());
    memory scratchDst(s.dst(), cpu());
    auto &fwd = cached(key("pt", a.p, 4), [&] { return dnnl::pooling_forward(hint); });
    fwd.execute(stream(), {{DNNL_ARG_SRC, memory(s.src(), cpu(), x)}, {DNNL_ARG_DST, scratchDst}, {DNNL_ARG_WORKSPACE, workspace}});
    io.emplace(DNNL_ARG_WORKSPACE, workspace);
  }
  auto &prim = cached(key("pb", a.p, 4), [&] { return dnnl::pooling_backward(pd); });
  prim.execute(stream(), io);
  stream().wait();
}

// ---------------------------------------------------------------------------------------------
// Batched matrix product (tfjs BatchMatMul, _FusedMatMul): a [ba, m, k] (or [ba, k, m] transposed)
// times b [bb, k, n] (or [bb, n, k]); a batch of 1 broadcasts. Transposes are strides, not copies.
// params: [aOff, bOff, biasOff (−1: none; else n values), yOff, ba, bb, m, k, n, transA, transB,
//          activation, alpha]

void matmul(const Args &a) {
  const int64_t ba = a.i(4), bb = a.i(5), m = a.i(6), k = a.i(7), n = a.i(8);
  const bool ta = a.i(9) != 0, tb = a.i(10) != 0;
  const int activation = static_cast<int>(a.i(11));
  const float alpha = static_cast<float>(a.f(12));
  positive({ba, bb, m, k, n}, "matmul");
  if (ba != bb && ba != 1 && bb != 1) throw std::invalid_argument("matmul: batch sizes must match or be 1");
  const int64_t batch = std::max(ba, bb);
  const bool bias = a.f(2) >= 0;
  float *pa = a.heap.at(a.f(0), ba * m * k, "matmul a");
  float *pb = a.heap.at(a.f(1), bb * k * n, "matmul b");
  float *pbias = bias ? a.heap.at(a.f(2), n, "matmul bias") : nullptr;
  float *py = a.heap.at(a.f(3), batch * m * n, "matmul output");
  memory::desc ad({ba, m, k}, dt::f32, ta ? dims{m * k, 1, m} : dims{m * k, k, 1});
  memory::desc bd({bb, k, n}, dt::f32, tb ? dims{k * n, 1, k} : dims{k * n, n, 1});
  memory::desc biasd({1, 1, n}, dt::f32, tag::abc);
  memory::desc yd({batch, m, n}, dt::f32, tag::abc);
  auto &prim = cached(key("mm", a.p, 2), [&] {
    auto desc = bias ? dnnl::matmul::desc(ad, bd, biasd, yd) : dnnl::matmul::desc(ad, bd, yd);
    return dnnl::matmul(dnnl::matmul::primitive_desc(desc, activationAttr(activation, alpha), cpu()));
  });
  std::unordered_map<int, memory> io{{DNNL_ARG_SRC, memory(ad, cpu(), pa)},
                                     {DNNL_ARG_WEIGHTS, memory(bd, cpu(), pb)},
                                     {DNNL_ARG_DST, memory(yd, cpu(), py)}};
  if (bias) io.emplace(DNNL_ARG_BIAS, memory(biasd, cpu(), pbias));
  prim.execute(stream(), io);
  stream().wait();
}

// ---------------------------------------------------------------------------------------------
// Concat / SplitV along one axis: the tensor seen as [outer, axis·inner] rows, each piece owning a
// contiguous run of every row. One parallel pass of memcpy.
// params: [bigOff, outer, pieces, (pieceOff, pieceRow)...]; toBig 1 = concat, 0 = split.

void pieces(const Args &a, bool toBig) {
  const int64_t outer = a.i(1), count = a.i(2);
  positive({outer, count}, "concat");
  std::vector<float *> ptr(count);
  std::vector<int64_t> row(count), at(count);
  int64_t bigRow = 0;
  for (int64_t j = 0; j < count; j++) {
    row[j] = a.i(4 + 2 * j);
    if (row[j] < 0) throw std::invalid_argument("concat: negative piece");
    ptr[j] = a.heap.at(a.f(3 + 2 * j), static_cast<double>(outer * row[j]), "concat piece");
    at[j] = bigRow;
    bigRow += row[j];
  }
  float *big = a.heap.at(a.f(0), static_cast<double>(outer * bigRow), "concat result");
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < outer; r++) {
    for (int64_t j = 0; j < count; j++) {
      float *whole = big + r * bigRow + at[j];
      float *part = ptr[j] + r * row[j];
      if (toBig) {
        std::memcpy(whole, part, row[j] * sizeof(float));
      } else {
        std::memcpy(part, whole, row[j] * sizeof(float));
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Element-wise activations (tfjs Relu, Relu6, Sigmoid) over a whole tensor.
// params: [xOff, yOff, count, kind]; kind: 1 relu, 2 relu6, 4 sigmoid (the activation codes above).

void eltwise(const Args &a) {
  const int64_t count = a.i(2);
  positive({count}, "eltwise");
  const int kind = static_cast<int>(a.i(3));
  float *x = a.heap.at(a.f(0), count, "eltwise input");
  float *y = a.heap.at(a.f(1), count, "eltwise output");
  memory::desc md({count}, dt::f32, tag::a);
  auto &prim = cached(key("el", a.p, 2), [&] {
    algorithm algo = kind == 1 ? algorithm::eltwise_relu : kind == 2 ? algorithm::eltwise_clip : algorithm::eltwise_logistic;
    if (kind != 1 && kind != 2 && kind != 4) throw std::invalid_argument("eltwise: unknown kind");
    dnnl::eltwise_forward::desc desc(prop_kind::forward_inference, algo, md, 0.f, kind == 2 ? 6.f : 0.f);
    return dnnl::eltwise_forward(dnnl::eltwise_forward::primitive_desc(desc, cpu()));
  });
  prim.execute(stream(), {{DNNL_ARG_SRC, memory(md, cpu(), x)}, {DNNL_ARG_DST, memory(md, cpu(), y)}});
  stream().wait();
}

// ---------------------------------------------------------------------------------------------
// Batch normalisation with given statistics (tfjs FusedBatchNorm at inference), channels last.
// params: [xOff, yOff, meanOff, varOff, scaleOff (−1: ones), offsetOff (−1: zeros), rows, c, epsilon]
// where rows is the product of the leading dimensions.

void batchNormInference(const Args &a) {
  const int64_t rows = a.i(6), c = a.i(7);
  positive({rows, c}, "batch norm");
  const float epsilon = static_cast<float>(a.f(8));
  float *x = a.heap.at(a.f(0), rows * c, "batch norm input");
  float *y = a.heap.at(a.f(1), rows * c, "batch norm output");
  float *mean = a.heap.at(a.f(2), c, "batch norm mean");
  float *variance = a.heap.at(a.f(3), c, "batch norm variance");
  std::vector<float> ones, zeros;
  float *scale = a.f(4) >= 0 ? a.heap.at(a.f(4), c, "batch norm scale") : (ones.assign(c, 1.f), ones.data());
  float *shift = a.f(5) >= 0 ? a.heap.at(a.f(5), c, "batch norm offset") : (zeros.assign(c, 0.f), zeros.data());
  // As a 4-D NHWC tensor of rows×1 pixels: oneDNN normalises per channel whatever the pixels are.
  memory::desc data({rows, c, 1, 1}, dt::f32, tag::nhwc);
  memory::desc channel({c}, dt::f32, tag::a);
  auto &prim = cached(key("bn", a.p, 6), [&] {
    auto flags = dnnl::normalization_flags::use_global_stats | dnnl::normalization_flags::use_scale |
                 dnnl::normalization_flags::use_shift;
    dnnl::batch_normalization_forward::desc desc(prop_kind::forward_inference, data, epsilon, flags);
    return dnnl::batch_normalization_forward(dnnl::batch_normalization_forward::primitive_desc(desc, cpu()));
  });
  prim.execute(stream(), {{DNNL_ARG_SRC, memory(data, cpu(), x)},
                          {DNNL_ARG_DST, memory(data, cpu(), y)},
                          {DNNL_ARG_MEAN, memory(channel, cpu(), mean)},
                          {DNNL_ARG_VARIANCE, memory(channel, cpu(), variance)},
                          {DNNL_ARG_SCALE, memory(channel, cpu(), scale)},
                          {DNNL_ARG_SHIFT, memory(channel, cpu(), shift)}});
  stream().wait();
}

// ---------------------------------------------------------------------------------------------
// Element-wise binary operations (tfjs Add, Sub, Multiply, RealDiv, SquaredDifference) where the
// second operand broadcasts into the first (its dims equal the first's or are 1, same rank).
// params: [aOff, bOff, yOff, op, rank, aDims..., bDims...]; op 0 add, 1 sub, 2 mul, 3 div,
// 4 squared difference (a subtraction with a square post-op).

memory::desc plain(const dims &d) {
  static const tag tags[] = {tag::a, tag::ab, tag::abc, tag::abcd, tag::abcde, tag::abcdef};
  if (d.empty() || d.size() > 6) throw std::invalid_argument("binary: rank 1 to 6");
  return memory::desc(d, dt::f32, tags[d.size() - 1]);
}

void binary(const Args &a) {
  const int op = static_cast<int>(a.i(3));
  const int64_t rank = a.i(4);
  if (rank < 1 || rank > 6) throw std::invalid_argument("binary: rank 1 to 6");
  dims ad(rank), bd(rank);
  int64_t aSize = 1, bSize = 1;
  for (int64_t k = 0; k < rank; k++) {
    ad[k] = a.i(5 + k);
    bd[k] = a.i(5 + rank + k);
    positive({ad[k], bd[k]}, "binary");
    if (bd[k] != ad[k] && bd[k] != 1) throw std::invalid_argument("binary: the second operand must broadcast into the first");
    aSize *= ad[k];
    bSize *= bd[k];
  }
  float *pa = a.heap.at(a.f(0), aSize, "binary a");
  float *pb = a.heap.at(a.f(1), bSize, "binary b");
  float *py = a.heap.at(a.f(2), aSize, "binary output");
  auto &prim = cached(key("bi", a.p, 3), [&] {
    static const algorithm algos[] = {algorithm::binary_add, algorithm::binary_sub, algorithm::binary_mul,
                                      algorithm::binary_div, algorithm::binary_sub};
    if (op < 0 || op > 4) throw std::invalid_argument("binary: unknown operation");
    dnnl::primitive_attr attr;
    if (op == 4) {
      dnnl::post_ops ops;
      ops.append_eltwise(1.f, algorithm::eltwise_square, 0.f, 0.f);
      attr.set_post_ops(ops);
    }
    dnnl::binary::desc desc(algos[op], plain(ad), plain(bd), plain(ad));
    return dnnl::binary(dnnl::binary::primitive_desc(desc, attr, cpu()));
  });
  prim.execute(stream(), {{DNNL_ARG_SRC_0, memory(plain(ad), cpu(), pa)},
                          {DNNL_ARG_SRC_1, memory(plain(bd), cpu(), pb)},
                          {DNNL_ARG_DST, memory(plain(ad), cpu(), py)}});
  stream().wait();
}

// ---------------------------------------------------------------------------------------------
// Bilinear resize (tfjs ResizeBilinear) and its gradient, NHWC. oneDNN's resampling primitive has
// no align-corners mode (Inf-Net's upsampling uses it), so these are plain loops over rows, both
// cores, with the source rows and columns and their weights computed once per call.
// forward params: [xOff, yOff, n, h, w, c, oh, ow, alignCorners, halfPixelCenters]
// gradient params: [dyOff, dxOff, n, h, w, c, oh, ow, alignCorners] (h, w: the image; oh, ow: dy)

struct Lerp {
  int64_t lo, hi;
  float frac;
};

// tfjs's rule: scale = effective input / effective output size (one less of each with align
// corners); the source coordinate clamped below at 0 for its floor and above at size − 1 for its
// ceiling, the fraction taken from the clamped floor.
std::vector<Lerp> lerps(int64_t in, int64_t out, bool align, bool half) {
  const bool a = align && out > 1;
  const double scale = static_cast<double>(a ? in - 1 : in) / static_cast<double>(a ? out - 1 : out);
  std::vector<Lerp> l(out);
  for (int64_t i = 0; i < out; i++) {
    const double src = half ? scale * (i + 0.5) - 0.5 : scale * i;
    const int64_t lo = std::max<int64_t>(0, static_cast<int64_t>(std::floor(src)));
    const int64_t hi = std::min<int64_t>(in - 1, static_cast<int64_t>(std::ceil(src)));
    l[i] = {std::min(lo, in - 1), hi, static_cast<float>(src - static_cast<double>(lo))};
  }
  return l;
}

void resizeForward(const Args &a) {
  const int64_t n = a.i(2), h = a.i(3), w = a.i(4), c = a.i(5), oh = a.i(6), ow = a.i(7);
  positive({n, h, w, c, oh, ow}, "resizeBilinear");
  const bool align = a.i(8) != 0, half = a.i(9) != 0;
  const float *x = a.heap.at(a.f(0), static_cast<double>(n * h * w * c), "resize input");
  float *y = a.heap.at(a.f(1), static_cast<double>(n * oh * ow * c), "resize output");
  const std::vector<Lerp> rows = lerps(h, oh, align, half), cols = lerps(w, ow, align, half);
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < n * oh; r++) {
    const int64_t b = r / oh;
    const Lerp &ry = rows[r % oh];
    const float *top = x + (b * h + ry.lo) * w * c, *bottom = x + (b * h + ry.hi) * w * c;
    float *out = y + r * ow * c;
    for (int64_t j = 0; j < ow; j++) {
      const Lerp &cx = cols[j];
      const float *tl = top + cx.lo * c, *tr = top + cx.hi * c, *bl = bottom + cx.lo * c, *br = bottom + cx.hi * c;
      float *o = out + j * c;
      for (int64_t d = 0; d < c; d++) {
        const float t = tl[d] + (tr[d] - tl[d]) * cx.frac;
        const float u = bl[d] + (br[d] - bl[d]) * cx.frac;
        o[d] = t + (u - t) * ry.frac;
      }
    }
  }
}

// The gradient as tfjs (and TensorFlow) compute it: source coordinate r·scale, no half-pixel
// shift. Gathered per image row rather than scattered, so both cores write disjoint rows: each
// image row lists the dy rows that reach it and with which weight.
void resizeBackward(const Args &a) {
  const int64_t n = a.i(2), h = a.i(3), w = a.i(4), c = a.i(5), oh = a.i(6), ow = a.i(7);
  positive({n, h, w, c, oh, ow}, "resizeBilinearGrad");
  const bool align = a.i(8) != 0;
  const float *dy = a.heap.at(a.f(0), static_cast<double>(n * oh * ow * c), "resize output gradient");
  float *dx = a.heap.at(a.f(1), static_cast<double>(n * h * w * c), "resize input gradient");
  const std::vector<Lerp> rows = lerps(h, oh, align, false), cols = lerps(w, ow, align, false);
  std::vector<std::vector<std::pair<int64_t, float>>> reaching(h);
  for (int64_t r = 0; r < oh; r++) {
    reaching[rows[r].lo].push_back({r, 1.f - rows[r].frac});
    reaching[rows[r].hi].push_back({r, rows[r].frac});
  }
#pragma omp parallel for schedule(static)
  for (int64_t q = 0; q < n * h; q++) {
    const int64_t b = q / h;
    float *out = dx + q * w * c;
    std::fill(out, out + w * c, 0.f);
    for (const auto &[r, wr] : reaching[q % h]) {
      const float *g = dy + (b * oh + r) * ow * c;
      for (int64_t j = 0; j < ow; j++) {
        const Lerp &cx = cols[j];
        const float left = wr * (1.f - cx.frac), right = wr * cx.frac;
        float *l = out + cx.lo * c, *rt = out + cx.hi * c;
        const float *gj = g + j * c;
        for (int64_t d = 0; d < c; d++) {
          l[d] += gj[d] * left;
          rt[d] += gj[d] * right;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Reverse along one axis (tfjs Reverse: the flip test-time augmentation mirrors every batch and
// its maps): the tensor seen as [outer, length, inner]. params: [xOff, yOff, outer, length, inner]

void reverseKernel(const Args &a) {
  const int64_t outer = a.i(2), length = a.i(3), inner = a.i(4);
  positive({outer, length, inner}, "reverse");
  const double count = static_cast<double>(outer * length * inner);
  const float *x = a.heap.at(a.f(0), count, "reverse input");
  float *y = a.heap.at(a.f(1), count, "reverse output");
#pragma omp parallel for schedule(static)
  for (int64_t o = 0; o < outer; o++) {
    const float *from = x + o * length * inner;
    float *to = y + o * length * inner;
    if (inner == 1) {
      for (int64_t k = 0; k < length; k++) to[length - 1 - k] = from[k];
    } else {
      for (int64_t k = 0; k < length; k++) std::memcpy(to + (length - 1 - k) * inner, from + k * inner, inner * sizeof(float));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// N-API glue: every entry catches oneDNN's and our errors and throws them as JS errors.

template <void (*Kernel)(const Args &)>
napi_value entry(napi_env env, napi_callback_info info) {
  try {
    Kernel(readArgs(env, info));
  } catch (const dnnl::error &e) {
    napi_throw_error(env, "PULMO_DNNL", (std::string("oneDNN: ") + e.what()).c_str());
  } catch (const std::exception &e) {
    napi_throw_error(env, "PULMO_DNNL", e.what());
  }
  return nullptr;
}

void concatKernel(const Args &a) { pieces(a, true); }
void splitKernel(const Args &a) { pieces(a, false); }

// ---------------------------------------------------------------------------------------------
// Image kernels of the analysis (imaging.hpp) on plain typed arrays of the JS heap, not the wasm
// heap: the volumes they smooth and measure never pass through TensorFlow.js.

template <typename T>
T *typed(napi_env env, napi_value value, napi_typedarray_type want, size_t &length, const char *what) {
  bool isTyped = false;
  check(env, napi_is_typedarray(env, value, &isTyped), "typed array check");
  napi_typedarray_type type;
  void *data = nullptr;
  if (isTyped) check(env, napi_get_typedarray_info(env, value, &type, &length, &data, nullptr, nullptr), what);
  if (!isTyped || type != want) throw std::invalid_argument(std::string(what) + " has the wrong array type");
  return static_cast<T *>(data);
}

std::vector<napi_value> arguments(napi_env env, napi_callback_info info, size_t count) {
  size_t argc = count;
  std::vector<napi_value> argv(count);
  check(env, napi_get_cb_info(env, info, &argc, argv.data(), nullptr, nullptr), "arguments");
  if (argc < count) throw std::invalid_argument("too few arguments");
  return argv;
}

// smoothAxis(a: Float32Array, b: Float32Array, kernel: Float32Array, [radius, n, stride])
void smoothAxisKernel(napi_env env, napi_callback_info info) {
  const std::vector<napi_value> argv = arguments(env, info, 4);
  size_t na = 0, nb = 0, nk = 0, np = 0;
  const float *a = typed<float>(env, argv[0], napi_float32_array, na, "source");
  float *b = typed<float>(env, argv[1], napi_float32_array, nb, "target");
  const float *kernel = typed<float>(env, argv[2], napi_float32_array, nk, "kernel");
  const double *p = typed<double>(env, argv[3], napi_float64_array, np, "params");
  if (np < 3) throw std::invalid_argument("smoothAxis: too few parameters");
  const int64_t radius = static_cast<int64_t>(p[0]), n = static_cast<int64_t>(p[1]), stride = static_cast<int64_t>(p[2]);
  if (radius < 0 || n <= 0 || stride <= 0 || nk != static_cast<size_t>(2 * radius + 1)) {
    throw std::invalid_argument("smoothAxis: kernel length must be 2·radius + 1 and the axis positive");
  }
  if (na != nb || na % static_cast<size_t>(n * stride) != 0) {
    throw std::invalid_argument("smoothAxis: arrays must be equal and whole blocks of n·stride values");
  }
  pulmo_imaging::convolveAxis(a, b, static_cast<int64_t>(na), kernel, radius, n, stride);
}

// squaredDistance3d(volume: Uint8Array, out: Float32Array, [nx, ny, nz, feature, sx, sy, sz, frame, inPlane?])
void squaredDistance3dKernel(napi_env env, napi_callback_info info) {
  const std::vector<napi_value> argv = arguments(env, info, 3);
  size_t nv = 0, no = 0, np = 0;
  const uint8_t *volume = typed<uint8_t>(env, argv[0], napi_uint8_array, nv, "volume");
  float *out = typed<float>(env, argv[1], napi_float32_array, no, "output");
  const double *p = typed<double>(env, argv[2], napi_float64_array, np, "params");
  if (np < 8) throw std::invalid_argument("squaredDistance3d: too few parameters");
  const int64_t nx = static_cast<int64_t>(p[0]), ny = static_cast<int64_t>(p[1]), nz = static_cast<int64_t>(p[2]);
  positive({nx, ny, nz}, "squaredDistance3d");
  if (nv != static_cast<size_t>(nx * ny * nz) || no != nv) {
    throw std::invalid_argument("squaredDistance3d: volume and output must hold nx·ny·nz values");
  }
  const bool inPlane = np > 8 && p[8] != 0;
  pulmo_imaging::distance3d(volume, nx, ny, nz, static_cast<int>(p[3]), p[4], p[5], p[6], p[7] != 0, inPlane, out);
}

// closeAndFillSlices(labels: Uint8Array, halfWidth: Int32Array,
//                    [nx, ny, nz, marginX, marginY, closing, reach, lung...])
void closeAndFillKernel(napi_env env, napi_callback_info info) {
  const std::vector<napi_value> argv = arguments(env, info, 3);
  size_t nl = 0, nh = 0, np = 0;
  uint8_t *labels = typed<uint8_t>(env, argv[0], napi_uint8_array, nl, "labels");
  const int32_t *halfWidth = typed<int32_t>(env, argv[1], napi_int32_array, nh, "half-widths");
  const double *p = typed<double>(env, argv[2], napi_float64_array, np, "params");
  if (np < 8) throw std::invalid_argument("closeAndFillSlices: too few parameters");
  const int64_t nx = static_cast<int64_t>(p[0]), ny = static_cast<int64_t>(p[1]), nz = static_cast<int64_t>(p[2]);
  const int64_t marginX = static_cast<int64_t>(p[3]), marginY = static_cast<int64_t>(p[4]), reach = static_cast<int64_t>(p[6]);
  positive({nx, ny, nz}, "closeAndFillSlices");
  if (nl != static_cast<size_t>(nx * ny * nz)) throw std::invalid_argument("closeAndFillSlices: labels must hold nx·ny·nz values");
  if (marginX < 0 || marginY < 0 || reach < 0 || nh != static_cast<size_t>(2 * reach + 1)) {
    throw std::invalid_argument("closeAndFillSlices: margins ≥ 0 and 2·reach + 1 half-widths");
  }
  std::vector<uint8_t> lungs;
  for (size_t k = 7; k < np; k++) {
    if (p[k] < 1 || p[k] > 255) throw std::invalid_argument("closeAndFillSlices: lung labels are 1 to 255");
    lungs.push_back(static_cast<uint8_t>(p[k]));
  }
  pulmo_imaging::closeAndFillSlices(labels, nx, ny, nz, marginX, marginY, p[5] != 0, halfWidth, reach, lungs);
}

// decodeJpegLosslessSlices(frames: Uint8Array, params: Float64Array, target: Int16Array, status: Uint8Array)
// params: per slice [offset, length, width, height, bitsStored, pixelRepresentation, slope, intercept]
// (offset and length of its JPEG stream in frames); slice k's HU at target + k·width·height, all
// slices of one size; status[k] = 1 decoded, 0 refused (the TypeScript then takes it).
void decodeJpegLosslessKernel(napi_env env, napi_callback_info info) {
  const std::vector<napi_value> argv = arguments(env, info, 4);
  size_t nf = 0, np = 0, nt = 0, ns = 0;
  const uint8_t *frames = typed<uint8_t>(env, argv[0], napi_uint8_array, nf, "frames");
  const double *p = typed<double>(env, argv[1], napi_float64_array, np, "params");
  int16_t *target = typed<int16_t>(env, argv[2], napi_int16_array, nt, "target");
  uint8_t *status = typed<uint8_t>(env, argv[3], napi_uint8_array, ns, "status");
  if (np % 8 != 0 || np / 8 != ns) throw std::invalid_argument("decodeJpegLosslessSlices: 8 parameters and one status per slice");
  std::vector<pulmo_jpeg::SliceParams> slices(ns);
  for (size_t k = 0; k < ns; k++) {
    const double *q = p + 8 * k;
    slices[k] = {static_cast<int64_t>(q[0]), static_cast<int64_t>(q[1]), static_cast<int64_t>(q[2]), static_cast<int64_t>(q[3]),
                 static_cast<int64_t>(q[4]), static_cast<int64_t>(q[5]), q[6], q[7]};
    positive({slices[k].width, slices[k].height}, "decodeJpegLosslessSlices");
    if (slices[k].width * slices[k].height != slices[0].width * slices[0].height) {
      throw std::invalid_argument("decodeJpegLosslessSlices: the slices differ in size");
    }
  }
  if (ns > 0 && nt != ns * static_cast<size_t>(slices[0].width * slices[0].height)) {
    throw std::invalid_argument("decodeJpegLosslessSlices: target must hold every slice's pixels");
  }
  pulmo_jpeg::decodeSlices(frames, static_cast<int64_t>(nf), slices, target, status);
}

// maskRuns(mask: Uint8Array, [nx, rows, above]) → { rowFirstRun, runStart, runEnd } (Int32Arrays)
napi_value int32Array(napi_env env, const std::vector<int32_t> &values) {
  void *data = nullptr;
  napi_value buffer, array;
  check(env, napi_create_arraybuffer(env, values.size() * sizeof(int32_t), &data, &buffer), "array buffer");
  if (!values.empty()) std::memcpy(data, values.data(), values.size() * sizeof(int32_t));
  check(env, napi_create_typedarray(env, napi_int32_array, values.size(), buffer, 0, &array), "typed array");
  return array;
}

napi_value maskRunsEntry(napi_env env, napi_callback_info info) {
  try {
    const std::vector<napi_value> argv = arguments(env, info, 2);
    size_t nm = 0, np = 0;
    const uint8_t *mask = typed<uint8_t>(env, argv[0], napi_uint8_array, nm, "mask");
    const double *p = typed<double>(env, argv[1], napi_float64_array, np, "params");
    if (np < 3) throw std::invalid_argument("maskRuns: too few parameters");
    const int64_t nx = static_cast<int64_t>(p[0]), rows = static_cast<int64_t>(p[1]);
    positive({nx, rows}, "maskRuns");
    if (nm != static_cast<size_t>(nx * rows)) throw std::invalid_argument("maskRuns: the mask must hold nx·rows values");
    if (p[2] < 0 || p[2] > 255) throw std::invalid_argument("maskRuns: the threshold is 0 to 255");
    std::vector<int32_t> rowFirstRun, runStart, runEnd;
    pulmo_imaging::maskRuns(mask, nx, rows, static_cast<int>(p[2]), rowFirstRun, runStart, runEnd);
    napi_value result;
    check(env, napi_create_object(env, &result), "object");
    check(env, napi_set_named_property(env, result, "rowFirstRun", int32Array(env, rowFirstRun)), "rowFirstRun");
    check(env, napi_set_named_property(env, result, "runStart", int32Array(env, runStart)), "runStart");
    check(env, napi_set_named_property(env, result, "runEnd", int32Array(env, runEnd)), "runEnd");
    return result;
  } catch (const std::exception &e) {
    napi_throw_error(env, "PULMO_DNNL", e.what());
    return nullptr;
  }
}

// growMarkers(mask: Uint8Array, markers: Uint8Array, labels: Uint8Array (zeros), [nx, ny, nz])
void growMarkersKernel(napi_env env, napi_callback_info info) {
  const std::vector<napi_value> argv = arguments(env, info, 4);
  size_t nm = 0, nk = 0, nl = 0, np = 0;
  const uint8_t *mask = typed<uint8_t>(env, argv[0], napi_uint8_array, nm, "mask");
  const uint8_t *markers = typed<uint8_t>(env, argv[1], napi_uint8_array, nk, "markers");
  uint8_t *labels = typed<uint8_t>(env, argv[2], napi_uint8_array, nl, "labels");
  const double *p = typed<double>(env, argv[3], napi_float64_array, np, "params");
  if (np < 3) throw std::invalid_argument("growMarkers: too few parameters");
  const int64_t nx = static_cast<int64_t>(p[0]), ny = static_cast<int64_t>(p[1]), nz = static_cast<int64_t>(p[2]);
  positive({nx, ny, nz}, "growMarkers");
  const size_t n = static_cast<size_t>(nx * ny * nz);
  if (nm != n || nk != n || nl != n) throw std::invalid_argument("growMarkers: mask, markers and labels must hold nx·ny·nz values");
  pulmo_imaging::growMarkers(mask, markers, labels, nx, ny, nz);
}

template <void (*Kernel)(napi_env, napi_callback_info)>
napi_value arrayEntry(napi_env env, napi_callback_info info) {
  try {
    Kernel(env, info);
  } catch (const std::exception &e) {
    napi_throw_error(env, "PULMO_DNNL", e.what());
  }
  return nullptr;
}

napi_value setThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t threads = 0;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &threads) != napi_ok || threads < 1) {
    napi_throw_error(env, "PULMO_DNNL", "setThreads(n): n must be a positive integer");
    return nullptr;
  }
  omp_set_num_threads(threads);
  return nullptr;
}

napi_value describe(napi_env env, napi_callback_info) {
  const dnnl_version_t *v = dnnl_version();
  std::string text = std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch) +
                     ";" + std::to_string(omp_get_max_threads()) + ";" + std::to_string(cache().size());
  napi_value result;
  napi_create_string_utf8(env, text.c_str(), text.size(), &result);
  return result;
}

napi_value clearCache(napi_env env, napi_callback_info) {
  cache().clear();
  return nullptr;
}

napi_value init(napi_env env, napi_value exports) {
  const napi_property_descriptor properties[] = {
      {"conv2d", nullptr, entry<conv2dForward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropInput", nullptr, entry<conv2dBackwardData>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropFilter", nullptr, entry<conv2dBackwardWeights>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"depthwiseConv2d", nullptr, entry<depthwiseForward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pool", nullptr, entry<poolForward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"poolGrad", nullptr, entry<poolBackward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matmul", nullptr, entry<matmul>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, entry<binary>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"eltwise", nullptr, entry<eltwise>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNorm", nullptr, entry<batchNormInference>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"concat", nullptr, entry<concatKernel>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"split", nullptr, entry<splitKernel>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"resizeBilinear", nullptr, entry<resizeForward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"resizeBilinearGrad", nullptr, entry<resizeBackward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reverse", nullptr, entry<reverseKernel>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"smoothAxis", nullptr, arrayEntry<smoothAxisKernel>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"squaredDistance3d", nullptr, arrayEntry<squaredDistance3dKernel>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"closeAndFillSlices", nullptr, arrayEntry<closeAndFillKernel>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"decodeJpegLosslessSlices", nullptr, arrayEntry<decodeJpegLosslessKernel>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maskRuns", nullptr, maskRunsEntry, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"growMarkers", nullptr, arrayEntry<growMarkersKernel>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, setThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"describe", nullptr, describe, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"clearCache", nullptr, clearCache, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
