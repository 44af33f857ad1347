// JPEG lossless (ITU-T T.81 process 14) for one grey component, a line-for-line port of
// src/main/volume/jpegLossless.ts decodeJpegLossless and of dicomPixels.ts's conversion of the
// samples to Hounsfield units, so the same streams give the same HU and the same streams are
// refused (a refused slice goes back to the TypeScript, which hands it to ITK). Every read is
// bounds-checked: a byte past the end reads as 0, as the TypeScript's undefined does in its bit
// arithmetic, and is never dereferenced. The slices of a series are decoded over the cores.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace pulmo_jpeg {

struct Stream {
  const uint8_t *bytes;
  int64_t length;
  int at(int64_t i) const { return i >= 0 && i < length ? bytes[i] : 0; }
  bool has(int64_t i) const { return i >= 0 && i < length; }
};

// The 16-bit look-ahead table: entry = symbol | code length << 8 (0: no such code). false: invalid.
inline bool huffmanLookup(const Stream &s, int64_t countsAt, int64_t symbolsAt, std::vector<uint16_t> &table) {
  table.assign(1 << 16, 0);
  int64_t code = 0, k = 0;
  for (int length = 1; length <= 16; length++) {
    const int count = s.at(countsAt + length - 1);
    for (int n = 0; n < count; n++) {
      if (code >= (int64_t{1} << length)) return false;
      const int64_t first = code << (16 - length), last = first + (int64_t{1} << (16 - length));
      const uint16_t entry = static_cast<uint16_t>(s.at(symbolsAt + k++) | (length << 8));
      for (int64_t e = first; e < last; e++) table[e] = entry;
      code++;
    }
    code <<= 1;
  }
  return true;
}

struct Frame {
  int precision = 0, height = 0, width = 0;
};

// decodeScan; false where the TypeScript throws.
inline bool decodeScan(const Stream &s, int64_t start, const Frame &frame, const std::vector<uint16_t> &table, int predictor,
                       int pointTransform, int64_t restartInterval, uint16_t *out) {
  const int64_t width = frame.width, height = frame.height;
  if (restartInterval % width != 0) return false;
  const int64_t restartRows = restartInterval / width;
  std::vector<int32_t> diffs(width);
  // JS shifts count modulo 32 (a point transform as large as the precision gives 1 << 31 there)
  const int64_t initial = static_cast<int32_t>(1u << ((frame.precision - pointTransform - 1) & 31));
  int64_t pos = start;
  uint32_t buffer = 0;
  int count = 0;
  bool atMarker = false;
  int64_t restarts = 0;
  auto fill = [&]() {
    while (count <= 24) {
      int byte = 0;
      if (!atMarker && pos < s.length) {
        byte = s.bytes[pos];
        if (byte != 0xff) pos++;
        else if (s.has(pos + 1) && s.bytes[pos + 1] == 0) pos += 2;
        else {
          atMarker = true;
          byte = 0;
        }
      }
      buffer = (buffer << 8) | static_cast<uint32_t>(byte);
      count += 8;
    }
  };
  for (int64_t y = 0; y < height; y++) {
    bool firstRow = y == 0;
    if (restartRows > 0 && y > 0 && y % restartRows == 0) {
      while (pos + 1 < s.length && !(s.bytes[pos] == 0xff && s.bytes[pos + 1] >= 0xd0 && s.bytes[pos + 1] <= 0xd7)) pos++;
      if (pos + 1 >= s.length || s.bytes[pos + 1] != 0xd0 + (restarts++ % 8)) return false;
      pos += 2;
      buffer = 0;
      count = 0;
      atMarker = false;
      firstRow = true;
    }
    for (int64_t x = 0; x < width; x++) {
      fill();
      const uint16_t entry = table[(buffer >> (count - 16)) & 0xffff];
      if (entry == 0) return false;
      count -= entry >> 8;
      const int size = entry & 0xff;
      if (size == 0) diffs[x] = 0;
      else if (size == 16) diffs[x] = 32768;
      else {
        if (count < size) fill();
        count -= size;
        const int32_t v = static_cast<int32_t>((buffer >> count) & ((1u << size) - 1));
        diffs[x] = v < (1 << (size - 1)) ? v - (1 << size) + 1 : v;
      }
    }
    uint16_t *row = out + y * width;
    const uint16_t *up = row - width;
    // prediction + difference modulo 2¹⁶, in 64-bit so no sum overflows
    if (firstRow) {
      int64_t left = initial;
      for (int64_t x = 0; x < width; x++) left = row[x] = static_cast<uint16_t>((left + diffs[x]) & 0xffff);
      continue;
    }
    row[0] = static_cast<uint16_t>((up[0] + diffs[0]) & 0xffff);
    for (int64_t x = 1; x < width; x++) {
      const int64_t a = row[x - 1], b = up[x], c = up[x - 1];
      int64_t p;
      switch (predictor) {
        case 1: p = a; break;
        case 2: p = b; break;
        case 3: p = c; break;
        case 4: p = a + b - c; break;
        case 5: p = a + ((b - c) >> 1); break;
        case 6: p = b + ((a - c) >> 1); break;
        default: p = (a + b) >> 1;
      }
      row[x] = static_cast<uint16_t>((p + diffs[x]) & 0xffff);
    }
  }
  if (pointTransform > 0) {
    for (int64_t i = 0; i < width * height; i++) out[i] = static_cast<uint16_t>((out[i] << pointTransform) & 0xffff);
  }
  return true;
}

// decodeJpegLossless into out (width × height expected); false where the TypeScript refuses.
inline bool decode(const Stream &s, int64_t expectedWidth, int64_t expectedHeight, std::vector<uint16_t> &out,
                   std::vector<uint16_t> tables[16]) {
  if (s.at(0) != 0xff || s.at(1) != 0xd8) return false;
  bool haveTable[16] = {false};
  int64_t pos = 2;
  bool haveFrame = false;
  Frame frame;
  int64_t restartInterval = 0;
  auto u16 = [&](int64_t at) { return (s.at(at) << 8) | s.at(at + 1); };
  while (pos + 4 <= s.length) {
    if (s.at(pos) != 0xff) return false;
    const int marker = s.at(pos + 1);
    if (marker == 0xff) {
      pos++;
      continue;
    }
    const int64_t length = u16(pos + 2);
    const int64_t body = pos + 4;
    const int64_t end = pos + 2 + length;
    if (end > s.length) return false;
    if (marker == 0xc3) {
      if (s.at(body + 5) != 1) return false;
      frame = Frame{s.at(body), u16(body + 1), u16(body + 3)};
      haveFrame = true;
      if (frame.precision < 2 || frame.precision > 16) return false;
    } else if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc) {
      return false;
    } else if (marker == 0xc4) {
      for (int64_t p = body; p < end;) {
        const int id = s.at(p) & 0x0f;
        int64_t total = 0;
        for (int64_t c = p + 1; c < p + 17 && c < s.length; c++) total += s.bytes[c];
        if (!huffmanLookup(s, p + 1, p + 17, tables[id])) return false;
        haveTable[id] = true;
        p += 17 + total;
      }
    } else if (marker == 0xdd) {
      restartInterval = u16(body);
    } else if (marker == 0xda) {
      if (!haveFrame) return false;
      if (frame.width != expectedWidth || frame.height != expectedHeight) return false;
      if (frame.width == 0 || frame.height == 0) return false;
      if (s.at(body) != 1) return false;
      const int id = s.at(body + 2) >> 4;
      if (!haveTable[id]) return false;
      const int predictor = s.at(body + 3);
      const int pointTransform = s.at(body + 5) & 0x0f;
      if (predictor < 1 || predictor > 7) return false;
      out.assign(static_cast<size_t>(frame.width) * frame.height, 0);
      return decodeScan(s, end, frame, tables[id], predictor, pointTransform, restartInterval, out.data());
    } else if (marker == 0xd9) {
      break;
    }
    pos = end;
  }
  return false;
}

// JS Math.round: the nearest integer, halves toward +∞.
inline double jsRound(double x) {
  const double r = std::floor(x);
  return x - r >= 0.5 ? r + 1 : r;
}

// An Int16Array store of a clamped value: NaN stores 0.
inline int16_t clampInt16(double v) {
  if (std::isnan(v)) return 0;
  return static_cast<int16_t>(v < -32768 ? -32768 : v > 32767 ? 32767 : v);
}

struct SliceParams {
  int64_t offset, length, width, height, bitsStored, pixelRepresentation;
  double slope, intercept;
};

// Every slice decoded and converted to HU at target + k·width·height; status[k] = 1 decoded, 0 refused.
inline void decodeSlices(const uint8_t *frames, int64_t framesLength, const std::vector<SliceParams> &slices, int16_t *target,
                         uint8_t *status) {
  const int64_t count = static_cast<int64_t>(slices.size());
#pragma omp parallel
  {
    std::vector<uint16_t> samples;
    std::vector<uint16_t> tables[16];
#pragma omp for schedule(dynamic, 1)
    for (int64_t k = 0; k < count; k++) {
      const SliceParams &p = slices[k];
      status[k] = 0;
      if (p.offset < 0 || p.length < 0 || p.offset + p.length > framesLength) continue;
      const Stream stream{frames + p.offset, p.length};
      if (!decode(stream, p.width, p.height, samples, tables)) continue;
      const int64_t n = p.width * p.height;
      const int bits = static_cast<int>(std::min<int64_t>(p.bitsStored, 16));
      int16_t *out = target + k * n;
      const bool integerRescale = p.slope == 1 && std::floor(p.intercept) == p.intercept;
      for (int64_t i = 0; i < n; i++) {
        int32_t value = samples[i];
        if (p.pixelRepresentation == 1) {
          const int shift = (32 - bits) & 31;
          value = static_cast<int32_t>(static_cast<uint32_t>(value) << shift) >> shift;
        } else if (bits < 16) {
          value &= (1 << std::max(bits, 0)) - 1;
        }
        out[i] = integerRescale ? clampInt16(value + p.intercept) : clampInt16(jsRound(value * p.slope + p.intercept));
      }
      status[k] = 1;
    }
  }
}

}  // namespace pulmo_jpeg
