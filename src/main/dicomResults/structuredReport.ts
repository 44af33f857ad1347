/**
 * The severity report as a DICOM Comprehensive SR, shaped after TID 1500 (Measurement Report): an
 * observer context naming Pulmo and its model (and the radiologist once one edited or signed it),
 * then one measurement group per anatomical unit — both lungs, each lung, each of the five lobes and
 * each of the 20 CT-SS regions — with lung volume, infected volume, percent infected and score, then
 * CT-SS (automatic and final), the lobar score, severity, findings and impression. A signed report
 * is VERIFIED with the radiologist as verifying observer. Concepts without a standard code use the
 * private scheme 99PULMO, declared in the object.
 */
import type { DicomDict, NaturalDataset } from 'dcmjs'
import { code, dateTime, decimal, derivedUid, equipment, partTen, patientAndStudy, type SourceSeries } from './common'
import { regionFinalScore } from '../../shared/severityScoring'

export const COMPREHENSIVE_SR = '1.2.840.10008.5.1.4.1.1.88.33'
export const SR_SERIES_NUMBER = 9102
const PRIVATE_SCHEME = '99PULMO'

/** What the SR states: the report as the workstation shows it. */
export interface SeverityReportContent {
  model: { name: string; version: string }
  lungVolumeMl: number
  infectedVolumeMl: number
  ggoVolumeMl: number
  consolidationVolumeMl: number
  percentInfected: { total: number; left: number; right: number }
  /** Right and left lung volumes (mL) and infected volumes, when known. */
  lungs?: {
    right: { lungVolumeMl: number; infectedVolumeMl: number }
    left: { lungVolumeMl: number; infectedVolumeMl: number }
  }
  regions: Array<{
    id: string
    name: string
    lung: 'right' | 'left'
    lungVolumeMl: number
    infectedVolumeMl: number
    percent: number
    score: number
    edited: { score: number; by: string; at: string } | null
  }>
  lobes: Array<{
    id: string
    name: string
    lungVolumeMl: number
    infectedVolumeMl: number
    percent: number
    score: number
  }>
  ctss: { automatic: number; final: number; severe: boolean }
  lobarTotal: number
  severity: string
  infectionPresent: boolean
  /** the CT pattern category the report states (the radiologist's override when given) */
  pattern?: { final: { rsna: string; coRads: number; source: 'pulmo' | 'radiologist'; evidence: string } | null }
  findings: string
  impression: string
  signedBy: string | null
  signedAt: string | null
  updatedAt: string
}

export interface StructuredReportInput {
  source: SourceSeries
  report: SeverityReportContent
  /** The SEG the measurements were made on, referenced as evidence. */
  segmentation?: { sopInstanceUid: string; seriesInstanceUid: string; sopClassUid: string }
  resultKey: string
}

const unit = {
  ml: code('mL', 'UCUM', 'milliliter'),
  percent: code('%', 'UCUM', 'percent'),
  score: code('{score}', 'UCUM', 'score')
}

const concept = {
  report: code('126000', 'DCM', 'Imaging Measurement Report'),
  language: code('121049', 'DCM', 'Language of Content Item and Descendants'),
  observerType: code('121005', 'DCM', 'Observer Type'),
  device: code('121007', 'DCM', 'Device'),
  person: code('121006', 'DCM', 'Person'),
  deviceUid: code('121012', 'DCM', 'Device Observer UID'),
  deviceName: code('121013', 'DCM', 'Device Observer Name'),
  deviceModel: code('121015', 'DCM', 'Device Observer Model Name'),
  personName: code('121008', 'DCM', 'Person Observer Name'),
  procedure: code('121058', 'DCM', 'Procedure reported'),
  chestCt: code('169069000', 'SCT', 'CT of chest'),
  measurements: code('126010', 'DCM', 'Imaging Measurements'),
  group: code('125007', 'DCM', 'Measurement Group'),
  tracking: code('112039', 'DCM', 'Tracking Identifier'),
  findingSite: code('363698007', 'SCT', 'Finding Site'),
  lungVolume: code('LUNGVOL', PRIVATE_SCHEME, 'Lung volume'),
  infectedVolume: code('INFVOL', PRIVATE_SCHEME, 'Infected volume'),
  ggoVolume: code('GGOVOL', PRIVATE_SCHEME, 'Ground-glass opacity volume'),
  consolidationVolume: code('CONSVOL', PRIVATE_SCHEME, 'Consolidation volume'),
  percentInfected: code('PCTINF', PRIVATE_SCHEME, 'Percent of lung infected'),
  regionScore: code('CTSSREG', PRIVATE_SCHEME, 'CT severity score of region'),
  automaticRegionScore: code('CTSSREGA', PRIVATE_SCHEME, 'Automatic CT severity score of region'),
  lobeScore: code('LOBESCORE', PRIVATE_SCHEME, 'Lobar involvement score'),
  ctss: code('CTSS', PRIVATE_SCHEME, 'CT severity score (Yang 2020)'),
  ctssAutomatic: code('CTSSA', PRIVATE_SCHEME, 'Automatic CT severity score (Yang 2020)'),
  lobarTotal: code('LOBARTOTAL', PRIVATE_SCHEME, 'Lobar score (Pan 2020)'),
  severity: code('SEVERITY', PRIVATE_SCHEME, 'Severity'),
  infectionPresent: code('INFPRESENT', PRIVATE_SCHEME, 'Infection present'),
  edited: code('EDITED', PRIVATE_SCHEME, 'Edited by radiologist'),
  signed: code('SIGNED', PRIVATE_SCHEME, 'Signed by radiologist'),
  rsna: code('RSNACAT', PRIVATE_SCHEME, 'CT pattern category (RSNA consensus 2020)'),
  coRads: code('CORADS', PRIVATE_SCHEME, 'CO-RADS-like level (Prokop 2020)'),
  patternSource: code('PATTERNBY', PRIVATE_SCHEME, 'CT pattern category given by'),
  patternEvidence: code('PATTERNEV', PRIVATE_SCHEME, 'CT pattern evidence'),
  findings: code('121071', 'DCM', 'Finding'),
  impression: code('121073', 'DCM', 'Impression'),
  yes: code('373066001', 'SCT', 'Yes'),
  no: code('373067005', 'SCT', 'No')
}

const SITES: Record<string, NaturalDataset> = {
  lungs: code('39607008', 'SCT', 'Lung'),
  right: code('3341006', 'SCT', 'Right lung'),
  left: code('44029006', 'SCT', 'Left lung'),
  RUL: code('45653009', 'SCT', 'Upper lobe of right lung'),
  RML: code('72481006', 'SCT', 'Middle lobe of right lung'),
  RLL: code('90572001', 'SCT', 'Lower lobe of right lung'),
  LUL: code('44714003', 'SCT', 'Upper lobe of left lung'),
  LLL: code('41224006', 'SCT', 'Lower lobe of left lung')
}

function num(name: NaturalDataset, value: number, units: NaturalDataset): NaturalDataset {
  return {
    RelationshipType: 'CONTAINS',
    ValueType: 'NUM',
    ConceptNameCodeSequence: [name],
    MeasuredValueSequence: [
      { MeasurementUnitsCodeSequence: [units], NumericValue: decimal(Number.isFinite(value) ? value : 0) }
    ]
  }
}

function text(relationship: string, name: NaturalDataset, value: string): NaturalDataset {
  return { RelationshipType: relationship, ValueType: 'TEXT', ConceptNameCodeSequence: [name], TextValue: value }
}

function codeItem(relationship: string, name: NaturalDataset, value: NaturalDataset): NaturalDataset {
  return {
    RelationshipType: relationship,
    ValueType: 'CODE',
    ConceptNameCodeSequence: [name],
    ConceptCodeSequence: [value]
  }
}

function container(relationship: string | undefined, name: NaturalDataset, items: NaturalDataset[]): NaturalDataset {
  return {
    ...(relationship ? { RelationshipType: relationship } : {}),
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: [name],
    ContinuityOfContent: 'SEPARATE',
    ContentSequence: items
  }
}

function group(tracking: string, site: NaturalDataset, items: NaturalDataset[]): NaturalDataset {
  return container('CONTAINS', concept.group, [
    text('CONTAINS', concept.tracking, tracking),
    codeItem('HAS CONCEPT MOD', concept.findingSite, site),
    ...items
  ])
}

const percent = (part: number, whole: number): number => (whole > 0 ? (100 * part) / whole : 0)

export function buildStructuredReport(input: StructuredReportInput): DicomDict {
  const { source, report } = input
  const edited =
    report.regions.some((r) => r.edited) || report.findings.trim() !== '' || report.impression.trim() !== ''
  const radiologist = report.signedBy ?? report.regions.find((r) => r.edited)?.edited?.by ?? null
  const observer: NaturalDataset[] = [
    codeItem('HAS CONCEPT MOD', concept.language, code('en', 'RFC5646', 'English')),
    codeItem('HAS OBS CONTEXT', concept.observerType, concept.device),
    {
      RelationshipType: 'HAS OBS CONTEXT',
      ValueType: 'UIDREF',
      ConceptNameCodeSequence: [concept.deviceUid],
      UID: derivedUid('pulmo-device', report.model.name, report.model.version)
    },
    text('HAS OBS CONTEXT', concept.deviceName, 'Pulmo'),
    text('HAS OBS CONTEXT', concept.deviceModel, `${report.model.name} ${report.model.version}`.slice(0, 64))
  ]
  if (radiologist) {
    observer.push(codeItem('HAS OBS CONTEXT', concept.observerType, concept.person))
    observer.push({
      RelationshipType: 'HAS OBS CONTEXT',
      ValueType: 'PNAME',
      ConceptNameCodeSequence: [concept.personName],
      PersonName: [{ Alphabetic: radiologist.slice(0, 64) }]
    })
  }
  observer.push(codeItem('HAS CONCEPT MOD', concept.procedure, concept.chestCt))

  const groups: NaturalDataset[] = [
    group('lungs', SITES.lungs, [
      num(concept.lungVolume, report.lungVolumeMl, unit.ml),
      num(concept.infectedVolume, report.infectedVolumeMl, unit.ml),
      num(concept.ggoVolume, report.ggoVolumeMl, unit.ml),
      num(concept.consolidationVolume, report.consolidationVolumeMl, unit.ml),
      num(concept.percentInfected, report.percentInfected.total, unit.percent)
    ])
  ]
  for (const lung of ['right', 'left'] as const) {
    const inLung = report.regions.filter((r) => r.lung === lung)
    const lungMl = report.lungs?.[lung].lungVolumeMl ?? inLung.reduce((s, r) => s + r.lungVolumeMl, 0)
    const infectedMl = report.lungs?.[lung].infectedVolumeMl ?? inLung.reduce((s, r) => s + r.infectedVolumeMl, 0)
    groups.push(
      group(lung === 'right' ? 'right lung' : 'left lung', SITES[lung], [
        num(concept.lungVolume, lungMl, unit.ml),
        num(concept.infectedVolume, infectedMl, unit.ml),
        num(concept.percentInfected, report.percentInfected[lung] ?? percent(infectedMl, lungMl), unit.percent)
      ])
    )
  }
  for (const lobe of report.lobes) {
    groups.push(
      group(`lobe ${lobe.id}`, SITES[lobe.id] ?? code(lobe.id, PRIVATE_SCHEME, lobe.name), [
        num(concept.lungVolume, lobe.lungVolumeMl, unit.ml),
        num(concept.infectedVolume, lobe.infectedVolumeMl, unit.ml),
        num(concept.percentInfected, lobe.percent, unit.percent),
        num(concept.lobeScore, lobe.score, unit.score)
      ])
    )
  }
  for (const region of report.regions) {
    groups.push(
      group(
        `CT-SS region ${region.id}`,
        code(`REGION-${region.id}`, PRIVATE_SCHEME, `CT-SS region ${region.name}`.slice(0, 64)),
        [
          num(concept.lungVolume, region.lungVolumeMl, unit.ml),
          num(concept.infectedVolume, region.infectedVolumeMl, unit.ml),
          num(concept.percentInfected, region.percent, unit.percent),
          num(concept.automaticRegionScore, region.score, unit.score),
          num(concept.regionScore, regionFinalScore(region), unit.score)
        ]
      )
    )
  }
  const totals: NaturalDataset[] = [
    num(concept.ctss, report.ctss.final, unit.score),
    num(concept.ctssAutomatic, report.ctss.automatic, unit.score),
    num(concept.lobarTotal, report.lobarTotal, unit.score),
    text('CONTAINS', concept.severity, report.severity || 'not assessed'),
    codeItem('CONTAINS', concept.infectionPresent, report.infectionPresent ? concept.yes : concept.no),
    codeItem('CONTAINS', concept.edited, edited ? concept.yes : concept.no),
    codeItem('CONTAINS', concept.signed, report.signedAt ? concept.yes : concept.no)
  ]
  const pattern = report.pattern?.final
  if (pattern) {
    totals.push(
      text('CONTAINS', concept.rsna, pattern.rsna),
      num(concept.coRads, pattern.coRads, unit.score),
      text('CONTAINS', concept.patternSource, pattern.source === 'radiologist' ? 'radiologist' : 'Pulmo (proposal)'),
      text('CONTAINS', concept.patternEvidence, pattern.evidence)
    )
  }
  if (report.findings.trim()) totals.push(text('CONTAINS', concept.findings, report.findings))
  if (report.impression.trim()) totals.push(text('CONTAINS', concept.impression, report.impression))

  const root = container(undefined, concept.report, [
    ...observer,
    container('CONTAINS', concept.measurements, [...groups, ...totals])
  ])
  const at = dateTime(report.signedAt ?? report.updatedAt)
  const evidenceSeries: NaturalDataset[] = [
    {
      SeriesInstanceUID: source.seriesInstanceUid,
      ReferencedSOPSequence: source.instances.map((i) => ({
        ReferencedSOPClassUID: i.sopClassUid,
        ReferencedSOPInstanceUID: i.sopInstanceUid
      }))
    }
  ]
  if (input.segmentation) {
    evidenceSeries.push({
      SeriesInstanceUID: input.segmentation.seriesInstanceUid,
      ReferencedSOPSequence: [
        {
          ReferencedSOPClassUID: input.segmentation.sopClassUid,
          ReferencedSOPInstanceUID: input.segmentation.sopInstanceUid
        }
      ]
    })
  }
  const ds: NaturalDataset = {
    SOPClassUID: COMPREHENSIVE_SR,
    SOPInstanceUID: derivedUid(input.resultKey, 'sr'),
    ...patientAndStudy(source),
    Modality: 'SR',
    SeriesInstanceUID: derivedUid(source.seriesInstanceUid, 'pulmo-sr-series'),
    SeriesNumber: SR_SERIES_NUMBER,
    SeriesDescription: 'Pulmo severity report',
    ReferencedPerformedProcedureStepSequence: [],
    ...equipment(`${report.model.name} ${report.model.version}`),
    InstanceNumber: 1,
    CompletionFlag: 'COMPLETE',
    VerificationFlag: report.signedAt ? 'VERIFIED' : 'UNVERIFIED',
    ...(report.signedAt
      ? {
          VerifyingObserverSequence: [
            {
              VerifyingObserverName: [{ Alphabetic: (report.signedBy ?? '').slice(0, 64) }],
              VerifyingObserverIdentificationCodeSequence: [],
              VerifyingOrganization: 'Pulmo workstation',
              VerificationDateTime: `${at.date}${at.time}`
            }
          ]
        }
      : {}),
    ContentDate: at.date,
    ContentTime: at.time,
    PerformedProcedureCodeSequence: [],
    CurrentRequestedProcedureEvidenceSequence: [
      { StudyInstanceUID: source.study.studyInstanceUid, ReferencedSeriesSequence: evidenceSeries }
    ],
    CodingSchemeIdentificationSequence: [
      {
        CodingSchemeDesignator: PRIVATE_SCHEME,
        CodingSchemeName: 'Pulmo severity measurements',
        CodingSchemeResponsibleOrganization: 'Pulmo'
      }
    ],
    ...root
  }
  return partTen(ds)
}
