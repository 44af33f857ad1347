import { describe, expect, it } from 'vitest'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { crc32, deflateSync } from 'node:zlib'
import { decodePngIndices, encodePng, encodePng8, readPngIndices } from '../../../src/main/volume/png'
import { VolumeReadError } from '../../../src/main/volume/errors'
import { readLabelledSlices } from '../../../src/main/training/labelledSlices'
import { semisegTrain } from '../../helpers/paths'

const multiclassDir = join(semisegTrain, 'masks-multiclass')

describe('readPngIndices on the COVID-SemiSeg multi-class masks', () => {
  it('reads all 50 palette masks as class indices 0/1/2 with the known class totals', async () => {
    const files = readdirSync(multiclassDir).filter((f) => f.endsWith('.png'))
    expect(files).toHaveLength(50)
    const counts = [0, 0, 0]
    for (const f of files) {
      const image = await readPngIndices(join(multiclassDir, f))
      expect(image.colourType).toBe(3)
      expect(image.data.length).toBe(image.width * image.height)
      for (const v of image.data) {
        if (v > 2) throw new Error(`${f} holds ${v}`)
        counts[v]++
      }
    }
    // Background, ground-glass (luminance 38 through an image reader), consolidation (75).
    expect(counts).toEqual([5807318, 560121, 326093])
  })

  it('gives readLabelledSlices class labels, not luminance', async () => {
    const slices = await readLabelledSlices(semisegTrain)
    const counts = [0, 0, 0]
    for (const s of slices) {
      expect(s.classes).toBeDefined()
      expect(s.classes!.length).toBe(s.width * s.height)
      for (const v of s.classes!) counts[v]++
    }
    expect(counts).toEqual([5807318, 560121, 326093])
  })
})

/** An independent filtered-PNG writer: every row uses `filter(y)`, per the PNG specification. */
function filteredPng(data: Uint8Array, width: number, height: number, colourType: 0 | 3, filter: (y: number) => number): Buffer {
  const raw = Buffer.alloc((width + 1) * height)
  const at = (x: number, y: number): number => (x < 0 || y < 0 ? 0 : data[y * width + x])
  for (let y = 0; y < height; y++) {
    const f = filter(y)
    raw[y * (width + 1)] = f
    for (let x = 0; x < width; x++) {
      const a = at(x - 1, y)
      const b = at(x, y - 1)
      const c = at(x - 1, y - 1)
      const p = a + b - c
      const pa = Math.abs(p - a)
      const pb = Math.abs(p - b)
      const pc = Math.abs(p - c)
      const paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
      const predictor = [0, a, b, (a + b) >> 1, paeth][f]
      raw[y * (width + 1) + 1 + x] = (data[y * width + x] - predictor) & 0xff
    }
  }
  const chunk = (type: string, body: Uint8Array): Buffer => {
    const out = Buffer.alloc(12 + body.length)
    out.writeUInt32BE(body.length, 0)
    out.write(type, 4, 'latin1')
    out.set(body, 8)
    out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)) >>> 0, 8 + body.length)
    return out
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8
  header[9] = colourType
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header)]
  if (colourType === 3) parts.push(chunk('PLTE', Uint8Array.from({ length: 768 }, (_, i) => (i * 37) & 0xff)))
  parts.push(chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0)))
  return Buffer.concat(parts)
}

function pattern(width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height)
  let s = 7
  for (let i = 0; i < out.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0
    out[i] = s >>> 24
  }
  return out
}

describe('decodePngIndices', () => {
  it('round-trips a grey PNG written by encodePng8', () => {
    const data = pattern(13, 7)
    const image = decodePngIndices(encodePng8(data, 13, 7))
    expect(image).toMatchObject({ width: 13, height: 7, colourType: 0 })
    expect([...image.data]).toEqual([...data])
  })

  it('undoes every PNG row filter (None, Sub, Up, Average, Paeth), palette and grey', () => {
    const data = pattern(9, 10)
    for (const colourType of [0, 3] as const) {
      const png = filteredPng(data, 9, 10, colourType, (y) => y % 5)
      const image = decodePngIndices(png)
      expect(image.colourType).toBe(colourType)
      expect([...image.data]).toEqual([...data])
    }
  })

  it('refuses other PNG kinds and damaged data with a VolumeReadError naming the file', () => {
    const rgb = encodePng(new Uint8Array(4 * 3 * 3), 4, 3, 3)
    expect(() => decodePngIndices(rgb, 'rgb.png')).toThrow(VolumeReadError)
    expect(() => decodePngIndices(rgb, 'rgb.png')).toThrow(/rgb\.png: .*colour type 2 \(RGB\)/)
    expect(() => decodePngIndices(Buffer.from('not a png at all'), 'x.png')).toThrow(/x\.png: not a PNG/)
    const broken = Buffer.from(filteredPng(pattern(5, 5), 5, 5, 3, () => 7))
    expect(() => decodePngIndices(broken, 'f.png')).toThrow(/unknown filter type 7/)
  })
})
