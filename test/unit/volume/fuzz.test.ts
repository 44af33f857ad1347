/**
 * Fuzzing the readers with seeded random mutations of real files (bit flips, byte and field
 * overwrites with extreme values, truncations, insertions). Every case must either read as a sane
 * volume or be refused with a VolumeReadError naming the file: never another exception, a hang or
 * a crash of the process. The seeds are fixed, so a failure names a case that reproduces.
 *
 * Pulmo's own parsers run in memory and take thousands of cases: the DICOM structure walk, dcmjs
 * header and native pixel path; NIfTI (.nii and .nii.gz); the PNG/JPEG structure checks. ITK's
 * WebAssembly decoders cost 50–250 ms a call, so the paths that reach them (JPEG-lossless DICOM,
 * PNG/JPEG pixels) get fewer cases, written to files as those readers need.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { crc32, gzipSync } from 'node:zlib'
import { readDicomSeries, dicomSeriesVolume } from '../../../src/main/volume/dicom'
import { parseDicomFile } from '../../../src/main/volume/dicomFile'
import { isNativeInt16 } from '../../../src/main/volume/dicomPixels'
import { VolumeReadError } from '../../../src/main/volume/errors'
import { decodeNifti } from '../../../src/main/volume/nifti'
import { readRaster } from '../../../src/main/volume/raster'
import type { Volume } from '../../../src/main/volume/volume'
import {
  elementOffset,
  lungmask0,
  niftiBytes,
  p002Slice,
  semisegJpeg,
  semisegPng,
  smallCtVolume
} from '../../helpers/brokenFiles'
import { tempDir } from '../../helpers/paths'
import { seededRandom } from '../../../src/main/ml/nn/parameters'

/** The project's seeded generator (mulberry32), uniform in [0, 1). */
const prng = seededRandom

interface Mutation {
  bytes: Uint8Array
  how: string
}

/** Values that break parsers: zero, all ones, sign boundaries, NaN's bit pattern. */
const EXTREME_FIELDS = [0, 0xffffffff, 0x7fffffff, 0x80000000, 0x7fff, 0x8000, 0xffff, 1, 0x7fc00000]

/**
 * One random mutation of `source`. Positions fall in the first `hot` bytes (the headers, where a
 * change matters most) four times in five, anywhere otherwise.
 */
function mutate(source: Uint8Array, random: () => number, hot: number): Mutation {
  const int = (n: number): number => Math.floor(random() * n)
  const at = (): number => (random() < 0.8 ? int(Math.min(hot, source.length)) : int(source.length))
  const out = source.slice()
  switch (int(5)) {
    case 0: {
      const n = 1 + int(8)
      const where: number[] = []
      for (let i = 0; i < n; i++) {
        const p = at()
        where.push(p)
        out[p] ^= 1 << int(8)
      }
      return { bytes: out, how: `flip ${n} bits at ${where.join(',')}` }
    }
    case 1: {
      const p = at()
      const n = 1 + int(16)
      for (let i = p; i < Math.min(p + n, out.length); i++)
        out[i] = random() < 0.5 ? [0x00, 0xff, 0x7f, 0x80][int(4)] : int(256)
      return { bytes: out, how: `overwrite ${n} bytes at ${p}` }
    }
    case 2: {
      const length = at()
      return { bytes: out.subarray(0, length), how: `truncate to ${length}` }
    }
    case 3: {
      const p = at()
      const inserted = Uint8Array.from({ length: 1 + int(64) }, () => int(256))
      const bytes = new Uint8Array(source.length + inserted.length)
      bytes.set(source.subarray(0, p))
      bytes.set(inserted, p)
      bytes.set(source.subarray(p), p + inserted.length)
      return { bytes, how: `insert ${inserted.length} bytes at ${p}` }
    }
    default: {
      const p = at() & ~1
      const value = EXTREME_FIELDS[int(EXTREME_FIELDS.length)]
      const view = new DataView(out.buffer)
      if (p + 4 <= out.length && random() < 0.5) view.setUint32(p, value >>> 0, random() < 0.5)
      else if (p + 2 <= out.length) view.setUint16(p, value & 0xffff, true)
      return { bytes: out, how: `field ${value.toString(16)} at ${p}` }
    }
  }
}

/** A volume whose voxels and geometry can be used: what "read" must mean for a damaged file. */
function expectSane(v: Volume, label: string): void {
  const [nx, ny, nz] = v.dimensions
  expect(
    v.dimensions.every((n) => Number.isInteger(n) && n >= 1),
    label
  ).toBe(true)
  expect(v.data.length, label).toBe(nx * ny * nz)
  expect(
    v.spacing.every((s) => Number.isFinite(s) && s > 0),
    `${label}: spacing ${v.spacing}`
  ).toBe(true)
  expect(v.origin.every(Number.isFinite), `${label}: origin ${v.origin}`).toBe(true)
  expect(v.direction.length === 9 && v.direction.every(Number.isFinite), `${label}: direction ${v.direction}`).toBe(
    true
  )
}

interface Tally {
  read: number
  refused: number
  reasons: Map<string, number>
  /** The slowest case, to show that none comes near a hang. */
  slowest: { ms: number; label: string }
}

/** Runs one case: a sane volume, or a VolumeReadError naming `file` and saying something more. */
async function runCase(tally: Tally, file: string, how: string, read: () => Promise<Volume>): Promise<void> {
  const label = `${file} (${how})`
  let volume: Volume
  const started = performance.now()
  const timed = (): void => {
    const ms = performance.now() - started
    if (ms > tally.slowest.ms) tally.slowest = { ms, label }
  }
  try {
    volume = await read()
    timed()
  } catch (error) {
    timed()
    if (!(error instanceof VolumeReadError)) {
      throw new Error(
        `${label}: threw ${error instanceof Error ? `${error.name}: ${error.message}` : typeof error} instead of a VolumeReadError`,
        { cause: error }
      )
    }
    expect(error.file, label).toBe(file)
    expect(error.message.length, label).toBeGreaterThan(file.length + 10)
    tally.refused++
    // The reason without numbers: how many distinct kinds of refusal the cases met.
    const kind = error.reason.replace(/[\d.]+/g, '#').slice(0, 60)
    tally.reasons.set(kind, (tally.reasons.get(kind) ?? 0) + 1)
    return
  }
  expectSane(volume, label)
  tally.read++
}

function newTally(): Tally {
  return { read: 0, refused: 0, reasons: new Map(), slowest: { ms: 0, label: '' } }
}

function report(name: string, tally: Tally, ms: number): void {
  const kinds = [...tally.reasons.entries()].sort((a, b) => b[1] - a[1])
  console.log(
    `fuzz ${name}: ${tally.read + tally.refused} cases, ${tally.read} read, ${tally.refused} refused (${kinds.length} kinds of refusal), ${Math.round(ms)} ms; slowest case ${Math.round(tally.slowest.ms)} ms: ${tally.slowest.label}`
  )
}

/** A real file's bytes copied into a fresh ArrayBuffer (dcmjs wants the whole buffer). */
function realBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path))
}

const dir = tempDir('pulmo-fuzz-')
afterAll(() => dir.remove())

describe('fuzzing the volume readers with seeded mutations of real files', () => {
  it('uncompressed DICOM (lungmask 512 × 512): 1200 cases in memory', async () => {
    const source = realBytes(lungmask0)
    // Headers and the first pixels; the rest is pixel data, where any value is a valid pixel.
    const hot = elementOffset(source, 0x7fe0, 0x0010) + 64
    const random = prng(0x5eed0001)
    const tally = newTally()
    const started = performance.now()
    let viaItk = 0
    for (let i = 0; i < 1200; i++) {
      const { bytes, how } = mutate(source, random, hot)
      const file = join(dir.path, `dicom-${i}.dcm`)
      await runCase(tally, file, how, async () => {
        const slice = parseDicomFile(file, bytes)
        if (!slice) throw new VolumeReadError(file, 'not an image')
        // A damaged transfer syntax sends the pixels to ITK, which reads files.
        if (!isNativeInt16(slice)) {
          viaItk++
          writeFileSync(file, bytes)
        }
        return dicomSeriesVolume([slice])
      })
    }
    report('DICOM (native)', tally, performance.now() - started)
    console.log(`fuzz DICOM (native): ${viaItk} cases reached ITK`)
    expect(tally.read + tally.refused).toBe(1200)
    // Both outcomes occur: pixel-data damage reads, header damage is refused for many reasons.
    expect(tally.read).toBeGreaterThan(100)
    expect(tally.refused).toBeGreaterThan(300)
    expect(tally.reasons.size).toBeGreaterThan(8)
  }, 60_000)

  it('JPEG-lossless DICOM (P002) through Pulmo’s decoder, ITK/GDCM where it refuses: 20 cases from files', async () => {
    const source = realBytes(p002Slice(40))
    const hot = elementOffset(source, 0x7fe0, 0x0010) + 256
    const random = prng(0x5eed0002)
    const tally = newTally()
    const started = performance.now()
    for (let i = 0; i < 20; i++) {
      const { bytes, how } = mutate(source, random, hot)
      const file = join(dir.path, `p002-${i}.dcm`)
      writeFileSync(file, bytes)
      await runCase(tally, file, how, async () => (await readDicomSeries(file))[0])
    }
    report('DICOM (JPEG lossless, ITK)', tally, performance.now() - started)
    expect(tally.read).toBeGreaterThan(0)
    expect(tally.refused).toBeGreaterThan(0)
  }, 60_000)

  it('NIfTI written by Pulmo (.nii 64 × 64 × 2): 1500 cases in memory, and 400 of its .nii.gz', async () => {
    const nii = Uint8Array.from(niftiBytes(await smallCtVolume()))
    const voxOffset = new DataView(nii.buffer).getFloat32(108, true)
    const random = prng(0x5eed0003)
    const tally = newTally()
    const started = performance.now()
    for (let i = 0; i < 1500; i++) {
      const { bytes, how } = mutate(nii, random, voxOffset + 16)
      const file = `case-${i}.nii`
      await runCase(tally, file, how, () => decodeNifti(bytes, file))
    }
    report('NIfTI', tally, performance.now() - started)
    expect(tally.read).toBeGreaterThan(100)
    expect(tally.refused).toBeGreaterThan(300)

    // Half damage the gzip stream, half gzip a damaged NIfTI (the bounded decompression's own checks).
    const gz = new Uint8Array(gzipSync(nii))
    const gzTally = newTally()
    const gzStarted = performance.now()
    for (let i = 0; i < 400; i++) {
      const damagedStream = i % 2 === 0
      const { bytes, how } = damagedStream ? mutate(gz, random, gz.length) : mutate(nii, random, voxOffset + 16)
      const file = `case-${i}.nii.gz`
      await runCase(gzTally, file, damagedStream ? how : `${how}, then gzipped`, () =>
        decodeNifti(damagedStream ? bytes : gzipSync(bytes), file)
      )
    }
    report('NIfTI gzip', gzTally, performance.now() - gzStarted)
    expect(gzTally.read).toBeGreaterThan(50)
    expect(gzTally.refused).toBeGreaterThan(200)
  }, 60_000)

  it('PNG (a real mask): 800 cases, and 40 with CRCs recomputed so the damage reaches the decoder', async () => {
    const png = realBytes(semisegPng)
    const random = prng(0x5eed0004)
    const tally = newTally()
    const started = performance.now()
    const file = join(dir.path, 'case.png')
    for (let i = 0; i < 840; i++) {
      let { bytes, how } = mutate(png, random, png.length)
      if (i >= 800) {
        bytes = withRecomputedCrcs(bytes)
        how += ', CRCs recomputed'
      }
      writeFileSync(file, bytes)
      await runCase(tally, file, `case ${i}: ${how}`, () => readRaster(file))
    }
    report('PNG', tally, performance.now() - started)
    expect(tally.refused).toBeGreaterThan(700)
    expect(tally.read).toBeGreaterThan(0)
  }, 60_000)

  it('JPEG (a real CT slice): 80 cases', async () => {
    const jpg = realBytes(semisegJpeg)
    const random = prng(0x5eed0005)
    const tally = newTally()
    const started = performance.now()
    const file = join(dir.path, 'case.jpg')
    for (let i = 0; i < 80; i++) {
      const { bytes, how } = mutate(jpg, random, 1024)
      writeFileSync(file, bytes)
      await runCase(tally, file, `case ${i}: ${how}`, () => readRaster(file))
    }
    report('JPEG', tally, performance.now() - started)
    expect(tally.read).toBeGreaterThan(10)
    expect(tally.refused).toBeGreaterThan(10)
  }, 60_000)
})

/** The PNG with every chunk's CRC made right again (chunks walked while they stay in bounds). */
function withRecomputedCrcs(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes)
  const view = new DataView(out.buffer)
  let pos = 8
  while (pos + 12 <= out.length) {
    const length = view.getUint32(pos)
    if (pos + 12 + length > out.length) break
    view.setUint32(pos + 8 + length, crc32(out.subarray(pos + 4, pos + 8 + length)) >>> 0)
    pos += 12 + length
  }
  return out
}
