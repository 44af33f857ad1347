// Pulmo's image kernels for the analysis of a volume: the separable Gaussian smoothing of the lobe
// step's fissure filter and the exact Euclidean distance transform of the CT pattern. Each is a
// line-for-line port of its TypeScript original (src/main/regions/fissureEvidence.ts convolveAxis,
// src/main/morphology/distanceTransform{2d,3d}.ts) with the same double-precision arithmetic in
// the same order and the same float32 stores, so the results are bit for bit the ones the
// TypeScript computes; only the work is spread over the cores. (Built with -ffp-contract=off: a
// fused multiply-add would round differently.)
#pragma once

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace pulmo_imaging {

// convolveAxis: b = a convolved along one axis (length n, stride) with kernel[2·radius + 1],
// the ends clamped. a and b hold whole blocks of n·stride values.
inline void convolveAxis(const float *a, float *b, int64_t total, const float *kernel, int64_t radius, int64_t n,
                         int64_t stride) {
  const int64_t taps = 2 * radius + 1;
  if (stride == 1) {
    const int64_t rows = total / n;
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < rows; r++) {
      const int64_t start = r * n;
      for (int64_t t = 0; t < n; t++) {
        double sum = 0;
        if (t >= radius && t + radius < n) {
          const int64_t base = start + t - radius;
          for (int64_t d = 0; d < taps; d++) sum += static_cast<double>(kernel[d]) * static_cast<double>(a[base + d]);
        } else {
          for (int64_t d = -radius; d <= radius; d++) {
            const int64_t q = t + d < 0 ? 0 : t + d >= n ? n - 1 : t + d;
            sum += static_cast<double>(kernel[d + radius]) * static_cast<double>(a[start + q]);
          }
        }
        b[start + t] = static_cast<float>(sum);
      }
    }
    return;
  }
  const int64_t blocks = total / (n * stride);
#pragma omp parallel
  {
    std::vector<double> acc(stride);
#pragma omp for schedule(static)
    for (int64_t bt = 0; bt < blocks * n; bt++) {
      const int64_t block = (bt / n) * n * stride, t = bt % n;
      std::fill(acc.begin(), acc.end(), 0.0);
      for (int64_t d = -radius; d <= radius; d++) {
        const int64_t q = t + d < 0 ? 0 : t + d >= n ? n - 1 : t + d;
        const double w = kernel[d + radius];
        const float *row = a + block + q * stride;
        for (int64_t i = 0; i < stride; i++) acc[i] += w * static_cast<double>(row[i]);
      }
      float *out = b + block + t * stride;
      for (int64_t i = 0; i < stride; i++) out[i] = static_cast<float>(acc[i]);
    }
  }
}

constexpr double FAR_SQUARED_MM = 1e12;
constexpr double INF = std::numeric_limits<double>::infinity();

struct Scratch {
  std::vector<double> column, distance, boundary;
  std::vector<int32_t> vertex;
  explicit Scratch(int64_t n) : column(n), distance(n), boundary(n + 1), vertex(n) {}
};

// lowerEnvelope1d (Felzenszwalb & Huttenlocher 2012), f sampled at q·step.
inline void lowerEnvelope1d(const double *f, int64_t n, double step, double *d, int32_t *v, double *z) {
  auto intersection = [&](int64_t q, int64_t r) {
    const double pq = static_cast<double>(q) * step, pr = static_cast<double>(r) * step;
    return (f[q] + pq * pq - (f[r] + pr * pr)) / (2 * (pq - pr));
  };
  int64_t k = 0;
  v[0] = 0;
  z[0] = -INF;
  z[1] = INF;
  for (int64_t q = 1; q < n; q++) {
    double s = intersection(q, v[k]);
    while (s <= z[k]) {
      k--;
      s = intersection(q, v[k]);
    }
    k++;
    v[k] = static_cast<int32_t>(q);
    z[k] = s;
    z[k + 1] = INF;
  }
  k = 0;
  for (int64_t q = 0; q < n; q++) {
    const double pq = static_cast<double>(q) * step;
    while (z[k + 1] < pq) k++;
    const double dv = pq - static_cast<double>(v[k]) * step;
    d[q] = dv * dv + f[v[k]];
  }
}

// envelopeAlongLine: the count values at start, start + stride, … replaced by their lower envelope.
inline void envelopeAlongLine(float *out, int64_t start, int64_t stride, int64_t count, double spacing, bool frame,
                              Scratch &s, double ceiling) {
  for (int64_t i = 0; i < count; i++) s.column[i] = out[start + i * stride];
  lowerEnvelope1d(s.column.data(), count, spacing, s.distance.data(), s.vertex.data(), s.boundary.data());
  for (int64_t i = 0; i < count; i++) {
    double value = s.distance[i];
    if (frame) {
      const double toFrame = static_cast<double>(std::min(i + 1, count - i)) * spacing;
      if (toFrame * toFrame < value) value = toFrame * toFrame;
    }
    out[start + i * stride] = static_cast<float>(std::min(value, ceiling));
  }
}

// squaredDistanceToFeature2d on one slice.
inline void distance2d(const uint8_t *image, int64_t width, int64_t height, int feature, double sx, double sy, bool frame,
                       float *out, Scratch &s) {
  for (int64_t y = 0; y < height; y++) {
    const int64_t row = y * width;
    double last = frame ? -1 : -INF;
    for (int64_t x = 0; x < width; x++) {
      if (image[row + x] == feature) last = static_cast<double>(x);
      out[row + x] = static_cast<float>(static_cast<double>(x) - last);
    }
    last = frame ? static_cast<double>(width) : INF;
    for (int64_t x = width - 1; x >= 0; x--) {
      if (image[row + x] == feature) last = static_cast<double>(x);
      const double gap = std::min(static_cast<double>(out[row + x]), last - static_cast<double>(x));
      out[row + x] = static_cast<float>(std::isfinite(gap) ? gap * sx * gap * sx : FAR_SQUARED_MM);
    }
  }
  for (int64_t x = 0; x < width; x++) envelopeAlongLine(out, x, width, height, sy, frame, s, INF);
}

// squaredDistanceToFeature3d: every slice in 2D, then the envelope along z (unless inPlane: then
// each slice's own 2D transform, squaredDistanceToFeature2d slice by slice).
inline void distance3d(const uint8_t *volume, int64_t nx, int64_t ny, int64_t nz, int feature, double sx, double sy,
                       double sz, bool frame, bool inPlane, float *out) {
  const int64_t slice = nx * ny;
  const int64_t longest = std::max({nx, ny, nz});
#pragma omp parallel
  {
    Scratch s(longest);
#pragma omp for schedule(dynamic, 4)
    for (int64_t k = 0; k < nz; k++) distance2d(volume + k * slice, nx, ny, feature, sx, sy, frame, out + k * slice, s);
    if (!inPlane && (nz >= 2 || frame)) {
#pragma omp for schedule(static)
      for (int64_t p = 0; p < slice; p++) envelopeAlongLine(out, p, slice, nz, sz, frame, s, FAR_SQUARED_MM);
    }
  }
}

}  // namespace pulmo_imaging
