/**
 * File-system helpers shared by the readers: recursive listing, natural ordering, and sniffing a
 * file's format from its first bytes so a misnamed file is still read by the right reader.
 */
import { open, readdir, stat } from 'node:fs/promises'
import { basename, extname, join } from 'node:path'
import { VolumeReadError } from './errors'

export type FileKind = 'dicom' | 'png' | 'jpeg' | 'nifti' | 'nrrd' | 'metaimage' | 'unknown'

/** Bytes needed to recognise every format below (the NIfTI magic sits at 344). */
const SNIFF_BYTES = 352

/** "slice2" before "slice10", as a person (and most slice exporters) expect. */
export const naturalCompare = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }).compare

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory()
  } catch (error) {
    throw new VolumeReadError(path, 'cannot be opened (it does not exist or is not readable)', { cause: error })
  }
}

/** All regular files under `dir`, recursively, in natural order of their paths. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true })
    for (const e of entries) {
      const path = join(d, e.name)
      // Symbolic links are not followed: a link back to a parent would never end.
      if (e.isDirectory()) await walk(path)
      else if (e.isFile()) out.push(path)
    }
  }
  await walk(dir)
  return out.sort(naturalCompare)
}

export async function readHead(path: string, bytes = SNIFF_BYTES): Promise<Uint8Array> {
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(bytes)
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

function startsWith(head: Uint8Array, signature: number[], at = 0): boolean {
  return signature.every((b, i) => head[at + i] === b)
}

/** Lower-cased extension, with the double extensions that matter kept whole (".nii.gz"). */
export function extensionOf(path: string): string {
  const name = basename(path).toLowerCase()
  return name.endsWith('.nii.gz') ? '.nii.gz' : extname(name)
}

/**
 * The format of a file from its content, falling back to its extension for text headers and for
 * damaged files, so that these reach the reader whose error message explains what is wrong.
 */
export function sniff(path: string, head: Uint8Array): FileKind {
  if (head.length >= 132 && startsWith(head, [0x44, 0x49, 0x43, 0x4d], 128)) return 'dicom'
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png'
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg'
  if (startsWith(head, [0x4e, 0x52, 0x52, 0x44])) return 'nrrd' // "NRRD"
  const magic = String.fromCharCode(...head.subarray(344, 347))
  if (magic === 'n+1' || magic === 'ni1') return 'nifti'
  const ext = extensionOf(path)
  if (ext === '.nii' || ext === '.nii.gz') return 'nifti'
  if (ext === '.nhdr' || ext === '.nrrd') return 'nrrd'
  if (ext === '.mha' || ext === '.mhd') return 'metaimage'
  if (ext === '.dcm' || ext === '.dicom' || ext === '.ima') return 'dicom'
  if (ext === '.png') return 'png'
  if (ext === '.jpg' || ext === '.jpeg') return 'jpeg'
  return 'unknown'
}

export async function sniffFile(path: string): Promise<FileKind> {
  return sniff(path, await readHead(path))
}

/**
 * Maps with at most `limit` calls in flight: enough to overlap disk latency, few enough not to hold
 * hundreds of file buffers or descriptors at once.
 */
export async function mapConcurrent<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i], i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
