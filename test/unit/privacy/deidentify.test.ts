import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import dcmjs, { type NaturalDataset } from 'dcmjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { daysBetween, deidentifyDicomBytes, PseudonymKeys, shiftDate, shiftDateTime } from '../../../src/main/privacy'
import { PulmoService } from '../../../src/main/services'
import { checksum, readDicomSeries } from '../../../src/main/volume'
import { lungmaskSlices, normal002, p002, tempDir } from '../../helpers/paths'

/**
 * Real headers (three COVID-CT-MD P002 slices, the two lungmask slices, one normal002 slice) are
 * given the identifiers an ordinary hospital export carries, then de-identified. The real files
 * are already anonymised, so without these additions there would be nothing to find.
 */
const dir = tempDir('pulmo-deid-')
const keys = new PseudonymKeys(Buffer.from('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'hex'))

const IDENTIFYING = {
  PatientName: [{ Alphabetic: 'Doe^Jane' }],
  PatientBirthDate: '19720305',
  OtherPatientIDs: 'MRN-5551234',
  AccessionNumber: 'ACC77812',
  InstitutionName: 'St Elsewhere General Hospital',
  InstitutionAddress: '12 Harbour Road, Portsmouth',
  ReferringPhysicianName: [{ Alphabetic: 'House^Gregory' }],
  OperatorsName: [{ Alphabetic: 'Tech^Terry' }],
  StationName: 'CTSTATION7',
  DeviceSerialNumber: 'SN-998877',
  StudyDescription: 'CT THORAX for Doe^Jane',
  ImageComments: 'patient Doe^Jane, bed 4'
}
/** Strings that must not survive, with the PatientID and UIDs each group of files adds. */
const FORBIDDEN = [
  'Doe^Jane',
  '19720305',
  'MRN-5551234',
  'ACC77812',
  'Elsewhere',
  'Harbour Road',
  'House^Gregory',
  'Tech^Terry',
  'CTSTATION7',
  'SN-998877',
  'bed 4'
]

interface Group {
  name: string
  originals: string[]
  identified: string
  deidentified: string
  studyDate: string
  forbidden: string[]
}

const read = (bytes: Uint8Array): { meta: NaturalDataset; ds: NaturalDataset } => {
  const message = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
  return {
    meta: dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.meta),
    ds: dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.dict)
  }
}

/** Copies real files into `group.identified` with the identifiers set, then de-identifies them. */
function prepare(group: Group, fields: Record<string, unknown>): void {
  mkdirSync(group.identified, { recursive: true })
  mkdirSync(group.deidentified, { recursive: true })
  group.originals.forEach((file, i) => {
    const bytes = readFileSync(file)
    const message = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
    const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.dict)
    Object.assign(ds, IDENTIFYING, fields, { StudyDate: group.studyDate, SeriesDate: group.studyDate, AcquisitionDate: group.studyDate, ContentDate: group.studyDate })
    message.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(ds)
    const identified = new Uint8Array(message.write())
    writeFileSync(join(group.identified, `${i}.dcm`), identified)
    writeFileSync(join(group.deidentified, `${i}.dcm`), deidentifyDicomBytes(identified, keys))
  })
}

const files = (folder: string, n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => readFileSync(join(folder, `${i}.dcm`)))

const groups: Record<'covid' | 'followUp' | 'other', Group> = {
  // P002's CT and, as its follow-up study 19 days later, the lungmask slices given P002's identity.
  covid: {
    name: 'P002 study A',
    originals: ['IM0001.dcm', 'IM0002.dcm', 'IM0003.dcm'].map((f) => join(p002, f)),
    identified: join(dir.path, 'a-identified'),
    deidentified: join(dir.path, 'a-deidentified'),
    studyDate: '20200314',
    forbidden: ['P002', '8969111143488043176204', '0989410685142949082', '20200314']
  },
  followUp: {
    name: 'P002 study B',
    originals: ['0.dcm', '1.dcm'].map((f) => join(lungmaskSlices, f)),
    identified: join(dir.path, 'b-identified'),
    deidentified: join(dir.path, 'b-deidentified'),
    studyDate: '20200402',
    forbidden: [
      'P002',
      '20200402',
      '1.2.826.0.1.3680043.8.498.99442832844785701617685555618610994967',
      '1.2.826.0.1.3680043.8.498.22032370629701851459946006816247576553',
      '1.3.6.1.4.1.14519.5.2.1.6279.6001.211790042620307056609660772296'
    ]
  },
  other: {
    name: 'normal002',
    originals: [join(normal002, 'IM0001.dcm')],
    identified: join(dir.path, 'c-identified'),
    deidentified: join(dir.path, 'c-deidentified'),
    studyDate: '20200314',
    forbidden: ['normal002', '1355759765342405113162804']
  }
}

beforeAll(() => {
  prepare(groups.covid, {})
  prepare(groups.followUp, { PatientID: 'P002', PatientSex: 'F' })
  prepare(groups.other, { PatientName: [{ Alphabetic: 'Roe^Richard' }] })
})
afterAll(() => dir.remove())

describe('DICOM de-identification of real headers', () => {
  it('leaves no name, ID, birth date, accession, institution, original date or UID anywhere in the bytes', () => {
    for (const group of Object.values(groups)) {
      const forbidden = [...FORBIDDEN, ...group.forbidden].filter((s) => !(group === groups.other && s === 'Doe^Jane'))
      const before = files(group.identified, group.originals.length).map((b) => Buffer.from(b).toString('latin1'))
      const after = files(group.deidentified, group.originals.length).map((b) => Buffer.from(b).toString('latin1'))
      // The identified copies do carry every one of them, so their absence below means removal.
      // (Listing what is found, rather than comparing whole files, keeps a failure readable.)
      for (const text of before) expect(forbidden.filter((s) => !text.includes(s)), `${group.name} before`).toEqual([])
      for (const text of after) expect([...forbidden, 'Roe^Richard'].filter((s) => text.includes(s)), `${group.name} after`).toEqual([])
    }
  })

  it('replaces name and ID by the pseudonym, marks the object de-identified and drops private groups', () => {
    const { meta, ds } = read(files(groups.covid.deidentified, 1)[0])
    const pseudonym = ds.PatientID as string
    expect(pseudonym).toMatch(/^PULMO-[0-9A-HJKMNP-TV-Z]{10}$/)
    expect(ds.PatientName).toEqual([{ Alphabetic: pseudonym }])
    expect(ds.PatientIdentityRemoved).toBe('YES')
    expect(ds.LongitudinalTemporalInformationModified).toBe('MODIFIED')
    expect(ds.DeidentificationMethod).toMatch(/PS3\.15/)
    expect((ds.DeidentificationMethodCodeSequence as Array<{ CodeValue: string }>).map((c) => c.CodeValue)).toEqual(['113100', '113107', '113108'])
    expect(ds.PatientBirthDate ?? '').toBe('')
    expect(ds.AccessionNumber ?? '').toBe('')
    for (const gone of ['InstitutionName', 'InstitutionAddress', 'OperatorsName', 'OtherPatientIDs', 'StationName', 'DeviceSerialNumber', 'StudyDescription', 'ImageComments'])
      expect(ds, gone).not.toHaveProperty(gone)
    // Kept: what the image needs and the patient characteristics option allows.
    expect(ds.SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.2')
    expect(ds.PatientSex).toBe('F')
    expect(ds.PatientAge).toBe('048Y')
    expect(ds.ImagePositionPatient).toEqual([-162.1982421875, -293.1982421875, -173.7])
    expect(ds.RescaleIntercept).toBe(-1024)
    expect(Object.keys(ds).filter((k) => /^[0-9A-F]{3}[13579BDF][0-9A-F]{4}$/i.test(k))).toEqual([])
    expect(meta.TransferSyntaxUID).toBe('1.2.840.10008.1.2.4.70')
    expect(meta.ImplementationVersionName).toBe('PULMO_0_1')
  })

  it('gives one patient the same pseudonym and date shift in every study, another patient others', () => {
    const [a] = files(groups.covid.deidentified, 1).map((b) => read(b).ds)
    const [b] = files(groups.followUp.deidentified, 1).map((x) => read(x).ds)
    const [c] = files(groups.other.deidentified, 1).map((x) => read(x).ds)
    expect(b.PatientID).toBe(a.PatientID)
    expect(c.PatientID).not.toBe(a.PatientID)
    const expected = keys.patient('P002')
    expect(a.PatientID).toBe(expected.pseudonym)
    expect(expected.dateShiftDays).toBeLessThan(0)
    // Same shift in both studies, so the 19 days between them survive; every date of a file moved alike.
    expect(daysBetween('20200314', a.StudyDate as string)).toBe(expected.dateShiftDays)
    expect(daysBetween('20200402', b.StudyDate as string)).toBe(expected.dateShiftDays)
    expect(daysBetween(a.StudyDate as string, b.StudyDate as string)).toBe(19)
    for (const ds of [a, b]) for (const key of ['SeriesDate', 'AcquisitionDate', 'ContentDate']) expect(ds[key]).toBe(ds.StudyDate)
    expect(daysBetween('20200314', c.StudyDate as string)).toBe(keys.patient('normal002').dateShiftDays)
    expect(keys.patient('normal002').dateShiftDays).not.toBe(expected.dateShiftDays)
  })

  it('is repeatable: the same file gives the same pseudonym and UIDs twice; another secret gives others', () => {
    const identified = files(groups.covid.identified, 1)[0]
    const once = read(deidentifyDicomBytes(identified, keys)).ds
    const twice = read(deidentifyDicomBytes(identified, keys)).ds
    expect(twice.PatientID).toBe(once.PatientID)
    expect(twice.StudyInstanceUID).toBe(once.StudyInstanceUID)
    expect(twice.SeriesInstanceUID).toBe(once.SeriesInstanceUID)
    expect(once.StudyInstanceUID).toMatch(/^2\.25\.\d{1,39}$/)
    const otherInstallation = read(deidentifyDicomBytes(identified, new PseudonymKeys(Buffer.alloc(32, 1)))).ds
    expect(otherInstallation.PatientID).not.toBe(once.PatientID)
    expect(otherInstallation.StudyInstanceUID).not.toBe(once.StudyInstanceUID)
    // Instance UIDs are remapped one by one, and the file meta information follows them.
    for (const [i, bytes] of files(groups.followUp.deidentified, 2).entries()) {
      const before = read(files(groups.followUp.identified, 2)[i]).ds.SOPInstanceUID as string
      const { meta, ds } = read(bytes)
      expect(ds.SOPInstanceUID).toBe(keys.uid(before))
      expect(meta.MediaStorageSOPInstanceUID).toBe(ds.SOPInstanceUID)
    }
    // Within a series the remapped series UID is shared; the slices of study A stay one study.
    const seriesUids = new Set(files(groups.covid.deidentified, 3).map((b) => read(b).ds.SeriesInstanceUID))
    expect(seriesUids.size).toBe(1)
  })

  it('leaves the pixel data byte for byte as it was, and the decoded HU identical', async () => {
    for (const group of [groups.covid, groups.followUp]) {
      const before = files(group.identified, group.originals.length).map((b) => read(b).ds.PixelData as ArrayBuffer[])
      const after = files(group.deidentified, group.originals.length).map((b) => read(b).ds.PixelData as ArrayBuffer[])
      before.forEach((frames, i) => {
        expect(after[i].length).toBe(frames.length)
        frames.forEach((frame, f) => expect(Buffer.from(after[i][f]).equals(Buffer.from(frame))).toBe(true))
      })
      const [original] = await readDicomSeries(group.identified)
      const [anonymous] = await readDicomSeries(group.deidentified)
      expect(anonymous.dimensions).toEqual(original.dimensions)
      expect(checksum(anonymous)).toBe(checksum(original))
      expect(anonymous.origin).toEqual(original.origin)
    }
  })

  it('imports back into Pulmo as a valid series under the pseudonym with the shifted date', async () => {
    const service = new PulmoService({ dataDir: join(dir.path, 'data'), transport: 'websocket' })
    try {
      const result = await service.invoke('studies.import', { paths: [groups.covid.deidentified, groups.followUp.deidentified] })
      expect(result.created).toHaveLength(2)
      const pseudonym = keys.patient('P002')
      expect(result.studies.map((s) => s.patientId)).toEqual([pseudonym.pseudonym, pseudonym.pseudonym])
      expect(result.studies.map((s) => s.patientName)).toEqual([pseudonym.pseudonym, pseudonym.pseudonym])
      const dates = result.studies.map((s) => s.studyDate).sort()
      expect(dates).toEqual([shiftDate('2020-03-14', pseudonym.dateShiftDays), shiftDate('2020-04-02', pseudonym.dateShiftDays)])
      const slices = result.studies.flatMap((s) => s.series.map((x) => x.slices)).sort()
      expect(slices).toEqual([2, 3])
      const [original] = await readDicomSeries(groups.covid.identified)
      const covidSeries = result.studies.flatMap((s) => s.series).find((s) => s.slices === 3)!
      expect(checksum(await service.studies.volume(covidSeries.id))).toBe(checksum(original))
    } finally {
      service.close()
    }
  })
})

describe('date shifting', () => {
  it('shifts DA, ISO dates and date-times across month and leap-year ends, keeping format and time', () => {
    expect(shiftDate('20200301', -1)).toBe('20200229')
    expect(shiftDate('2021-01-01', -367)).toBe('2019-12-31')
    expect(shiftDate('2020.03.14', 10)).toBe('20200324')
    expect(shiftDateTime('20200314103000.5+0100', -14)).toBe('20200229103000.5+0100')
    expect(shiftDateTime('2020-04-02T10:00:00Z', -2)).toBe('2020-03-31T10:00:00Z')
    // What cannot be shifted faithfully is dropped rather than left real.
    expect(shiftDate('2020', -5)).toBe('')
    expect(shiftDate('20200231', -5)).toBe('')
  })
})
