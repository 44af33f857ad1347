/**
 * De-identification (PS3.15, src/main/privacy) treats every object alike; on Pulmo's own result
 * objects it removes a few things that are neither the patient's data nor optional: Pulmo's device
 * serial number and the (empty) performed procedure step reference that the SEG and SR modules
 * require, and the radiologist's name, which stays on a signed report as it does on the PDF (a
 * signature is an attestation by a named reader). This puts them back from the original object.
 */
import dcmjs, { type DicomDataset, type DicomDict } from 'dcmjs'

const TAG = {
  DeviceSerialNumber: '00181000',
  ReferencedPerformedProcedureStepSequence: '00081111',
  VerifyingObserverSequence: '0040A073',
  VerifyingObserverName: '0040A075',
  ContentSequence: '0040A730',
  PersonName: '0040A123'
}

const sorted = (ds: DicomDataset): DicomDataset =>
  Object.fromEntries(Object.entries(ds).sort(([a], [b]) => (a.toUpperCase() < b.toUpperCase() ? -1 : 1)))

function copyPersonNames(from: DicomDataset, to: DicomDataset): void {
  if (from[TAG.PersonName]) to[TAG.PersonName] = from[TAG.PersonName]
  const a = (from[TAG.ContentSequence]?.Value ?? []) as DicomDataset[]
  const b = (to[TAG.ContentSequence]?.Value ?? []) as DicomDataset[]
  a.forEach((item, i) => {
    if (b[i]) {
      copyPersonNames(item, b[i])
      b[i] = sorted(b[i])
    }
  })
}

export function restoreResultAttributes(original: DicomDict, deidentified: DicomDict): DicomDict {
  const from = original.dict
  const to = { ...deidentified.dict }
  if (from[TAG.DeviceSerialNumber]) to[TAG.DeviceSerialNumber] = from[TAG.DeviceSerialNumber]
  if (from[TAG.ReferencedPerformedProcedureStepSequence])
    to[TAG.ReferencedPerformedProcedureStepSequence] = { vr: 'SQ', Value: [] }
  const observers = from[TAG.VerifyingObserverSequence]?.Value as DicomDataset[] | undefined
  const kept = to[TAG.VerifyingObserverSequence]?.Value as DicomDataset[] | undefined
  if (observers && kept) {
    to[TAG.VerifyingObserverSequence] = {
      vr: 'SQ',
      Value: kept.map((item, i) =>
        sorted({ ...item, [TAG.VerifyingObserverName]: observers[i][TAG.VerifyingObserverName] })
      )
    }
  }
  copyPersonNames(from, to)
  const out = new dcmjs.data.DicomDict(deidentified.meta)
  out.dict = sorted(to)
  return out
}
