import dcmjs from 'dcmjs'
import { randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Study, series, instance and frame-of-reference UIDs (as scripts/bench-imports.ts rewrites them). */
const UID_TAGS = ['0020000D', '0020000E', '00080018', '00200052']
const newUid = (): string => `2.25.${BigInt('0x' + randomBytes(15).toString('hex')).toString()}`

export interface Retagging {
  patientId: string
  patientName: string
  /** DICOM DA, YYYYMMDD */
  studyDate: string
  /** give every UID a new value (a re-import, or a later study); false keeps them */
  newUids?: boolean
}

/**
 * Copies a real DICOM series into `to` with its patient and study date set and, by default, new
 * UIDs (the same old UID → the same new one within the copy), so the copy imports as another study:
 * a later study of the same patient, or a study of another patient. The pixels are untouched.
 */
export function retagSeries(from: string, to: string, tags: Retagging): string {
  mkdirSync(to, { recursive: true })
  const uids = new Map<string, string>()
  const mapped = (old: string): string => {
    if (!uids.has(old)) uids.set(old, newUid())
    return uids.get(old)!
  }
  for (const name of readdirSync(from)) {
    const bytes = readFileSync(join(from, name))
    const dicom = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
    if (tags.newUids !== false) {
      for (const tag of UID_TAGS) {
        const element = dicom.dict[tag]
        if (element?.Value?.[0]) element.Value[0] = mapped(String(element.Value[0]))
      }
      const sop = dicom.dict['00080018']?.Value?.[0]
      if (sop && dicom.meta['00020003']) dicom.meta['00020003'].Value[0] = sop
    }
    dicom.dict['00100020'] = { vr: 'LO', Value: [tags.patientId] }
    dicom.dict['00100010'] = { vr: 'PN', Value: [{ Alphabetic: tags.patientName }] }
    dicom.dict['00080020'] = { vr: 'DA', Value: [tags.studyDate] }
    writeFileSync(join(to, name), Buffer.from(dicom.write()))
  }
  return to
}
