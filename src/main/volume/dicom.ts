/**
 * DICOM series reading: files (or folders, searched recursively) → one HU volume per series.
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { VolumeReadError } from './errors'
import { parseDicomFile, type DicomSlice } from './dicomFile'
import { assembleSeries, groupBySeries } from './dicomSeries'
import { decodeSeries } from './dicomPixels'
import { seriesMetadata } from './dicomMetadata'
import { hasDicomPrefix } from './dicomStructure'
import { extensionOf, isDirectory, listFiles, mapConcurrent, readHead } from './files'
import { saneGeometry } from './limits'
import type { Volume } from './volume'

const READ_CONCURRENCY = 8

/** Names that claim to be DICOM: such a file that is not DICOM is damaged, not unrelated. */
const DICOM_EXTENSIONS = new Set(['.dcm', '.dicom', '.ima'])

/**
 * Files to read: every file named explicitly (a non-DICOM one is an error) and, in named folders,
 * the DICOM files and those named like DICOM (so a damaged one is reported, not silently dropped
 * from the series); other files there, such as a README or .DS_Store, are passed over.
 */
async function collectFiles(paths: string[]): Promise<string[]> {
  const files = new Set<string>()
  for (const path of paths) {
    if (!(await isDirectory(path))) {
      files.add(resolve(path))
      continue
    }
    const found = await listFiles(path)
    const heads = await mapConcurrent(found, READ_CONCURRENCY, (f) => readHead(f, 132))
    const dicom = found.filter((f, i) => hasDicomPrefix(heads[i]) || DICOM_EXTENSIONS.has(extensionOf(f)))
    if (dicom.length === 0) throw new VolumeReadError(path, 'no DICOM files found in this folder')
    for (const f of dicom) files.add(resolve(f))
  }
  return [...files]
}

async function readSlice(file: string): Promise<DicomSlice | undefined> {
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch (error) {
    throw new VolumeReadError(file, 'cannot be read', { cause: error })
  }
  return parseDicomFile(file, bytes)
}

/** The volume of one series' slices (parsed by parseDicomFile), validated and decoded to HU. */
export async function dicomSeriesVolume(slices: DicomSlice[]): Promise<Volume> {
  const geometry = assembleSeries(slices)
  if (!saneGeometry(geometry.spacing, geometry.origin, geometry.direction)) {
    throw new VolumeReadError(
      geometry.slices[0].file,
      'slice positions, orientation or spacing give no usable geometry (values not finite or spacing not positive)'
    )
  }
  const data = await decodeSeries(geometry.slices)
  return {
    data,
    dimensions: geometry.dimensions,
    spacing: geometry.spacing,
    origin: geometry.origin,
    direction: geometry.direction,
    modality: 'CT',
    unit: 'HU',
    metadata: seriesMetadata(geometry.slices),
    ...instanceNumbersOf(geometry.slices)
  }
}

/**
 * Reads DICOM files or folders into one volume per SeriesInstanceUID, in order of first appearance.
 * Throws VolumeReadError naming the file for anything that would give a wrong volume.
 */
export async function readDicomSeries(paths: string[] | string): Promise<Volume[]> {
  const list = typeof paths === 'string' ? [paths] : paths
  if (list.length === 0) throw new VolumeReadError('(no paths)', 'no DICOM files given')
  const files = await collectFiles(list)
  const parsed = await mapConcurrent(files, READ_CONCURRENCY, readSlice)
  const slices = parsed.filter((s): s is DicomSlice => s !== undefined)
  if (slices.length === 0)
    throw new VolumeReadError(list.join(', '), 'no DICOM images found (only non-image DICOM objects)')
  const volumes: Volume[] = []
  // One series at a time keeps a single decoded series plus the file bytes in memory.
  for (const group of groupBySeries(slices).values()) volumes.push(await dicomSeriesVolume(group))
  return volumes
}

/** Each slice's InstanceNumber in slice order, when every slice has one (how PACS numbers the images). */
function instanceNumbersOf(slices: readonly { instanceNumber?: number }[]): { instanceNumbers?: number[] } {
  const numbers = slices.map((s) => s.instanceNumber)
  return numbers.every((n): n is number => n !== undefined && Number.isFinite(n))
    ? { instanceNumbers: numbers.map(Math.trunc) }
    : {}
}
