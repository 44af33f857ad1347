/**
 * NRRD (.nrrd, .nhdr) and MetaImage (.mha, .mhd) through ITK compiled to WebAssembly: both are
 * text headers over raw or compressed voxels, already in LPS, which ITK parses completely
 * (detached data files included, as ITK is given the header's folder).
 */
import { readItkImage, toScalarImage } from './itkImage'
import { guessModality, guessUnit } from './units'
import type { ValueUnit, Volume } from './volume'

export interface ReadItkOptions {
  /** Overrides the unit guessed from the pixel type. */
  unit?: ValueUnit
}

async function readScalarVolume(path: string, what: string, options: ReadItkOptions): Promise<Volume> {
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
