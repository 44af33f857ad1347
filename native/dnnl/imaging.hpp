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


// ---------------------------------------------------------------------------------------------
// The lungs' per-slice closing and hole filling (src/main/lungs/lungMaskRefinement.ts
// closeAndFillLungsPerSlice, with src/main/morphology/diskDilation2d.ts and borderFlood2d.ts): the
// same integer operations, so the same voxels; the slices spread over the cores. The disk's
// half-widths per row offset come from the TypeScript (one floating-point rule, computed once).

struct DiskScratch {
  std::vector<int32_t> runStart, runEnd, rowFirstRun;
};

// dilateWithDisk2d: out = 1 where a pixel equal to feature lies within the disk, else 0; frame: the
// outside of the image counts as feature.
inline void dilateDisk2d(const uint8_t *image, int64_t width, int64_t height, uint8_t feature, const int32_t *halfWidth,
                         int64_t reach, bool frame, uint8_t *out, DiskScratch &s) {
  const size_t maxRuns = static_cast<size_t>(height * ((width + 1) / 2 + 2));
  if (s.runStart.size() < maxRuns) {
    s.runStart.resize(maxRuns);
    s.runEnd.resize(maxRuns);
  }
  if (s.rowFirstRun.size() < static_cast<size_t>(height + 1)) s.rowFirstRun.resize(height + 1);
  int64_t count = 0;
  for (int64_t y = 0; y < height; y++) {
    s.rowFirstRun[y] = static_cast<int32_t>(count);
    const uint8_t *row = image + y * width;
    if (frame) {
      s.runStart[count] = -1;
      s.runEnd[count++] = 0;
    }
    int64_t x = 0;
    while (x < width) {
      while (x < width && row[x] != feature) x++;
      if (x == width) break;
      s.runStart[count] = static_cast<int32_t>(x);
      while (x < width && row[x] == feature) x++;
      s.runEnd[count++] = static_cast<int32_t>(x);
    }
    if (frame) {
      s.runStart[count] = static_cast<int32_t>(width);
      s.runEnd[count++] = static_cast<int32_t>(width + 1);
    }
  }
  s.rowFirstRun[height] = static_cast<int32_t>(count);
  for (int64_t y = 0; y < height; y++) {
    uint8_t *row = out + y * width;
    std::fill(row, row + width, uint8_t{0});
    for (int64_t dy = -reach; dy <= reach; dy++) {
      const int64_t source = y + dy;
      if (source < 0 || source >= height) {
        if (frame) {
          std::fill(row, row + width, uint8_t{1});
          break;
        }
        continue;
      }
      const int64_t h = halfWidth[dy + reach];
      for (int64_t n = s.rowFirstRun[source]; n < s.rowFirstRun[source + 1]; n++) {
        const int64_t from = std::max<int64_t>(0, s.runStart[n] - h);
        const int64_t to = std::min<int64_t>(width, s.runEnd[n] + h);
        if (from < to) std::fill(row + from, row + to, uint8_t{1});
      }
    }
  }
}

// fillHoles2d: background pixels (0) not 4-connected to the border through background become 1.
inline void fillHoles2d(uint8_t *mask, int64_t width, int64_t height, std::vector<uint8_t> &reached,
                        std::vector<int64_t> &stack) {
  const int64_t n = width * height;
  reached.assign(n, 0);
  stack.clear();
  auto seed = [&](int64_t p) {
    if (mask[p] == 0 && reached[p] == 0) {
      reached[p] = 1;
      stack.push_back(p);
    }
  };
  for (int64_t x = 0; x < width; x++) {
    seed(x);
    seed((height - 1) * width + x);
  }
  for (int64_t y = 1; y < height - 1; y++) {
    seed(y * width);
    seed(y * width + width - 1);
  }
  while (!stack.empty()) {
    const int64_t p = stack.back();
    stack.pop_back();
    const int64_t y = p / width, x = p - y * width;
    if (x > 0) seed(p - 1);
    if (x < width - 1) seed(p + 1);
    if (y > 0) seed(p - width);
    if (y < height - 1) seed(p + width);
  }
  for (int64_t p = 0; p < n; p++) {
    if (mask[p] == 0 && reached[p] == 0) mask[p] = 1;
  }
}

// closeAndFillLungsPerSlice on every slice: per lung in order, its box grown by the margins, the
// closing (dilation, then erosion as the dilated complement's complement, united with the lung),
// the holes filled, and the result given to the slice's background voxels only.
inline void closeAndFillSlices(uint8_t *labels, int64_t nx, int64_t ny, int64_t nz, int64_t marginX, int64_t marginY,
                               bool closing, const int32_t *halfWidth, int64_t reach, const std::vector<uint8_t> &lungs) {
  const int64_t sliceSize = nx * ny;
#pragma omp parallel
  {
    std::vector<uint8_t> window(sliceSize), dilated(sliceSize), eroded(sliceSize), reached;
    std::vector<int64_t> stack;
    DiskScratch scratch;
#pragma omp for schedule(dynamic, 2)
    for (int64_t k = 0; k < nz; k++) {
      uint8_t *slice = labels + k * sliceSize;
      for (const uint8_t lung : lungs) {
        int64_t minX = nx, maxX = -1, minY = ny, maxY = -1;
        for (int64_t y = 0; y < ny; y++) {
          const uint8_t *row = slice + y * nx;
          for (int64_t x = 0; x < nx; x++) {
            if (row[x] != lung) continue;
            minX = std::min(minX, x);
            maxX = std::max(maxX, x);
            minY = std::min(minY, y);
            maxY = std::max(maxY, y);
          }
        }
        if (maxX < 0) continue;
        const int64_t x0 = std::max<int64_t>(0, minX - marginX), x1 = std::min<int64_t>(nx - 1, maxX + marginX);
        const int64_t y0 = std::max<int64_t>(0, minY - marginY), y1 = std::min<int64_t>(ny - 1, maxY + marginY);
        const int64_t w = x1 - x0 + 1, h = y1 - y0 + 1;
        for (int64_t y = 0; y < h; y++) {
          const uint8_t *row = slice + (y0 + y) * nx + x0;
          for (int64_t x = 0; x < w; x++) window[y * w + x] = row[x] == lung ? 1 : 0;
        }
        if (closing) {
          dilateDisk2d(window.data(), w, h, 1, halfWidth, reach, false, dilated.data(), scratch);
          dilateDisk2d(dilated.data(), w, h, 0, halfWidth, reach, true, eroded.data(), scratch);
          for (int64_t p = 0; p < w * h; p++) {
            if (eroded[p] == 0) window[p] = 1;
          }
        }
        fillHoles2d(window.data(), w, h, reached, stack);
        for (int64_t y = 0; y < h; y++) {
          uint8_t *row = slice + (y0 + y) * nx + x0;
          for (int64_t x = 0; x < w; x++) {
            if (window[y * w + x] != 0 && row[x] == 0) row[x] = lung;
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The runs of a mask's rows (src/main/morphology/connectedComponents3d.ts's first pass): per row,
// each maximal run of voxels above `above`, as [start, end) in x. Counted per row over the cores,
// then written at each row's place, so the runs come out in the order of the TypeScript's scan.
inline void maskRuns(const uint8_t *mask, int64_t nx, int64_t rows, int above, std::vector<int32_t> &rowFirstRun,
                     std::vector<int32_t> &runStart, std::vector<int32_t> &runEnd) {
  rowFirstRun.assign(rows + 1, 0);
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; r++) {
    const uint8_t *row = mask + r * nx;
    int32_t runs = 0;
    for (int64_t i = 0; i < nx; i++) {
      if (row[i] > above && (i == 0 || row[i - 1] <= above)) runs++;
    }
    rowFirstRun[r + 1] = runs;
  }
  for (int64_t r = 0; r < rows; r++) rowFirstRun[r + 1] += rowFirstRun[r];
  runStart.resize(rowFirstRun[rows]);
  runEnd.resize(rowFirstRun[rows]);
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; r++) {
    const uint8_t *row = mask + r * nx;
    int64_t n = rowFirstRun[r];
    int64_t i = 0;
    while (i < nx) {
      while (i < nx && row[i] <= above) i++;
      if (i == nx) break;
      runStart[n] = static_cast<int32_t>(i);
      while (i < nx && row[i] > above) i++;
      runEnd[n++] = static_cast<int32_t>(i);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The lung separation's marker growing (src/main/lungs/lungSeparation.ts growMarkers): a
// breadth-first flood of the markers' labels through the mask, 6-connected, in the same queue order
// (the markers in scan order, then each voxel's neighbours −x, +x, −y, +y, −z, +z), so every voxel
// gets the label of the same marker. One thread: the order is the result.
inline void growMarkers(const uint8_t *mask, const uint8_t *markers, uint8_t *labels, int64_t nx, int64_t ny, int64_t nz) {
  const int64_t sliceSize = nx * ny, n = sliceSize * nz;
  int64_t maskCount = 0;
  for (int64_t v = 0; v < n; v++) maskCount += mask[v] != 0;
  std::vector<int64_t> queue(static_cast<size_t>(maskCount));
  int64_t head = 0, tail = 0;
  for (int64_t v = 0; v < n; v++) {
    if (markers[v] != 0 && mask[v] != 0) {
      labels[v] = markers[v];
      queue[tail++] = v;
    }
  }
  while (head < tail) {
    const int64_t v = queue[head++];
    const uint8_t label = labels[v];
    const int64_t k = v / sliceSize, inSlice = v - k * sliceSize, j = inSlice / nx, i = inSlice - j * nx;
    auto reach = [&](int64_t q) {
      if (mask[q] == 0 || labels[q] != 0) return;
      labels[q] = label;
      queue[tail++] = q;
    };
    if (i > 0) reach(v - 1);
    if (i < nx - 1) reach(v + 1);
    if (j > 0) reach(v - nx);
    if (j < ny - 1) reach(v + nx);
    if (k > 0) reach(v - sliceSize);
    if (k < nz - 1) reach(v + sliceSize);
  }
}

}  // namespace pulmo_imaging
