/**
 * De-identification of DICOM data sets (dcmjs's tag-keyed form): the PS3.15 profile of
 * dicomProfile.ts, with the pseudonym, date shift and UID map of PseudonymKeys so that every export
 * of a patient agrees with every other.
 */
import dcmjs, { type DicomDataset, type DicomDict, type DicomElement } from 'dcmjs'
import { shiftDate, shiftDateTime } from './dates'
import { EMPTIED_TAGS, METHOD_CODES, METHOD_TEXT, PSEUDONYM_TAGS, REGISTRY_UID_ROOT, REMOVED_TAGS, TAG } from './dicomProfile'
import { PULMO_IMPLEMENTATION_UID, PULMO_IMPLEMENTATION_VERSION } from '../volume/dicomWriter'
import { valueText } from '../volume/dicomValue'
import { patientKey, type PatientPseudonym, type PseudonymKeys } from './pseudonyms'


dcmjs.log.setLevel('error')

function firstText(el: DicomElement | undefined): string {
  return valueText(el?.Value?.[0])
}

/** The patient a data set belongs to, as the pseudonym keys see it (same rule as the export). */
export function pseudonymOfDataset(dict: DicomDataset, keys: PseudonymKeys): PatientPseudonym {
  const uid = firstText(dict[tagHex('StudyInstanceUID')])
  return keys.patient(patientKey({ patientId: firstText(dict[TAG.PatientID]), patientName: firstText(dict[TAG.PatientName]) }, uid))
}

function tagHex(keyword: string): string {
  return dcmjs.data.DicomMetaDictionary.nameMap[keyword]!.tag.replace(/[(),]/g, '').toUpperCase()
}

const strings = (values: unknown[] | undefined): string[] => (values ?? []).map((v) => (typeof v === 'string' ? v : String(v ?? '')))

function isDropped(tag: string): boolean {
  const group = parseInt(tag.slice(0, 4), 16)
  // Private groups (odd), curves (50xx) and overlays (60xx, which can carry burned-in text).
  return (group & 1) === 1 || (group & 0xff00) === 0x5000 || (group & 0xff00) === 0x6000 || REMOVED_TAGS.has(tag)
}

function cleanDataset(ds: DicomDataset, keys: PseudonymKeys, patient: PatientPseudonym): DicomDataset {
  const out: DicomDataset = {}
  for (const [rawTag, el] of Object.entries(ds)) {
    const tag = rawTag.toUpperCase()
    if (!el || typeof el !== 'object' || isDropped(tag)) continue
    const { vr } = el
    if (PSEUDONYM_TAGS.has(tag)) {
      out[rawTag] = { vr, Value: [vr === 'PN' ? { Alphabetic: patient.pseudonym } : patient.pseudonym] }
      continue
    }
    if (EMPTIED_TAGS.has(tag)) {
      out[rawTag] = { vr, Value: [] }
      continue
    }
    switch (vr) {
      case 'SQ':
        out[rawTag] = { vr, Value: (el.Value ?? []).map((item) => cleanDataset(item as DicomDataset, keys, patient)) }
        break
      case 'DA':
        out[rawTag] = { vr, Value: strings(el.Value).map((d) => shiftDate(d, patient.dateShiftDays)) }
        break
      case 'DT':
        out[rawTag] = { vr, Value: strings(el.Value).map((d) => shiftDateTime(d, patient.dateShiftDays)) }
        break
      case 'UI':
        out[rawTag] = { vr, Value: strings(el.Value).map((u) => (u.trim() && !u.startsWith(REGISTRY_UID_ROOT) ? keys.uid(u.trim()) : u)) }
        break
      case 'PN':
        // A person not in the profile's list is still a person: emptied, never kept.
        out[rawTag] = { vr, Value: [] }
        break
      case 'UN':
        // Unknown content (a public attribute dcmjs could not type) cannot be vouched for.
        break
      default:
        out[rawTag] = el
    }
  }
  return out
}

function element(vr: string, ...values: unknown[]): DicomElement {
  return { vr, Value: values }
}

/**
 * The de-identified copy of a data set (the input is not changed): pseudonym for name and ID,
 * identifying attributes removed or emptied, private/curve/overlay groups removed, dates shifted,
 * instance UIDs remapped, and the PS3.15 markers that say so.
 */
export function deidentifyDataset(dict: DicomDataset, keys: PseudonymKeys, patient = pseudonymOfDataset(dict, keys)): DicomDataset {
  const out = cleanDataset(dict, keys, patient)
  out[TAG.PatientName] = element('PN', { Alphabetic: patient.pseudonym })
  out[TAG.PatientID] = element('LO', patient.pseudonym)
  out[TAG.PatientIdentityRemoved] = element('CS', 'YES')
  out[TAG.DeidentificationMethod] = element('LO', METHOD_TEXT)
  out[TAG.DeidentificationMethodCodeSequence] = element(
    'SQ',
    ...METHOD_CODES.map((c) => ({
      [TAG.CodeValue]: element('SH', c.code),
      [TAG.CodingSchemeDesignator]: element('SH', 'DCM'),
      [TAG.CodeMeaning]: element('LO', c.meaning)
    }))
  )
  out[TAG.LongitudinalTemporalInformationModified] = element('CS', 'MODIFIED')
  // dcmjs writes in insertion order; DICOM wants ascending tags.
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a.toUpperCase() < b.toUpperCase() ? -1 : 1)))
}

/** File meta information for a de-identified data set: the new instance UID, Pulmo as the writer. */
function deidentifyMeta(meta: DicomDataset, dict: DicomDataset): DicomDataset {
  const out: DicomDataset = {}
  for (const [tag, el] of Object.entries(meta)) {
    const t = tag.toUpperCase()
    if (t === TAG.SourceApplicationEntityTitle || t === TAG.SendingApplicationEntityTitle || t === TAG.ReceivingApplicationEntityTitle) continue
    if (t === TAG.PrivateInformationCreatorUID || t === TAG.PrivateInformation) continue
    out[tag] = el
  }
  out[TAG.MediaStorageSOPInstanceUID] = element('UI', firstText(dict[TAG.SOPInstanceUID]))
  out[TAG.ImplementationClassUID] = element('UI', PULMO_IMPLEMENTATION_UID)
  out[TAG.ImplementationVersionName] = element('SH', PULMO_IMPLEMENTATION_VERSION)
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a.toUpperCase() < b.toUpperCase() ? -1 : 1)))
}

/** A de-identified copy of a read or built Part 10 object, ready to write. */
export function deidentifyDicom(message: Pick<DicomDict, 'meta' | 'dict'>, keys: PseudonymKeys, patient?: PatientPseudonym): DicomDict {
  const dict = deidentifyDataset(message.dict, keys, patient ?? pseudonymOfDataset(message.dict, keys))
  const out = new dcmjs.data.DicomDict(deidentifyMeta(message.meta, dict))
  out.dict = dict
  return out
}

/** De-identifies the bytes of one DICOM Part 10 file; pixel data passes through untouched. */
export function deidentifyDicomBytes(bytes: Uint8Array, keys: PseudonymKeys): Uint8Array {
  const exact = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  const message = dcmjs.data.DicomMessage.readFile(exact)
  return new Uint8Array(deidentifyDicom(message, keys).write())
}
