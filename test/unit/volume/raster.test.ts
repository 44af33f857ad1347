import { afterAll, describe, expect, it } from 'vitest'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { inflateSync } from 'node:zlib'
import { readImageNode } from '@itk-wasm/image-io'
import { encodePng8, readRaster, readRasterStack, writePng8 } from '../../../src/main/volume/raster'
import { VolumeReadError } from '../../../src/main/volume/errors'
import { semisegTrain, tempDir } from '../../helpers/paths'

const dir = tempDir('pulmo-volume-raster-')
afterAll(() => dir.remove())

/** Deterministic pseudo-random bytes, so a failure reproduces. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n)
  let x = seed
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    out[i] = x >>> 24
  }
  return out
}

describe('readRaster', () => {
  it('reads a JPEG slice as a one-slice 8-bit grey volume of its size', async () => {
    const v = await readRaster(join(semisegTrain, 'images/0.jpg'))
    // `file` says: baseline JPEG, 273x369, 1 component.
    expect(v.dimensions).toEqual([273, 369, 1])
    expect(v.data).toBeInstanceOf(Uint8Array)
    expect(v.data.length).toBe(273 * 369)
    expect(v.unit).toBe('grey')
    expect(v.spacing).toEqual([1, 1, 1])
    expect(v.direction).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1])
  })

  it('reads a PNG mask with its 0/255 values', async () => {
    const v = await readRaster(join(semisegTrain, 'masks/0.png'))
    expect(v.dimensions).toEqual([273, 369, 1])
    expect(new Set(v.data)).toEqual(new Set([0, 255]))
  })

  it('turns colour into Rec. 601 luminance (palette PNG, expanded to RGB by the decoder)', async () => {
    const file = join(semisegTrain, 'masks-multiclass/0.png')
    const rgb = await readImageNode(file)
    expect(rgb.imageType.components).toBe(3)
    const c = rgb.data as Uint8Array
    const v = await readRaster(file)
    const expected = Array.from({ length: 273 * 369 }, (_, i) => Math.round(0.299 * c[3 * i] + 0.587 * c[3 * i + 1] + 0.114 * c[3 * i + 2]))
    expect(Array.from(v.data)).toEqual(expected)
    expect(new Set(v.data).size).toBeGreaterThan(1)
  })

  it('stacks a folder of equal-size images in natural filename order', async () => {
    const folder = join(dir.path, 'stack')
    mkdirSync(folder)
    const slices = [bytes(12, 1), bytes(12, 2), bytes(12, 3)]
    // Written out of order, with names that sort wrongly as plain strings.
    await writePng8(join(folder, 'slice10.png'), slices[2], 4, 3)
    await writePng8(join(folder, 'slice1.png'), slices[0], 4, 3)
    await writePng8(join(folder, 'slice2.png'), slices[1], 4, 3)
    writeFileSync(join(folder, 'notes.txt'), 'ignored')
    const v = await readRaster(folder)
    expect(v.dimensions).toEqual([4, 3, 3])
    expect(Array.from(v.data)).toEqual(slices.flatMap((s) => Array.from(s)))
  })

  it('refuses images of different sizes in one stack, naming the odd one', async () => {
    const folder = join(dir.path, 'sizes')
    mkdirSync(folder)
    copyFileSync(join(semisegTrain, 'images/0.jpg'), join(folder, '0.jpg'))
    copyFileSync(join(semisegTrain, 'images/1.jpg'), join(folder, '1.jpg'))
    await expect(readRaster(folder)).rejects.toThrow(/1\.jpg: image size 351×457 differs from 273×369/)
  })

  it('refuses a file that is not an image, naming it', async () => {
    const file = join(dir.path, 'x.png')
    writeFileSync(file, 'this is text, not a PNG')
    await expect(readRasterStack([file])).rejects.toBeInstanceOf(VolumeReadError)
    await expect(readRasterStack([file])).rejects.toThrow(/x\.png: not a readable PNG or JPEG image/)
  })
})

describe('writePng8', () => {
  it('writes a greyscale PNG that reads back identical', async () => {
    const data = bytes(37 * 23, 42)
    const file = join(dir.path, 'out.png')
    await writePng8(file, data, 37, 23)
    const v = await readRaster(file)
    expect(v.dimensions).toEqual([37, 23, 1])
    expect(Buffer.from(v.data as Uint8Array).equals(Buffer.from(data))).toBe(true)
  })

  it('produces a well-formed file: signature, IHDR 8-bit grey, one filter byte per row', () => {
    const png = encodePng8(Uint8Array.from([0, 128, 255, 7, 8, 9]), 3, 2)
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    expect(png.toString('latin1', 12, 16)).toBe('IHDR')
    expect([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]]).toEqual([3, 2, 8, 0])
    const idatLength = png.readUInt32BE(33)
    expect(png.toString('latin1', 37, 41)).toBe('IDAT')
    expect(Array.from(inflateSync(png.subarray(41, 41 + idatLength)))).toEqual([0, 0, 128, 255, 0, 7, 8, 9])
    expect(png.toString('latin1', png.length - 8, png.length - 4)).toBe('IEND')
    expect(() => encodePng8(new Uint8Array(5), 3, 2)).toThrow(/needs 6/)
  })

  it('is read by ITK exactly like a PNG from the data set', async () => {
    const mask = await readRaster(join(semisegTrain, 'masks/0.png'))
    const file = join(dir.path, 'mask-copy.png')
    await writePng8(file, mask.data as Uint8Array, 273, 369)
    const original = readFileSync(join(semisegTrain, 'masks/0.png'))
    expect(original.length).toBeGreaterThan(0)
    const back = await readRaster(file)
    expect(Buffer.from(back.data as Uint8Array).equals(Buffer.from(mask.data as Uint8Array))).toBe(true)
  })
})
