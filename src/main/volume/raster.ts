/**
 * PNG/JPEG slices → a grey-level volume: one image is one slice, a folder of equal-size images is
 * a stack in natural filename order (slice2 before slice10). Such images carry no geometry, so
 * spacing is 1 and the direction the identity; their values are display grey levels, not HU.
 * Colour images become luminance, with the modality XC (photograph) rather than OT.
 */
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { VolumeReadError } from './errors'
import { extensionOf, isDirectory, naturalCompare, readHead, sniff, type FileKind } from './files'
import { readItkImage, toScalarImage, type ScalarImage } from './itkImage'
import { checkRasterBytes } from './rasterHeader'
import { IDENTITY_DIRECTION, type Volume, type VoxelArray } from './volume'

export { encodePng8, writePng8 } from './png'

const RASTER_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg'])

export function isRasterKind(kind: FileKind): boolean {
  return kind === 'png' || kind === 'jpeg'
}

async function readSlice(file: string): Promise<ScalarImage> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(file)
  } catch (error) {
    throw new VolumeReadError(file, 'cannot be read', { cause: error })
  }
  checkRasterBytes(bytes, file)
  const image = toScalarImage(await readItkImage(file, 'PNG or JPEG image'), file, 'luminance')
  if (image.dimensions[2] !== 1)
    throw new VolumeReadError(file, `expected a 2-D image, found ${image.dimensions.join('×')}`)
  return image
}

function stackOf(files: string[], slices: ScalarImage[]): Volume {
  const [first] = slices
  const [w, h] = first.dimensions
  slices.forEach((s, k) => {
    if (s.dimensions[0] !== w || s.dimensions[1] !== h) {
      throw new VolumeReadError(
        files[k],
        `image size ${s.dimensions[0]}×${s.dimensions[1]} differs from ${w}×${h} of ${files[0]}; a folder is read as one stack of equal-size slices`
      )
    }
    if (s.data.constructor !== first.data.constructor) {
      throw new VolumeReadError(files[k], `bit depth differs from ${files[0]} in the same stack`)
    }
  })
  const n = w * h
  const Ctor = first.data.constructor as new (length: number) => VoxelArray
  const data = slices.length === 1 ? first.data : new Ctor(n * slices.length)
  if (slices.length > 1) slices.forEach((s, k) => data.set(s.data, k * n))
  return {
    data,
    dimensions: [w, h, slices.length],
    spacing: [1, 1, 1],
    origin: [0, 0, 0],
    direction: [...IDENTITY_DIRECTION],
    // A colour picture is a photograph (DICOM's XC, external-camera photography), not a CT slice:
    // luminance keeps it viewable, the modality keeps it from being scored as a chest CT.
    modality: slices.some((s) => s.colourful === true) ? 'XC' : 'OT',
    unit: 'grey'
  }
}

/** Reads the given image files, in the given order, as the slices of one stack. */
export async function readRasterStack(files: string[]): Promise<Volume> {
  if (files.length === 0) throw new VolumeReadError('(no files)', 'no PNG or JPEG images given')
  const slices: ScalarImage[] = []
  // One at a time: ITK's wasm decoder runs one image at a time anyway.
  for (const f of files) slices.push(await readSlice(f))
  return stackOf(files, slices)
}

/** The PNG/JPEG files directly inside a folder (not its subfolders), in natural order. */
export async function rasterFilesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const files = entries.filter((e) => e.isFile()).map((e) => join(dir, e.name))
  const images: string[] = []
  for (const f of files) {
    // Named like an image (a damaged one must be reported, not skipped) or one by content.
    if (RASTER_EXTENSIONS.has(extensionOf(f)) || isRasterKind(sniff(f, await readHead(f)))) images.push(f)
  }
  return images.sort(naturalCompare)
}

/** The image in `dir` named `stem` with any PNG/JPEG extension, if there is one. */
export function findImageByStem(dir: string, stem: string): string | undefined {
  for (const ext of ['.png', '.jpg', '.jpeg', '.PNG', '.JPG', '.JPEG'])
    if (existsSync(join(dir, stem + ext))) return join(dir, stem + ext)
  return undefined
}

/** One image file → a one-slice volume; a folder of them → a stack. Unit 'grey'. */
export async function readRaster(path: string): Promise<Volume> {
  if (!(await isDirectory(path))) return readRasterStack([path])
  const files = await rasterFilesIn(path)
  if (files.length === 0) throw new VolumeReadError(path, 'no PNG or JPEG images found in this folder')
  return readRasterStack(files)
}
