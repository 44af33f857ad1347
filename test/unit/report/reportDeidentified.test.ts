import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PseudonymKeys, pseudonymOfSeries } from '../../../src/main/privacy'
import { buildKeyImages, writeReportPdf, type ReportInput } from '../../../src/main/report'
import { deidentifyReportInput } from '../../../src/main/services/privacy'
import { segmentLungs } from '../../../src/main/lungs/lungMask'
import { createChestPhantom, insertLesion, lesionLabelMap } from '../../helpers/phantom'
import { partitionLungRegions } from '../../../src/main/regions/regions'
import { computeSeverity } from '../../../src/main/scores/scores'
import type { SeriesMetadata } from '../../../src/main/volume/volume'
import { tempDir } from '../../helpers/paths'
import { TEST_LESIONS } from '../../helpers/phantomTruth'

const dir = tempDir('pulmo-deid-pdf-')
let input: ReportInput
const identity: SeriesMetadata = {
  patientName: 'Doe^Jane',
  patientId: 'PX-1',
  studyInstanceUid: '1.2.3',
  studyDate: '2026-03-14',
  seriesInstanceUid: '1.2.3.4'
}
const keys = new PseudonymKeys(Buffer.alloc(32, 7))
const shiftDays = pseudonymOfSeries(identity, keys).dateShiftDays

/** The date of `iso` moved by the patient's shift (negative: back in time). */
function shifted(iso: string): string {
  const d = new Date(iso)
  d.setUTCDate(d.getUTCDate() + shiftDays)
  return d.toISOString().slice(0, 10)
}

/** Words of page 1 with their boxes (pdftotext -bbox), in reading order. */
function words(file: string): Array<{ text: string; yMin: number; yMax: number; xMin: number; xMax: number }> {
  const html = execFileSync('pdftotext', ['-bbox', '-f', '1', '-l', '1', file, '-'], { encoding: 'utf8' })
  return [
    ...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)
  ].map((m) => ({
    xMin: Number(m[1]),
    yMin: Number(m[2]),
    xMax: Number(m[3]),
    yMax: Number(m[4]),
    text: m[5]
  }))
}

beforeAll(() => {
  const phantom = createChestPhantom({ dimensions: [128, 128, 30], spacing: [2.8, 2.8, 10] })
  const lesions = [insertLesion(phantom, TEST_LESIONS.consolidation)]
  const lungs = segmentLungs(phantom.volume)
  const labels = lesionLabelMap(phantom, lesions)
  const severity = computeSeverity({
    geometry: phantom.volume,
    lungLabels: lungs.labels,
    regionLabels: partitionLungRegions(lungs.labels, phantom.volume),
    infectionLabels: labels
  })
  input = {
    patient: { name: 'Doe^Jane', id: 'PX-1' },
    study: { date: '2026-03-14' },
    series: { dimensions: phantom.volume.dimensions, spacing: phantom.volume.spacing },
    severity,
    edits: [{ regionId: 'R9', score: 2, by: 'Dr Rossi', at: '2026-03-15T09:00:00Z' }],
    keyImages: buildKeyImages(phantom.volume, labels),
    model: { name: 'infnet-lite', version: 'test' },
    findings: '',
    impression: '',
    signedBy: 'Dr Rossi',
    signedAt: '2026-03-15T10:30:00Z',
    generatedAt: new Date('2026-03-16T08:00:00Z'),
    reportId: 7,
    maskVersion: { version: 2, source: 'annotator', author: 'Dr Rossi', createdAt: '2026-03-15T08:00:00Z' }
  }
})
afterAll(() => dir.remove())

describe('the de-identified PDF', () => {
  it('shifts every date of the patient by the same offset: study, mask version, edit, signature and Generated', async () => {
    const file = join(dir.path, 'shared.pdf')
    await writeReportPdf(file, deidentifyReportInput(input, identity, keys))
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
    expect(shiftDays).toBeLessThan(0)
    expect(text).toContain(`Generated ${shifted('2026-03-16T08:00:00Z')} 08:00 UTC`)
    expect(text).toContain(`Signed by Dr Rossi at ${shifted('2026-03-15T10:30:00Z')} 10:30 UTC`)
    expect(text).toContain(`Mask version 2 (corrected by Dr Rossi, ${shifted('2026-03-15T08:00:00Z')} 08:00 UTC)`)
    expect(text).toMatch(new RegExp(`R9 .*→ 2 \\(Dr Rossi, ${shifted('2026-03-15T09:00:00Z')}\\)`))
    expect(text).toContain(shifted('2026-03-14'))
    expect(text).not.toMatch(/2026-03-1[4-6]/)
    expect(text).toContain('every date shifted by the same offset')
  })

  it('the identified PDF keeps the real dates', async () => {
    const file = join(dir.path, 'identified.pdf')
    await writeReportPdf(file, input)
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
    expect(text).toContain('Generated 2026-03-16 08:00 UTC')
    expect(text).toContain('Signed by Dr Rossi at 2026-03-15 10:30 UTC')
    expect(text).not.toContain('De-identified')
  })

  it('the title and the de-identification line do not overlap', async () => {
    const file = join(dir.path, 'layout.pdf')
    await writeReportPdf(file, deidentifyReportInput(input, identity, keys))
    const all = words(file)
    const title = all.filter((w) => ['Pulmo', 'chest', 'CT', 'severity', 'report'].includes(w.text)).slice(0, 5)
    const note = all.filter((w) => ['De-identified:', 'pseudonym', 'Generated'].includes(w.text))
    expect(title.length).toBe(5)
    expect(note.length).toBe(3)
    const titleBottom = Math.max(...title.map((w) => w.yMax))
    const noteTop = Math.min(...note.map((w) => w.yMin))
    expect(noteTop).toBeGreaterThanOrEqual(titleBottom)
  })
})
