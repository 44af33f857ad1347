/**
 * The volume I/O entry points: read whatever the user hands over (files or folders of DICOM,
 * NIfTI, NRRD, MetaImage, PNG/JPEG), write Pulmo's storage format (NIfTI), fingerprint voxels.
 */
import { createHash } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { readDicomSeries } from './dicom'
import { VolumeReadError } from './errors'
import { extensionOf, isDirectory, listFiles, mapConcurrent, naturalCompare, sniffFile } from './files'
import { readMetaImage, readNrrd } from './itkFormats'
import { readNifti, writeNifti } from './nifti'
import { isRasterKind, rasterFilesIn, readRaster, readRasterStack } from './raster'
import type { Volume } from './volume'

export { readDicomSeries } from './dicom'
export { VolumeReadError } from './errors'
export { readNifti, writeNifti, type NiftiIdentity, type ReadNiftiOptions, type WriteNiftiOptions } from './nifti'
export { buildCtSeries, writeDicomFolder } from './dicomWriter'
export { readMetaImage, readNrrd, type ReadItkOptions } from './itkFormats'
export { encodePng8, readRaster, readRasterStack, writePng8 } from './raster'
export { applyWindow, LUNG_WINDOW, MEDIASTINUM_WINDOW, WINDOW_PRESETS, type WindowPreset } from './window'
export * from './volume'

const SNIFF_CONCURRENCY = 8

/** Whether a folder holds DICOM anywhere below it (by content, or by a DICOM-like name). */
async function folderHasDicom(dir: string): Promise<boolean> {
  const files = await listFiles(dir)
  const kinds = await mapConcurrent(files, SNIFF_CONCURRENCY, sniffFile)
  return kinds.includes('dicom')
}

/** Volume files (NIfTI, NRRD, MetaImage) directly inside a folder that has no DICOM or images. */
async function volumeFilesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => join(dir, e.name))
    .sort(naturalCompare)
  const kinds = await mapConcurrent(files, SNIFF_CONCURRENCY, sniffFile)
  // The raw data file a .mhd/.nhdr header names sniffs as unknown, so it is not read on its own.
  return files.filter((_, i) => kinds[i] === 'nifti' || kinds[i] === 'nrrd' || kinds[i] === 'metaimage')
}

async function readFileVolume(path: string): Promise<Volume> {
  const kind = await sniffFile(path)
  if (kind === 'nifti') return readNifti(path)
  if (kind === 'nrrd') return readNrrd(path)
  if (kind === 'metaimage') return readMetaImage(path)
  if (isRasterKind(kind)) return readRaster(path)
  throw new VolumeReadError(
    path,
    `unsupported file format "${extensionOf(path) || 'no extension'}" (Pulmo reads DICOM, NIfTI, NRRD, MetaImage, PNG and JPEG)`
  )
}

/**
 * Reads every path, all or nothing (the first bad file throws its VolumeReadError):
 * - DICOM files and folders containing DICOM are read together, one volume per series (so a
 *   series split over several folders is one volume);
 * - a folder without DICOM is a stack of its PNG/JPEG images, or else its NIfTI/NRRD/MetaImage files;
 * - any other file is read by its format, found from its content (then its extension).
 * DICOM volumes come first, then the others in the order given.
 */
export async function readVolumes(paths: string[]): Promise<Volume[]> {
  if (paths.length === 0) throw new VolumeReadError('(no paths)', 'nothing to read')
  const dicom: string[] = []
  const others: Array<() => Promise<Volume[]>> = []
  for (const path of paths) {
    if (await isDirectory(path)) {
      if (await folderHasDicom(path)) {
        dicom.push(path)
        continue
      }
      const images = await rasterFilesIn(path)
      if (images.length > 0) {
        others.push(async () => [await readRasterStack(images)])
        continue
      }
      const volumes = await volumeFilesIn(path)
      if (volumes.length === 0)
        throw new VolumeReadError(path, 'no DICOM, NIfTI, NRRD, MetaImage, PNG or JPEG files found in this folder')
      others.push(async () => Promise.all(volumes.map(readFileVolume)))
    } else if ((await sniffFile(path)) === 'dicom') {
      dicom.push(path)
    } else {
      others.push(async () => [await readFileVolume(path)])
    }
  }
  const out = dicom.length > 0 ? await readDicomSeries(dicom) : []
  for (const read of others) out.push(...(await read()))
  return out
}

/** Writes a volume as NIfTI (.nii or .nii.gz), Pulmo's storage and export format. */
export async function writeVolume(path: string, volume: Volume): Promise<void> {
  const ext = extensionOf(path)
  if (ext !== '.nii' && ext !== '.nii.gz')
    throw new Error(`${path}: volumes are written as NIfTI, name the file .nii or .nii.gz`)
  await writeNifti(path, volume)
}

/** SHA-256 (hex) of the voxel bytes, to recognise a re-import or a damaged stored file. */
export function checksum(volume: Pick<Volume, 'data'>): string {
  const { data } = volume
  return createHash('sha256')
    .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    .digest('hex')
}
