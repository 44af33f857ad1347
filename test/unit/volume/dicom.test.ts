import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { readImageNode } from '@itk-wasm/image-io'
import dcmjs from 'dcmjs'
import { readDicomSeries } from '../../../src/main/volume/dicom'
import { valueRange, type Volume } from '../../../src/main/volume/volume'
import { lungmaskSlices, p002, tempDir } from '../../helpers/paths'

const dir = tempDir('pulmo-volume-dicom-')
afterAll(() => dir.remove())

/** A lungmask slice re-written by dcmjs with another orientation and position. */
function placed(source: string, target: string, orientation: number[], position: number[]): void {
  const bytes = readFileSync(source)
  const d = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
  d.dict['00200037'].Value = orientation
  d.dict['00200032'].Value = position
  writeFileSync(target, Buffer.from(d.write()))
}

describe('readDicomSeries on P002 (JPEG Lossless, 133 slices)', () => {
  let volumes: Volume[]
  let v: Volume
  let elapsedMs = 0

  beforeAll(async () => {
    const t0 = performance.now()
    volumes = await readDicomSeries(p002)
    elapsedMs = performance.now() - t0
    v = volumes[0]
    console.info(`P002 read in ${elapsedMs.toFixed(0)} ms`)
  })

  it('gives one series of 133 slices of 512×512 int16 HU', () => {
    expect(volumes).toHaveLength(1)
    expect(v.dimensions).toEqual([512, 512, 133])
    expect(v.data).toBeInstanceOf(Int16Array)
    expect(v.data.length).toBe(512 * 512 * 133)
    expect(v.modality).toBe('CT')
    expect(v.unit).toBe('HU')
  })

  it('takes x/y spacing from PixelSpacing and z from the slice positions', () => {
    // PixelSpacing is 0.603515625 (= 309 mm / 512) and positions step by 2 mm from −173.7 to −437.7.
    expect(v.spacing[0]).toBeCloseTo(0.603515625, 9)
    expect(v.spacing[1]).toBeCloseTo(0.603515625, 9)
    expect(v.spacing[2]).toBeCloseTo(2, 9)
  })

  it('orders slices along the normal, origin at the first (lowest z) slice', () => {
    expect(v.direction).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1])
    expect(v.origin[0]).toBeCloseTo(-162.1982421875, 9)
    expect(v.origin[1]).toBeCloseTo(-293.1982421875, 9)
    expect(v.origin[2]).toBeCloseTo(-437.7, 9)
    const files = v.metadata?.sourceFiles ?? []
    expect(files).toHaveLength(133)
    expect(files[0]).toMatch(/IM0133\.dcm$/)
    expect(files[132]).toMatch(/IM0001\.dcm$/)
  })

  it('rescales to Hounsfield units (intercept −1024)', () => {
    expect(valueRange(v.data)).toEqual([-1024, 1470])
  })

  it('puts each file\'s pixels at its slice (slice 66 is IM0067, decoded alone by ITK)', async () => {
    const single = await readImageNode(join(p002, 'IM0067.dcm'))
    const n = 512 * 512
    expect(Array.from(single.size)).toEqual([512, 512, 1])
    expect(Buffer.from(new Int16Array(single.data as Int16Array).buffer).equals(Buffer.from(v.data.buffer, 66 * n * 2, n * 2))).toBe(true)
  })

  it('reads patient, study and series identification', () => {
    const m = v.metadata
    expect(m?.patientId).toBe('P002')
    expect(m?.patientSex).toBe('F')
    expect(m?.studyInstanceUid).toBe('8969111143488043176204')
    expect(m?.seriesInstanceUid).toBe('0989410685142949082')
    expect(m?.manufacturer).toBe('SIEMENS')
  })

  it('reads in reasonable time', () => {
    // About 1.5 s on the two shared cores; the bound only catches a per-slice decoder start-up.
    expect(elapsedMs).toBeLessThan(15_000)
  })
})

describe('readDicomSeries on the lungmask slices (native int16)', () => {
  it('gives one series of 2 slices, 1 mm apart, values as stored', async () => {
    const volumes = await readDicomSeries(lungmaskSlices)
    expect(volumes).toHaveLength(1)
    const [v] = volumes
    expect(v.dimensions).toEqual([512, 512, 2])
    expect(v.spacing).toEqual([0.625, 0.625, 1])
    expect(v.origin).toEqual([0, 0, 0])
    // No Modality element: the CT Image Storage SOP class says CT.
    expect(v.modality).toBe('CT')
    expect(valueRange(v.data)).toEqual([-2048, 1502])
  })

  it('decodes native pixels directly exactly as ITK/GDCM does', async () => {
    const [v] = await readDicomSeries(lungmaskSlices)
    const single = await readImageNode(join(lungmaskSlices, '0.dcm'))
    expect(Array.from(v.data.subarray(0, 512 * 512))).toEqual(Array.from(single.data as Int16Array))
  })

  it('accepts a list of files as well as a folder', async () => {
    const volumes = await readDicomSeries([`${lungmaskSlices}/1.dcm`, `${lungmaskSlices}/0.dcm`])
    expect(volumes).toHaveLength(1)
    expect(volumes[0].metadata?.sourceFiles?.map((f) => f.slice(-5))).toEqual(['0.dcm', '1.dcm'])
  })
})

describe('readDicomSeries grouping and geometry', () => {
  it('gives one volume per SeriesInstanceUID, in order of appearance', async () => {
    const subset = join(dir.path, 'p002-subset')
    mkdirSync(subset)
    for (const name of ['IM0001.dcm', 'IM0002.dcm', 'IM0003.dcm']) copyFileSync(join(p002, name), join(subset, name))
    const volumes = await readDicomSeries([lungmaskSlices, subset])
    expect(volumes.map((v) => v.dimensions[2])).toEqual([2, 3])
    expect(volumes[1].metadata?.seriesInstanceUid).toBe('0989410685142949082')
    expect(volumes[1].origin[2]).toBeCloseTo(-177.7, 9)
  })

  it('sorts along the slice normal and builds the direction from the orientation (sagittal)', async () => {
    const sagittal = join(dir.path, 'sagittal')
    mkdirSync(sagittal)
    // Rows run anterior→posterior (+y), columns superior→inferior (−z): the normal is −x.
    const orientation = [0, 1, 0, 0, 0, -1]
    placed(join(lungmaskSlices, '0.dcm'), join(sagittal, 'a.dcm'), orientation, [7.5, -100, 50])
    placed(join(lungmaskSlices, '1.dcm'), join(sagittal, 'b.dcm'), orientation, [10, -100, 50])
    const [v] = await readDicomSeries(sagittal)
    // Along −x, x = 10 comes before x = 7.5.
    expect(v.metadata?.sourceFiles?.map((f) => f.slice(-5))).toEqual(['b.dcm', 'a.dcm'])
    expect(v.origin).toEqual([10, -100, 50])
    expect(v.spacing).toEqual([0.625, 0.625, 2.5])
    expect(v.direction.map((x) => x + 0)).toEqual([0, 0, -1, 1, 0, 0, 0, -1, 0])
  })
})
