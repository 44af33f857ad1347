/**
 * The result objects on a small synthetic series: dciodvfy finds no error in any of them (signed
 * or not, corrected or not, de-identified or not), the SEG reads back to the masks, UIDs follow the
 * content, and de-identified copies carry the pseudonym and remapped references consistently.
 */
import { describe, expect, it, afterAll } from 'vitest'
import dcmjs, { type DicomDataset, type NaturalDataset } from 'dcmjs'
import {
  buildEncapsulatedPdf,
  buildSegmentation,
  buildStructuredReport,
  readPartTen,
  readSegmentation,
  restoreResultAttributes,
  toBytes,
  type SeverityReportContent,
  type SourceSeries
} from '../../../src/main/dicomResults'
import { deidentifyDicom, PseudonymKeys, pseudonymOfSeries } from '../../../src/main/privacy'
import { dciodvfy, srItems, srNumber } from '../../helpers/dicomObjects'
import { tempDir } from '../../helpers/paths'

const dir = tempDir('pulmo-results-')
afterAll(() => dir.remove())
const [nx, ny, nz] = [24, 20, 5]
const source: SourceSeries = {
  patient: { name: 'Doe^Jane', id: 'MRN-1234', birthDate: '1970-01-02', sex: 'F' },
  study: {
    studyInstanceUid: '1.2.826.0.1.3680043.8.498.1',
    date: '2020-03-04',
    description: 'CT chest',
    accessionNumber: 'ACC1'
  },
  seriesInstanceUid: '1.2.826.0.1.3680043.8.498.2',
  frameOfReferenceUid: '1.2.826.0.1.3680043.8.498.3',
  instances: Array.from({ length: nz }, (_, k) => ({
    sopInstanceUid: `1.2.826.0.1.3680043.8.498.2.${k + 1}`,
    sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
    position: [-100, -120, 10 + 2.5 * k] as [number, number, number]
  })),
  dimensions: [nx, ny, nz],
  spacing: [0.75, 0.8, 2.5],
  direction: [1, 0, 0, 0, 1, 0, 0, 0, 1]
}
const lungs = new Uint8Array(nx * ny * nz)
const labels = new Uint8Array(nx * ny * nz)
// Lobes by slice: right upper on slice 1, middle on 2, lower on 3–4; left upper on 1–2, lower on 3–4.
const lobes = new Uint8Array(nx * ny * nz)
for (let i = 0; i < lungs.length; i++) {
  const x = i % nx
  const k = Math.floor(i / (nx * ny))
  lungs[i] = k === 0 ? 0 : x < 12 ? 1 : 2
  labels[i] = k === 0 ? 0 : i % 7 === 0 ? 1 : i % 13 === 0 && k === 3 ? 2 : 0
  lobes[i] = k === 0 ? 0 : x < 12 ? (k === 1 ? 1 : k === 2 ? 2 : 3) : k <= 2 ? 4 : 5
}
const regions = Array.from({ length: 20 }, (_, i) => ({
  id: `${i < 10 ? 'R' : 'L'}${i % 10}`,
  name: `region ${i}`,
  lung: (i < 10 ? 'right' : 'left') as 'right' | 'left',
  lungVolumeMl: 150 + i,
  infectedVolumeMl: i,
  percent: (100 * i) / (150 + i),
  score: i > 0 ? 1 : 0,
  edited: null as SeverityReportContent['regions'][number]['edited']
}))
const report: SeverityReportContent = {
  model: { name: 'infnet-lite', version: '1.2' },
  lungVolumeMl: 3150,
  infectedVolumeMl: 190,
  ggoVolumeMl: 150,
  consolidationVolumeMl: 40,
  percentInfected: { total: 6.03, left: 8.1, right: 4.2 },
  regions,
  lobes: ['RUL', 'RML', 'RLL', 'LUL', 'LLL'].map((id) => ({
    id,
    name: id,
    lungVolumeMl: 600,
    infectedVolumeMl: 38,
    percent: 6.3,
    score: 2
  })),
  ctss: { automatic: 19, final: 19, severe: false },
  lobarTotal: 10,
  severity: 'moderate',
  infectionPresent: true,
  findings: '',
  impression: '',
  signedBy: null,
  signedAt: null,
  updatedAt: '2026-01-02T10:00:00.000Z'
}
const signedReport: SeverityReportContent = {
  ...report,
  regions: regions.map((r, i) =>
    i === 4 ? { ...r, edited: { score: 2, by: 'Lee^Ann', at: '2026-01-02T11:00:00.000Z' } } : r
  ),
  ctss: { automatic: 19, final: 20, severe: true },
  impression: 'Bilateral ground-glass opacities.',
  pattern: { final: { rsna: 'atypical', coRads: 2, source: 'radiologist', evidence: 'set by Lee^Ann: lobar (Pulmo proposed RSNA typical, CO-RADS 5)' } },
  signedBy: 'Lee^Ann',
  signedAt: '2026-01-02T12:00:00.000Z'
}
const pdf = new TextEncoder().encode('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n')
const keys = new PseudonymKeys(Buffer.alloc(32, 7))
const natural = (d: { dict: DicomDataset }): NaturalDataset => dcmjs.data.DicomMetaDictionary.naturalizeDataset(d.dict)

function objects(r: SeverityReportContent, corrected: boolean) {
  return {
    seg: buildSegmentation({
      source,
      lungs,
      lobes,
      labels,
      model: 'infnet-lite 1.2',
      corrected,
      createdAt: '2026-01-02T09:00:00.000Z',
      resultKey: `k|${corrected}`
    }),
    sr: buildStructuredReport({ source, report: r, resultKey: `k|${r.updatedAt}|${r.signedAt}` }),
    pdf: buildEncapsulatedPdf({
      source,
      pdf,
      title: 'Pulmo CT severity report',
      signedAt: '2026-01-02T12:00:00.000Z',
      modelName: 'infnet-lite 1.2',
      resultKey: 'k'
    })
  }
}

describe('DICOM result objects', () => {
  it('pass dciodvfy without errors: SEG, unsigned and signed SR, Encapsulated PDF, and their de-identified copies', () => {
    const patient = pseudonymOfSeries(
      { patientName: 'Doe^Jane', patientId: 'MRN-1234', studyInstanceUid: source.study.studyInstanceUid },
      keys
    )
    const all: Array<[string, ReturnType<typeof buildSegmentation>]> = []
    for (const [label, r, corrected] of [
      ['automatic', report, false],
      ['signed', signedReport, true]
    ] as const) {
      const o = objects(r, corrected)
      all.push([`seg-${label}`, o.seg], [`sr-${label}`, o.sr], [`pdf-${label}`, o.pdf])
      const deid = (d: typeof o.seg) => restoreResultAttributes(d, deidentifyDicom(d, keys, patient))
      all.push([`seg-${label}-deid`, deid(o.seg)], [`sr-${label}-deid`, deid(o.sr)], [`pdf-${label}-deid`, deid(o.pdf)])
    }
    const errors = all.flatMap(([name, dict]) =>
      dciodvfy(toBytes(dict), dir.path, name).errors.map((e) => `${name}: ${e}`)
    )
    expect(errors).toEqual([])
  })

  it('the SEG reads back to the masks, frames placed by their source instance; empty segments keep one frame', () => {
    const { seg } = objects(report, false)
    const back = readSegmentation(toBytes(seg), source)
    expect(back.lungs).toEqual(lungs)
    expect(back.labels).toEqual(labels)
    expect(back.lobes).toEqual(lobes)
    // Lungs on 4 slices each, ground-glass on 4, consolidation on slice 3 only; the lobes by slice.
    expect(back.segments.map((s) => [s.label, s.frames, s.algorithmType])).toEqual([
      ['Right lung', 4, 'AUTOMATIC'],
      ['Left lung', 4, 'AUTOMATIC'],
      ['Ground-glass opacity', 4, 'AUTOMATIC'],
      ['Consolidation', 1, 'AUTOMATIC'],
      ['Right upper lobe', 1, 'AUTOMATIC'],
      ['Right middle lobe', 1, 'AUTOMATIC'],
      ['Right lower lobe', 2, 'AUTOMATIC'],
      ['Left upper lobe', 2, 'AUTOMATIC'],
      ['Left lower lobe', 2, 'AUTOMATIC']
    ])
    const ds = natural(seg)
    expect(ds.FrameOfReferenceUID).toBe(source.frameOfReferenceUid)
    expect(ds.StudyInstanceUID).toBe(source.study.studyInstanceUid)
    const frame = (ds.PerFrameFunctionalGroupsSequence as NaturalDataset[])[0]
    const sourceImage = (
      (frame.DerivationImageSequence as NaturalDataset[])[0].SourceImageSequence as NaturalDataset[]
    )[0]
    expect(sourceImage.ReferencedSOPInstanceUID).toBe(source.instances[1].sopInstanceUid)
    expect(objects(report, true).seg && natural(objects(report, true).seg).SegmentSequence).toMatchObject([
      {},
      {},
      { SegmentAlgorithmType: 'SEMIAUTOMATIC' },
      { SegmentAlgorithmType: 'SEMIAUTOMATIC' },
      ...Array.from({ length: 5 }, () => ({ SegmentAlgorithmType: 'AUTOMATIC' }))
    ])
  })

  it('UIDs follow the content: the same result gives the same object, a signed report a new SR', () => {
    const a = objects(report, false)
    const b = objects(report, false)
    const c = objects(signedReport, false)
    expect(natural(a.seg).SOPInstanceUID).toBe(natural(b.seg).SOPInstanceUID)
    expect(natural(a.sr).SOPInstanceUID).toBe(natural(b.sr).SOPInstanceUID)
    expect(natural(c.sr).SOPInstanceUID).not.toBe(natural(a.sr).SOPInstanceUID)
    expect(natural(c.sr).SeriesInstanceUID).toBe(natural(a.sr).SeriesInstanceUID)
  })

  it('the SR states the figures, the edit and the sign-off', () => {
    const { ds } = readPartTen(toBytes(objects(signedReport, true).sr))
    expect(ds.VerificationFlag).toBe('VERIFIED')
    const items = srItems(ds)
    const value = (meaning: string): number => srNumber(items.find((i) => i.meaning === meaning)!.item)
    expect(value('CT severity score (Yang 2020)')).toBe(20)
    expect(value('Automatic CT severity score (Yang 2020)')).toBe(19)
    expect(value('Lobar score (Pan 2020)')).toBe(10)
    expect(value('Lung volume')).toBe(3150)
    expect(items.filter((i) => i.meaning === 'CT severity score of region').map((i) => srNumber(i.item))[4]).toBe(2)
    const coded = (meaning: string): string =>
      String((items.find((i) => i.meaning === meaning)!.item.ConceptCodeSequence as NaturalDataset[])[0].CodeMeaning)
    expect(coded('Edited by radiologist')).toBe('Yes')
    expect(coded('Signed by radiologist')).toBe('Yes')
    expect(items.find((i) => i.meaning === 'Impression')!.item.TextValue).toBe('Bilateral ground-glass opacities.')
    // the CT pattern the report states: the radiologist's category, by whom, and the evidence
    expect(items.find((i) => i.meaning === 'CT pattern category (RSNA consensus 2020)')!.item.TextValue).toBe('atypical')
    expect(value('CO-RADS-like level (Prokop 2020)')).toBe(2)
    expect(items.find((i) => i.meaning === 'CT pattern category given by')!.item.TextValue).toBe('radiologist')
    expect(items.find((i) => i.meaning === 'CT pattern evidence')!.item.TextValue).toContain('Pulmo proposed RSNA typical')
    const unsigned = srItems(readPartTen(toBytes(objects(report, false).sr)).ds)
    expect(
      String(
        (unsigned.find((i) => i.meaning === 'Signed by radiologist')!.item.ConceptCodeSequence as NaturalDataset[])[0]
          .CodeMeaning
      )
    ).toBe('No')
  })

  it('de-identified copies carry the pseudonym, shifted dates and consistently remapped references', () => {
    const patient = pseudonymOfSeries(
      { patientName: 'Doe^Jane', patientId: 'MRN-1234', studyInstanceUid: source.study.studyInstanceUid },
      keys
    )
    const { seg, sr } = objects(signedReport, true)
    const dSeg = natural(deidentifyDicom(seg, keys, patient))
    const dSr = natural(restoreResultAttributes(sr, deidentifyDicom(sr, keys, patient)))
    // The signing radiologist's name stays, as on the PDF; the patient's does not.
    expect(
      ((dSr.VerifyingObserverSequence as NaturalDataset[])[0].VerifyingObserverName as Array<{ Alphabetic: string }>)[0]
        .Alphabetic
    ).toBe('Lee^Ann')
    const text = JSON.stringify([dSeg, dSr].map((d) => ({ ...d, PixelData: undefined })))
    for (const forbidden of ['Doe^Jane', 'MRN-1234', 'ACC1', '19700102', source.study.studyInstanceUid])
      expect(text).not.toContain(forbidden)
    expect(dSeg.PatientID).toBe(patient.pseudonym)
    expect(dSeg.PatientIdentityRemoved).toBe('YES')
    expect(dSeg.StudyInstanceUID).toBe(keys.uid(source.study.studyInstanceUid))
    expect(dSr.StudyInstanceUID).toBe(dSeg.StudyInstanceUID)
    const ref = (dSeg.ReferencedSeriesSequence as NaturalDataset[])[0]
    expect(ref.SeriesInstanceUID).toBe(keys.uid(source.seriesInstanceUid))
    expect((ref.ReferencedInstanceSequence as NaturalDataset[])[0].ReferencedSOPInstanceUID).toBe(
      keys.uid(source.instances[0].sopInstanceUid)
    )
    expect(
      readSegmentation(toBytes(deidentifyDicom(seg, keys, patient)), {
        ...source,
        instances: source.instances.map((i) => ({ ...i, sopInstanceUid: keys.uid(i.sopInstanceUid) }))
      }).labels
    ).toEqual(labels)
  })
})
