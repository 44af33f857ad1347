import { readImageDicomFileSeriesNode } from '@itk-wasm/dicom'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readDicomSeries } from '../../../src/main/volume/dicom'
import { decodeJpegLossless, JpegLosslessError } from '../../../src/main/volume/jpegLossless'
import { normal002, p002 } from '../../helpers/paths'
import { NATIVE_EXPECTED } from '../../helpers/nativeEngine'
import { loadNativeAddon, type NativeAddon } from '../../../src/main/ml/kernels/nativeAddon'
import { setNativeImaging } from '../../../src/main/nativeImaging'

/**
 * A lossless JPEG encoder for the tests (T.81 Annex H, one component): differences from the
 * predictor, SSSS coded with one Huffman table holding every size 0–16, restart markers every
 * `restartRows` rows.
 */
function encode(
  samples: Uint16Array,
  width: number,
  height: number,
  o: { precision: number; predictor: number; pointTransform?: number; restartRows?: number }
): Uint8Array {
  const pt = o.pointTransform ?? 0
  const out: number[] = [0xff, 0xd8]
  const segment = (marker: number, body: number[]): void => {
    out.push(0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body)
  }
  segment(0xc3, [o.precision, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0])
  // the 17 sizes 0–16, canonical codes of 2 to 9 bits
  const counts = [0, 1, 2, 3, 4, 3, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0]
  const symbols = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
  segment(0xc4, [0x00, ...counts, ...symbols])
  const codes: Array<[number, number]> = []
  let code = 0
  let k = 0
  for (let length = 1; length <= 16; length++) {
    for (let n = 0; n < counts[length - 1]; n++) codes[symbols[k++]] = [code++, length]
    code <<= 1
  }
  if (o.restartRows) segment(0xdd, [(o.restartRows * width) >> 8, (o.restartRows * width) & 0xff])
  segment(0xda, [1, 1, 0x00, o.predictor, 0, pt])
  let acc = 0
  let nbits = 0
  const put = (value: number, length: number): void => {
    for (let b = length - 1; b >= 0; b--) {
      acc = (acc << 1) | ((value >> b) & 1)
      if (++nbits === 8) {
        out.push(acc)
        if (acc === 0xff) out.push(0)
        acc = 0
        nbits = 0
      }
    }
  }
  const flush = (): void => {
    while (nbits !== 0) put(1, 1)
  }
  const v = samples.map((s) => s >> pt)
  let restartIndex = 0
  for (let y = 0; y < height; y++) {
    const first = y === 0 || (o.restartRows !== undefined && y % o.restartRows === 0)
    if (first && y > 0) {
      flush()
      out.push(0xff, 0xd0 + (restartIndex++ % 8))
    }
    for (let x = 0; x < width; x++) {
      const i = y * width + x
      const a = v[i - 1]
      const b = v[i - width]
      const c = v[i - width - 1]
      const pred = first
        ? x === 0
          ? 1 << (o.precision - pt - 1)
          : a
        : x === 0
          ? b
          : [0, a, b, c, a + b - c, a + ((b - c) >> 1), b + ((a - c) >> 1), (a + b) >> 1][o.predictor]
      let diff = (v[i] - pred) & 0xffff
      if (diff >= 32768) diff -= 65536
      const size = diff === -32768 ? 16 : diff === 0 ? 0 : 32 - Math.clz32(Math.abs(diff))
      put(...codes[size])
      if (size > 0 && size < 16) put(diff < 0 ? diff + (1 << size) - 1 : diff, size)
    }
  }
  flush()
  out.push(0xff, 0xd9)
  return Uint8Array.from(out)
}

function image(width: number, height: number, precision: number): Uint16Array {
  const max = (1 << precision) - 1
  return Uint16Array.from({ length: width * height }, (_, i) => {
    const x = i % width
    const y = Math.floor(i / width)
    return Math.round(((Math.sin(x / 3) * Math.cos(y / 5) + 1) / 2) * max * 0.8 + ((x * 7 + y * 13) % 11)) & max
  })
}

describe('JPEG lossless decoding', () => {
  it('decodes every predictor, 8 to 16 bits, with a point transform and restart intervals', () => {
    for (const precision of [8, 12, 16]) {
      for (let predictor = 1; predictor <= 7; predictor++) {
        const samples = image(37, 23, precision)
        const decoded = decodeJpegLossless(encode(samples, 37, 23, { precision, predictor }))
        expect([decoded.width, decoded.height, decoded.precision]).toEqual([37, 23, precision])
        expect(Array.from(decoded.samples)).toEqual(Array.from(samples))
      }
    }
    const samples = image(16, 12, 12).map((s) => s & ~3)
    const shifted = decodeJpegLossless(encode(samples, 16, 12, { precision: 12, predictor: 6, pointTransform: 2 }))
    expect(Array.from(shifted.samples)).toEqual(Array.from(samples))
    const restarted = decodeJpegLossless(
      encode(image(20, 9, 16), 20, 9, { precision: 16, predictor: 4, restartRows: 2 })
    )
    expect(Array.from(restarted.samples)).toEqual(Array.from(image(20, 9, 16)))
  })

  it('refuses what it does not decode, naming it', () => {
    expect(() => decodeJpegLossless(Uint8Array.from([0, 1, 2]))).toThrow(JpegLosslessError)
    expect(() =>
      decodeJpegLossless(Uint8Array.from([0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, 0, 8, 0, 8, 1, 1, 0x11, 0]))
    ).toThrow(/frame type 0xc0/)
    const truncated = encode(image(30, 30, 12), 30, 30, { precision: 12, predictor: 1 }).subarray(0, 40)
    expect(() => decodeJpegLossless(truncated)).toThrow(JpegLosslessError)
  })

  it('gives exactly ITK/GDCM’s HU for every slice of both real series (P002, normal002)', async () => {
    for (const dir of [p002, normal002]) {
      const [ours] = await readDicomSeries(dir)
      // ITK's own decoding of the same files, in the order readDicomSeries put them
      const files = ours.metadata?.sourceFiles ?? []
      expect(files).toHaveLength(ours.dimensions[2])
      const itk = await readImageDicomFileSeriesNode({ inputImages: files, singleSortedSeries: true })
      const reference = itk.outputImage.data as Int16Array
      expect(reference.length).toBe(ours.data.length)
      const n = ours.dimensions[0] * ours.dimensions[1]
      const slices = ours.dimensions[2]
      // ITK stacks them from the other end (its own sort); slice for slice they must be equal
      const same = (flip: boolean): number => {
        let differing = 0
        for (let k = 0; k < slices; k++) {
          const r = (flip ? slices - 1 - k : k) * n
          for (let p = 0; p < n; p++) if (reference[r + p] !== ours.data[k * n + p]) differing++
        }
        return differing
      }
      const differing = Math.min(same(false), same(true))
      expect(differing, dir).toBe(0)
    }
  }, 120_000)

  it('on 2000 seeded mutations of a real frame gives the right size or a JpegLosslessError, nothing else', () => {
    const file = readFileSync(join(p002, 'IM0040.dcm'))
    const start = file.indexOf(Buffer.from([0xff, 0xd8, 0xff]))
    const frame = new Uint8Array(file.subarray(start, file.lastIndexOf(Buffer.from([0xff, 0xd9])) + 2))
    expect(decodeJpegLossless(frame, { width: 512, height: 512 }).samples.length).toBe(512 * 512)
    let seed = 0x5eed
    const random = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32
    let refused = 0
    for (let i = 0; i < 2000; i++) {
      const bytes = frame.slice(0, random() < 0.2 ? Math.floor(random() * frame.length) : frame.length)
      // mostly the headers (the first 200 bytes), sometimes the entropy-coded data
      for (let m = 0; m < 1 + Math.floor(random() * 4); m++) {
        const at =
          random() < 0.7 ? Math.floor(random() * Math.min(200, bytes.length)) : Math.floor(random() * bytes.length)
        bytes[at] = Math.floor(random() * 256)
      }
      try {
        const image = decodeJpegLossless(bytes, { width: 512, height: 512 })
        expect(image.samples.length).toBe(512 * 512)
      } catch (e) {
        expect(e, `case ${i}`).toBeInstanceOf(JpegLosslessError)
        refused++
      }
    }
    expect(refused).toBeGreaterThan(100)
  }, 120_000)
})

/** HU as dicomPixels.ts makes them from decoded samples (the signed or masked stored value, rescaled). */
function toHu(samples: Uint16Array, bitsStored: number, signed: boolean, slope: number, intercept: number): Int16Array {
  return Int16Array.from(samples, (sample) => {
    const shift = 32 - bitsStored
    const stored = signed ? (sample << shift) >> shift : sample & ((1 << bitsStored) - 1)
    const v = slope === 1 && Number.isInteger(intercept) ? stored + intercept : Math.round(stored * slope + intercept)
    return Math.max(-32768, Math.min(32767, v))
  })
}

/** The native decoder on one stream: its HU, or undefined where it refuses. */
function nativeHu(addon: NativeAddon, frame: Uint8Array, width: number, height: number, p: { bits: number; signed: boolean; slope: number; intercept: number }): Int16Array | undefined {
  const target = new Int16Array(width * height)
  const status = new Uint8Array(1)
  addon.decodeJpegLosslessSlices(frame, Float64Array.of(0, frame.length, width, height, p.bits, p.signed ? 1 : 0, p.slope, p.intercept), target, status)
  return status[0] === 1 ? target : undefined
}

;(NATIVE_EXPECTED ? describe : describe.skip)('JPEG lossless decoding, native kernels (over the cores)', () => {
  const addon = loadNativeAddon() as NativeAddon

  it('give the TypeScript decoder’s HU for every predictor, precision, point transform and restart interval', () => {
    expect(addon).toBeDefined()
    for (const precision of [8, 12, 16]) {
      for (let predictor = 1; predictor <= 7; predictor++) {
        const samples = image(37, 23, precision)
        const frame = encode(samples, 37, 23, { precision, predictor })
        const p = { bits: precision, signed: precision === 16, slope: precision === 8 ? 0.7 : 1, intercept: precision === 12 ? -1024 : -3.5 }
        expect(nativeHu(addon, frame, 37, 23, p)).toEqual(toHu(decodeJpegLossless(frame).samples, p.bits, p.signed, p.slope, p.intercept))
      }
    }
    for (const frame of [
      encode(image(16, 12, 12).map((s) => s & ~3), 16, 12, { precision: 12, predictor: 6, pointTransform: 2 }),
      encode(image(20, 9, 16), 20, 9, { precision: 16, predictor: 4, restartRows: 2 })
    ]) {
      const { width, height, samples } = decodeJpegLossless(frame)
      const p = { bits: 12, signed: false, slope: 1, intercept: -1024 }
      expect(nativeHu(addon, frame, width, height, p)).toEqual(toHu(samples, p.bits, p.signed, p.slope, p.intercept))
    }
    // what the TypeScript refuses, the native refuses too (the slice then goes to the TypeScript and ITK)
    const p = { bits: 12, signed: false, slope: 1, intercept: 0 }
    expect(nativeHu(addon, Uint8Array.from([0, 1, 2]), 3, 1, p)).toBeUndefined()
    expect(nativeHu(addon, encode(image(30, 30, 12), 30, 30, { precision: 12, predictor: 1 }).subarray(0, 40), 30, 30, p)).toBeUndefined()
    expect(nativeHu(addon, encode(image(30, 30, 12), 30, 30, { precision: 12, predictor: 1 }), 30, 31, p)).toBeUndefined()
  })

  it('decode both real series to the very HU of the TypeScript decoder (readDicomSeries with and without them)', async () => {
    for (const dir of [p002, normal002]) {
      setNativeImaging(undefined)
      const [typescript] = await readDicomSeries(dir)
      setNativeImaging(addon)
      try {
        const [native] = await readDicomSeries(dir)
        expect(native.dimensions).toEqual(typescript.dimensions)
        let differing = 0
        for (let v = 0; v < native.data.length; v++) if (native.data[v] !== typescript.data[v]) differing++
        expect(differing, dir).toBe(0)
      } finally {
        setNativeImaging(undefined)
      }
    }
  }, 120_000)

  it('on 250 seeded mutations of a real frame decode exactly as the TypeScript or refuse where it refuses, and never crash', () => {
    const file = readFileSync(join(p002, 'IM0040.dcm'))
    const start = file.indexOf(Buffer.from([0xff, 0xd8, 0xff]))
    const frame = new Uint8Array(file.subarray(start, file.lastIndexOf(Buffer.from([0xff, 0xd9])) + 2))
    const p = { bits: 16, signed: false, slope: 1, intercept: -1024 }
    let seed = 0xbeef
    const random = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32
    let decoded = 0
    for (let i = 0; i < 250; i++) {
      const bytes = frame.slice(0, random() < 0.2 ? Math.floor(random() * frame.length) : frame.length)
      for (let m = 0; m < 1 + Math.floor(random() * 4); m++) {
        const at = random() < 0.7 ? Math.floor(random() * Math.min(200, bytes.length)) : Math.floor(random() * bytes.length)
        bytes[at] = Math.floor(random() * 256)
      }
      let expected: Int16Array | undefined
      try {
        expected = toHu(decodeJpegLossless(bytes, { width: 512, height: 512 }).samples, p.bits, p.signed, p.slope, p.intercept)
      } catch (e) {
        expect(e, `case ${i}`).toBeInstanceOf(JpegLosslessError)
      }
      const native = nativeHu(addon, bytes, 512, 512, p)
      expect(native === undefined, `case ${i}: refused by one decoder only`).toBe(expected === undefined)
      if (expected && native) {
        let differing = 0
        for (let q = 0; q < expected.length; q++) if (expected[q] !== native[q]) differing++
        expect(differing, `case ${i}`).toBe(0)
        decoded++
      }
    }
    expect(decoded).toBeGreaterThan(15)
  }, 120_000)
})
