/**
 * Real CT data as a hospital PACS would hold it. The COVID-CT-MD files carry no SOPInstanceUID and
 * UUID-style study and series UIDs (not valid DICOM UIDs), which no PACS accepts and which make any
 * derived object invalid; the copy gives them valid UIDs derived from the originals (the same copy
 * every time), a frame of reference, and the patient ID as name. Pixel data is copied untouched.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import dcmjs from 'dcmjs'
import { dicomFiles } from './orthanc'

const uid = (...parts: string[]): string =>
  '2.25.' + BigInt('0x' + createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 30)).toString()

export interface PacsReadyCopy {
  folder: string
  files: string[]
  studyInstanceUid: string
  seriesInstanceUid: string
}

/** Copies the folder's DICOM files (or the `slices` of them, 0-based in name order) into `out`. */
export function pacsReadyCopy(
  folder: string,
  out: string,
  options: { slices?: number[]; tag?: string } = {}
): PacsReadyCopy {
  mkdirSync(out, { recursive: true })
  const all = dicomFiles(folder)
  const chosen = options.slices ? options.slices.map((i) => all[i]) : all
  const tag = options.tag ?? ''
  let studyInstanceUid = ''
  let seriesInstanceUid = ''
  const files = chosen.map((file) => {
    const bytes = readFileSync(file)
    const message = dcmjs.data.DicomMessage.readFile(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
    )
    const d = message.dict
    const text = (t: string): string => String(d[t]?.Value?.[0] ?? '')
    studyInstanceUid = uid('study', text('0020000D'), tag)
    seriesInstanceUid = uid('series', text('0020000E'), tag)
    const sop = uid('instance', text('0020000E'), basename(file), tag)
    d['0020000D'] = { vr: 'UI', Value: [studyInstanceUid] }
    d['0020000E'] = { vr: 'UI', Value: [seriesInstanceUid] }
    d['00080018'] = { vr: 'UI', Value: [sop] }
    d['00200052'] = { vr: 'UI', Value: [uid('frame', text('0020000E'), tag)] }
    if (!text('00100010')) d['00100010'] = { vr: 'PN', Value: [{ Alphabetic: text('00100020') + tag }] }
    // The file's own references to other images carry empty UIDs: drop them.
    delete d['00081140']
    delete d['00082112']
    message.meta['00020003'] = { vr: 'UI', Value: [sop] }
    const target = join(out, basename(file))
    writeFileSync(target, new Uint8Array(message.write()))
    return target
  })
  return { folder: out, files, studyInstanceUid, seriesInstanceUid }
}
