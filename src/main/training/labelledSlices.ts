import { existsSync } from 'node:fs'
import { basename, extname, join } from 'node:path'
import { readRaster } from '../volume'
import { readPngIndices } from '../volume/png'
import { findImageByStem, rasterFilesIn } from '../volume/raster'

/** One labelled training slice at its own size: the grey image, infection mask and edge mask (0–255). */
export interface LabelledSlice {
  name: string
  width: number
  height: number
  image: Uint8Array
  mask: Uint8Array
  edge: Uint8Array
  /** Multi-class labels (0 background, 1 ground-glass, 2 consolidation), when the folder has them. */
  classes?: Uint8Array
}

const stem = (f: string): string => basename(f, extname(f))

/**
 * An 8-bit grey PNG is decoded directly (ITK's reader takes ≈ 0.4 s a file, which is most of the
 * time of loading the 2 500 slices of a training pool); everything else goes through readRaster.
 */
async function readGrey(path: string): Promise<{ data: Uint8Array; width: number; height: number }> {
  if (extname(path).toLowerCase() === '.png') {
    const png = await readPngIndices(path).catch(() => undefined)
    if (png?.colourType === 0) return { data: png.data, width: png.width, height: png.height }
  }
  const v = await readRaster(path)
  return { data: v.data as Uint8Array, width: v.dimensions[0], height: v.dimensions[1] }
}

/**
 * Reads a training folder laid out like COVID-SemiSeg: images/, masks/, edges/ (and optionally
 * masks-multiclass/), matched by file stem. A missing mask is an error naming the slice; a
 * missing edge map is derived from the mask, since edges are only the mask's boundary.
 */
export async function readLabelledSlices(dir: string): Promise<LabelledSlice[]> {
  const imagesDir = join(dir, 'images')
  if (!existsSync(imagesDir)) throw new Error(`${dir} has no images/ folder (expected images/, masks/, edges/)`)
  const multiDir = join(dir, 'masks-multiclass')
  const out: LabelledSlice[] = []
  for (const file of await rasterFilesIn(imagesDir)) {
    const name = stem(file)
    const image = await readGrey(file)
    const maskFile = findImageByStem(join(dir, 'masks'), name)
    if (!maskFile) throw new Error(`${file} has no mask in ${join(dir, 'masks')}`)
    const mask = await readGrey(maskFile)
    if (mask.width !== image.width || mask.height !== image.height) {
      throw new Error(`${maskFile} is ${mask.width}×${mask.height} but its image is ${image.width}×${image.height}`)
    }
    const edgeFile = findImageByStem(join(dir, 'edges'), name)
    const edge = edgeFile ? (await readGrey(edgeFile)).data : maskEdge(mask.data, mask.width, mask.height)
    const multiFile = existsSync(multiDir) ? findImageByStem(multiDir, name) : undefined
    const classes = multiFile ? await readClassLabels(multiFile, image.width, image.height) : undefined
    out.push({ name, width: image.width, height: image.height, image: image.data, mask: mask.data, edge, classes })
  }
  if (out.length === 0) throw new Error(`${imagesDir} holds no PNG or JPEG slices`)
  return out
}

/**
 * A multi-class mask as class indices (0 background, 1 ground-glass, 2 consolidation). The masks
 * are palette PNGs whose index is the class; read as images they would become the palette colours'
 * luminance (1 → 38, 2 → 75), so they are read as raw indices.
 */
async function readClassLabels(file: string, width: number, height: number): Promise<Uint8Array> {
  const labels = await readPngIndices(file)
  if (labels.width !== width || labels.height !== height) {
    throw new Error(`${file} is ${labels.width}×${labels.height} but its image is ${width}×${height}`)
  }
  const bad = labels.data.find((v) => v > 2)
  if (bad !== undefined) throw new Error(`${file} holds label ${bad}; multi-class masks hold 0 background, 1 ground-glass, 2 consolidation`)
  return labels.data
}

/** Foreground pixels with a background 4-neighbour: the mask's boundary, 0/255. */
export function maskEdge(mask: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(mask.length)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x
      if (mask[i] <= 128) continue
      const bg = (j: number): boolean => mask[j] <= 128
      if ((x > 0 && bg(i - 1)) || (x < width - 1 && bg(i + 1)) || (y > 0 && bg(i - width)) || (y < height - 1 && bg(i + width))) {
        out[i] = 255
      }
    }
  }
  return out
}
