/**
 * NRRD (.nrrd, .nhdr) and MetaImage (.mha, .mhd) through ITK compiled to WebAssembly: both are
 * text headers over raw or compressed voxels, already in LPS, which ITK parses completely
 * (detached data files included, as ITK is given the header's folder).
 */
import { VolumeReadError } from './errors'
import { readHead } from './files'
import { readItkImage, toScalarImage } from './itkImage'
import { checkClaimedSize } from './limits'
import { guessModality, guessUnit } from './units'
import type { ValueUnit, Volume } from './volume'

export interface ReadItkOptions {
  /** Overrides the unit guessed from the pixel type. */
  unit?: ValueUnit
}

/** Text headers are short; a size line beyond this is not where any writer puts it. */
const HEADER_BYTES = 65536

/**
 * The image size a NRRD ("sizes: …") or MetaImage ("DimSize = …") header claims, checked before
 * ITK allocates for it: ITK trusts the header and spends seconds on an absurd one.
 */
async function checkHeaderSize(path: string, what: string): Promise<void> {
  let head: Uint8Array
  try {
    head = await readHead(path, HEADER_BYTES)
  } catch (error) {
    throw new VolumeReadError(path, 'cannot be read', { cause: error })
  }
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1')
  const line = /^(?:sizes:|DimSize\s*=)[ \t]*([^\r\n]*)$/m.exec(text)
  if (!line) return // ITK says what is missing
  const sizes = line[1].trim().split(/\s+/).map(Number)
  checkClaimedSize(path, sizes, `${what} size`)
}

async function readScalarVolume(path: string, what: string, options: ReadItkOptions): Promise<Volume> {
  await checkHeaderSize(path, what)
  const image = toScalarImage(await readItkImage(path, what), path, 'refuse')
  const unit = options.unit ?? guessUnit(image.data)
  return { ...image, modality: guessModality(unit), unit }
}

export function readNrrd(path: string, options: ReadItkOptions = {}): Promise<Volume> {
  return readScalarVolume(path, 'NRRD image', options)
}

export function readMetaImage(path: string, options: ReadItkOptions = {}): Promise<Volume> {
  return readScalarVolume(path, 'MetaImage', options)
}
