import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { readImageNode } from '@itk-wasm/image-io'
import { readDicomSeries } from '../../../src/main/volume/dicom'
import { readNifti, writeNifti } from '../../../src/main/volume/nifti'
import { VolumeReadError } from '../../../src/main/volume/errors'
import type { Volume, VoxelArray } from '../../../src/main/volume/volume'
import { p002, tempDir } from '../../helpers/paths'

const dir = tempDir('pulmo-volume-nifti-')
afterAll(() => dir.remove())

function bytesOf(data: VoxelArray): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength)
}

function expectSameGeometry(a: Volume, b: Volume, digits = 5): void {
  expect(a.dimensions).toEqual(b.dimensions)
  for (let i = 0; i < 3; i++) {
    expect(a.spacing[i]).toBeCloseTo(b.spacing[i], digits)
    expect(a.origin[i]).toBeCloseTo(b.origin[i], digits)
  }
  a.direction.forEach((d, i) => expect(d).toBeCloseTo(b.direction[i], digits))
}

/** A small oblique volume: rotated 30° about z and flipped in z (negative determinant). */
function oblique(data: VoxelArray, unit: Volume['unit'] = 'HU'): Volume {
  const c = Math.cos(Math.PI / 6)
  const s = Math.sin(Math.PI / 6)
  return {
    data,
    dimensions: [4, 3, 2],
    spacing: [0.7, 0.8, 2.5],
    origin: [-437.7, 123.456789, -0.1],
    direction: [c, -s, 0, s, c, 0, 0, 0, -1],
    modality: unit === 'HU' ? 'CT' : 'OT',
    unit
  }
}

describe('NIfTI round trip of P002', () => {
  let v: Volume
  beforeAll(async () => {
    ;[v] = await readDicomSeries(p002)
  })

  for (const ext of ['.nii.gz', '.nii']) {
    it(`${ext} gives identical voxels and geometry`, async () => {
      const file = join(dir.path, `p002${ext}`)
      const t0 = performance.now()
      await writeNifti(file, v)
      const t1 = performance.now()
      const back = await readNifti(file)
      console.info(`P002 ${ext}: write ${(t1 - t0).toFixed(0)} ms, read ${(performance.now() - t1).toFixed(0)} ms, ${statSync(file).size} bytes`)
      expect(back.data).toBeInstanceOf(Int16Array)
      expect(bytesOf(back.data).equals(bytesOf(v.data))).toBe(true)
      expect(back.dimensions).toEqual([512, 512, 133])
      // Exact, thanks to the geometry extension: −437.7 has no float32 representation.
      expect(back.spacing).toEqual(v.spacing)
      expect(back.origin).toEqual(v.origin)
      expect(back.direction).toEqual(v.direction)
      expect(back.modality).toBe('CT')
      expect(back.unit).toBe('HU')
    })
  }

  it('writes sform and qform (code 1) that ITK reads to the same LPS geometry', async () => {
    const sub = join(dir.path, 'itk')
    mkdirSync(sub)
    const file = join(sub, 'p002.nii')
    await writeNifti(file, v)
    const bytes = readFileSync(file)
    expect(bytes.readInt16LE(252)).toBe(1)
    expect(bytes.readInt16LE(254)).toBe(1)
    const image = await readImageNode(file)
    expect(Array.from(image.size)).toEqual([512, 512, 133])
    for (let i = 0; i < 3; i++) {
      expect(image.spacing[i]).toBeCloseTo(v.spacing[i], 4)
      expect(image.origin[i]).toBeCloseTo(v.origin[i], 4)
    }
    Array.from(image.direction as Float64Array).forEach((d, i) => expect(d).toBeCloseTo(v.direction[i], 5))
  })
})

describe('NIfTI codec', () => {
  const ramp = (n: number): number[] => Array.from({ length: n }, (_, i) => i * 7 - 40)

  it('round-trips int16, uint8, uint16, int32 and float32 with an oblique, flipped direction', async () => {
    const arrays: VoxelArray[] = [
      Int16Array.from(ramp(24)),
      Uint8Array.from(ramp(24).map((x) => x + 40)),
      Uint16Array.from(ramp(24).map((x) => (x + 40) * 1000)),
      Int32Array.from(ramp(24).map((x) => x * 100000)),
      Float32Array.from(ramp(24).map((x) => x / 3))
    ]
    for (const [i, data] of arrays.entries()) {
      const v = oblique(data, data instanceof Float32Array ? 'probability' : 'HU')
      const file = join(dir.path, `codec-${i}.nii.gz`)
      await writeNifti(file, v)
      const back = await readNifti(file)
      expect(back.data.constructor).toBe(data.constructor)
      expect(Array.from(back.data)).toEqual(Array.from(data))
      expect(back.unit).toBe(v.unit)
      expectSameGeometry(back, v, 12)
    }
  })

  it('reads the standard sform, then the qform, when the Pulmo extension is absent (other writers)', async () => {
    const v = oblique(Int16Array.from(ramp(24)))
    const file = join(dir.path, 'foreign.nii')
    await writeNifti(file, v)
    const bytes = readFileSync(file)
    bytes[348] = 0 // extension flag: as if another tool had written the file
    writeFileSync(file, bytes)
    const viaSform = await readNifti(file)
    expectSameGeometry(viaSform, v, 4)
    expect(Array.from(viaSform.data)).toEqual(ramp(24))
    bytes.writeInt16LE(0, 254) // sform_code 0: only the qform is left
    writeFileSync(file, bytes)
    expectSameGeometry(await readNifti(file), v, 4)
  })

  it('ignores the exact-geometry extension once another tool has moved the image', async () => {
    const v = oblique(Int16Array.from(ramp(24)))
    const file = join(dir.path, 'moved.nii')
    await writeNifti(file, v)
    const bytes = readFileSync(file)
    // srow_x[3] is the RAS x of the origin; LPS x = −RAS x, so +5 in RAS is −5 in LPS.
    bytes.writeFloatLE(bytes.readFloatLE(292) + 5, 292)
    writeFileSync(file, bytes)
    const back = await readNifti(file)
    expect(back.origin[0]).toBeCloseTo(v.origin[0] - 5, 4)
    expect(back.origin[2]).toBeCloseTo(v.origin[2], 4)
  })

  it('applies scl_slope/scl_inter on read (uint16 + intercept −1024 → int16 HU)', async () => {
    const stored = Uint16Array.from([0, 1024, 2048, 3000, 0, 0])
    const file = join(dir.path, 'scaled.nii')
    await writeNifti(file, { ...oblique(stored), dimensions: [3, 2, 1] })
    const bytes = readFileSync(file)
    bytes[348] = 0
    bytes.writeFloatLE(1, 112)
    bytes.writeFloatLE(-1024, 116)
    writeFileSync(file, bytes)
    const back = await readNifti(file)
    expect(back.data).toBeInstanceOf(Int16Array)
    expect(Array.from(back.data)).toEqual([-1024, 0, 1024, 1976, -1024, -1024])
    bytes.writeFloatLE(0.5, 112)
    writeFileSync(file, bytes)
    const halves = await readNifti(file)
    expect(halves.data).toBeInstanceOf(Float32Array)
    expect(Array.from(halves.data)).toEqual([-1024, -512, 0, 476, -1024, -1024])
  })

  it('refuses truncated, non-NIfTI and 4-D files with a VolumeReadError naming the file', async () => {
    const good = join(dir.path, 'good.nii')
    await writeNifti(good, oblique(Int16Array.from(ramp(24))))
    const whole = readFileSync(good)

    const cut = join(dir.path, 'cut.nii')
    writeFileSync(cut, whole.subarray(0, whole.length - 4))
    await expect(readNifti(cut)).rejects.toThrow(/cut\.nii: file is truncated/)

    const cutGz = join(dir.path, 'cut.nii.gz')
    await writeNifti(cutGz, oblique(Int16Array.from(ramp(24))))
    writeFileSync(cutGz, readFileSync(cutGz).subarray(0, 60))
    await expect(readNifti(cutGz)).rejects.toThrow(/cut\.nii\.gz: file is truncated or corrupt/)

    const text = join(dir.path, 'text.nii')
    writeFileSync(text, 'not an image '.repeat(40))
    await expect(readNifti(text)).rejects.toBeInstanceOf(VolumeReadError)
    await expect(readNifti(text)).rejects.toThrow(/text\.nii: not a NIfTI-1 file/)

    const fourD = join(dir.path, 'fourd.nii')
    const b = Buffer.from(whole)
    b.writeInt16LE(4, 40)
    b.writeInt16LE(2, 48)
    writeFileSync(fourD, b)
    await expect(readNifti(fourD)).rejects.toThrow(/fourd\.nii: 4-D NIfTI/)
  })
})
