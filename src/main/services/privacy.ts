/**
 * What the services need to export without identities: this installation's pseudonym secret
 * (created on first use, kept in the settings table, never sent to a client), the identity of a
 * stored series, and its de-identified form for the PDF report.
 */
import { z } from 'zod'
import type { SeriesComparison } from '../../shared/followUp'
import { deidentifySeriesMetadata, pseudonymOfSeries, PseudonymKeys, shiftDate, shiftDateTime } from '../privacy'
import type { SeriesRow, Store } from '../db'
import type { ReportInput } from '../report'
import type { SeriesMetadata } from '../volume/volume'

const SECRET_KEY = 'privacy'


export function pseudonymKeys(store: Pick<Store, 'settings'>): PseudonymKeys {
  const stored = store.settings.get(SECRET_KEY, z.object({ secret: z.string().optional() }))
  if (stored?.secret && /^[0-9a-f]{64}$/.test(stored.secret)) return new PseudonymKeys(Buffer.from(stored.secret, 'hex'))
  const secret = PseudonymKeys.newSecret()
  store.settings.set(SECRET_KEY, { secret: secret.toString('hex') })
  return new PseudonymKeys(secret)
}

/** The identity of a stored series, from its patient, study and series rows. */
export function storedSeriesMetadata(store: Pick<Store, 'studies'>, series: SeriesRow): SeriesMetadata {
  const study = store.studies.study(series.studyRef)
  const patient = study ? store.studies.patient(study.patientRef) : undefined
  return {
    patientName: patient?.name ?? '',
    patientId: patient?.patientId ?? '',
    patientBirthDate: patient?.birthDate ?? undefined,
    patientSex: patient?.sex ?? undefined,
    studyInstanceUid: study?.studyInstanceUid ?? '',
    studyDate: study?.studyDate || undefined,
    studyDescription: study?.description || undefined,
    accessionNumber: study?.accessionNumber || undefined,
    seriesInstanceUid: series.seriesInstanceUid,
    seriesNumber: series.seriesNumber ?? undefined,
    seriesDescription: series.description || undefined
  }
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Free text cannot be de-identified in general, but the patient's own name parts, ID and accession
 * number typed into the findings are caught: they become the pseudonym.
 */
function scrubber(identifiers: string[], pseudonym: string): (text: string) => string {
  const words = [...new Set(identifiers.flatMap((s) => [s.trim(), ...s.split(/[\^\s,]+/)]).map((w) => w.trim()).filter((w) => w.length >= 3))]
  if (words.length === 0) return (text) => text
  words.sort((a, b) => b.length - a.length)
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${words.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}])`, 'giu')
  return (text) => text.replace(pattern, pseudonym)
}

/** A follow-up's dates moved by the patient's offset (the interval stays); descriptions dropped as in the header. */
function shiftFollowUp(c: SeriesComparison, day: (d: string) => string, at: (d: string) => string): SeriesComparison {
  const study = (s: SeriesComparison['before']): SeriesComparison['before'] => ({
    ...s,
    studyDate: s.studyDate ? day(s.studyDate) : '',
    studyDescription: '',
    seriesDescription: '',
    signedAt: s.signedAt ? at(s.signedAt) : null
  })
  return { ...c, before: study(c.before), after: study(c.after), history: c.history.map((h) => ({ ...h, studyDate: h.studyDate ? day(h.studyDate) : '' })) }
}

/**
 * The report input with the patient's pseudonym for name and ID, no birth date, accession or
 * descriptions, and every date of the patient shifted by the patient's offset, so the intervals
 * between them still read true and no real date is left to link the report to the scan: study,
 * mask version, edits, signature, the amended report's signature and "Generated". (The workstation's
 * screen is the identified view and shows the real dates.) The radiologist's name stays: a signed report is an
 * attestation by a named reader, and staff names are not the patient's data.
 */
export function deidentifyReportInput(input: ReportInput, metadata: SeriesMetadata, keys: PseudonymKeys): ReportInput {
  const patient = pseudonymOfSeries(metadata, keys)
  const anonymous = deidentifySeriesMetadata(metadata, keys)
  const shift = (at: string): string => shiftDateTime(at, patient.dateShiftDays)
  const scrub = scrubber([metadata.patientName, metadata.patientId, metadata.accessionNumber ?? ''], patient.pseudonym)
  return {
    ...input,
    findings: scrub(input.findings),
    impression: scrub(input.impression),
    patient: { name: patient.pseudonym, id: patient.pseudonym, sex: input.patient.sex },
    study: { date: anonymous.studyDate },
    series: { number: input.series.number, dimensions: input.series.dimensions, spacing: input.series.spacing },
    edits: input.edits.map((e) => ({ ...e, at: shift(e.at) })),
    signedAt: input.signedAt ? shift(input.signedAt) : undefined,
    generatedAt: new Date(shift((input.generatedAt ?? new Date()).toISOString())),
    ...(input.maskVersion ? { maskVersion: { ...input.maskVersion, createdAt: shift(input.maskVersion.createdAt) } } : {}),
    ...(input.amends ? { amends: { ...input.amends, signedAt: shift(input.amends.signedAt) } } : {}),
    ...(input.followUp ? { followUp: shiftFollowUp(input.followUp, (d) => shiftDate(d, patient.dateShiftDays), shift) } : {}),
    deidentified: true
  }
}
