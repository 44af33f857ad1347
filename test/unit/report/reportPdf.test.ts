import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildKeyImages,
  reportFinalScores,
  STANDARD_FONTS,
  writeReportPdf,
  type ReportInput
} from '../../../src/main/report'
import { segmentLungs } from '../../../src/main/lungs/lungMask'
import { createChestPhantom, insertLesion, lesionLabelMap } from '../../helpers/phantom'
import { CTSS_REGION_RULES, partitionLungRegions } from '../../../src/main/regions/regions'
import { computeSeverity } from '../../../src/main/scores/scores'
import { tempDir } from '../../helpers/paths'
import { TEST_LESIONS } from '../../helpers/phantomTruth'

const dir = tempDir('pulmo-report-')
let input: ReportInput

/** pdftotext's layout mode keeps each table row on one line. */
function pdfText(file: string): string {
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
}

beforeAll(() => {
  const phantom = createChestPhantom({ dimensions: [192, 192, 40], spacing: [1.9, 1.9, 7] })
  const lesions = [insertLesion(phantom, TEST_LESIONS.consolidation), insertLesion(phantom, TEST_LESIONS.groundGlass)]
  const lungs = segmentLungs(phantom.volume)
  const labels = lesionLabelMap(phantom, lesions)
  const severity = computeSeverity({
    geometry: phantom.volume,
    lungLabels: lungs.labels,
    regionLabels: partitionLungRegions(lungs.labels, phantom.volume),
    infectionLabels: labels
  })
  input = {
    patient: { name: 'Doe^Jane', id: 'PHANTOM-1', birthDate: '1960-02-29', sex: 'F' },
    study: { date: '2020-04-01', description: 'CT chest without contrast', accessionNumber: 'ACC-42' },
    series: {
      number: 3,
      description: 'Lung 1.0',
      dimensions: phantom.volume.dimensions,
      spacing: phantom.volume.spacing
    },
    severity,
    edits: [
      { regionId: 'R9', score: 2, by: 'Dr Early', at: '2020-04-02T09:00:00Z' },
      { regionId: 'R9', score: 2, by: 'Dr Rossi', at: '2020-04-02T10:00:00Z' }
    ],
    keyImages: buildKeyImages(phantom.volume, labels, { lungLabels: lungs.labels }),
    model: { name: 'infnet-lite', version: '0.0-test' },
    findings: 'Rounded consolidation in the right lower lobe; ground-glass opacity in the left upper lobe.',
    impression: 'Findings compatible with COVID-19 pneumonia, mild extent.'
  }
})

afterAll(() => dir.remove())

describe('writeReportPdf on a phantom report', () => {
  it('writes a PDF whose text holds the header, all 20 regions, the lobes and the totals', async () => {
    const file = join(dir.path, 'report.pdf')
    await writeReportPdf(file, input)
    expect(readFileSync(file).subarray(0, 5).toString('latin1')).toBe('%PDF-')
    // Written atomically: no temporary file is left beside it.
    expect(readdirSync(dir.path).filter((f) => f.includes('.partial-'))).toEqual([])
    const text = pdfText(file)
    for (const expected of [
      'Pulmo',
      'Doe^Jane',
      'PHANTOM-1',
      '1960-02-29',
      '2020-04-01',
      'CT chest without contrast',
      'ACC-42',
      'Lung 1.0'
    ]) {
      expect(text).toContain(expected)
    }
    for (const rule of CTSS_REGION_RULES) expect(text).toContain(`${rule.id} ${rule.name}`)
    for (const lobe of [
      'RUL right upper lobe',
      'RML right middle lobe',
      'RLL right lower lobe',
      'LUL left upper lobe',
      'LLL left lower lobe'
    ]) {
      expect(text).toContain(lobe)
    }
    const s = input.severity
    // The phantom's lesions: R9 (consolidation) and L3 (ground glass), one point each automatically.
    expect(s.ctss.total).toBe(2)
    expect(text).toMatch(/CT-SS\): 3 \/ 40 — not severe \(≤ 19\.5\)/)
    expect(text).toContain('automatic 2 / 40 → final 3 / 40')
    // R9 edited 1 → 2: it counts with 50 % in the right lower lobe, so the lobe's score rises too
    const final = reportFinalScores(s, input.edits)
    const rll = final.lobes.find((l) => l.id === 'RLL')!
    expect(rll.final).toBeGreaterThan(rll.automatic)
    expect(final.lobar.final).toBe(s.lobar.total - rll.automatic + rll.final)
    expect(text).toContain(`Lobar score: ${final.lobar.final} / 25 (automatic ${s.lobar.total})`)
    expect(text).toContain(`Severity class: ${final.severity.final}`)
    expect(text.split('\n').find((line) => line.includes('RLL right lower lobe'))).toMatch(
      new RegExp(`${rll.automatic}\\s*→\\s*${rll.final}\\s*$`)
    )
    expect(text).toContain(
      `${s.percentInfected.total < 1 ? s.percentInfected.total.toFixed(2) : s.percentInfected.total.toFixed(1)} % of the lungs`
    )
    expect(text).toMatch(/ground-glass opacity \d+(\.\d)? mL, consolidation \d+(\.\d)? mL/)
    expect(text).toContain('Infection pattern present: yes (threshold: more than 0.1 %')
    expect(text).toContain('infnet-lite 0.0-test')
    expect(text.replace(/\s+/g, ' ')).toContain('approximate for segments')
    // the involvement minimum stands beside the scales (pdftotext may break the sentence across lines)
    expect(text.replace(/\s+/g, ' ')).toContain('only when at least 0.5 mL and 0.1 % of it are infected; infected components the model marks under 0.1 mL are dropped as specks (a corrected mask is scored as drawn)')
    expect(text).toContain('Rounded consolidation in the right lower lobe')
    expect(text).toContain('Not signed')
    // Key images: four captions with their slice numbers.
    expect(text.match(/Im \d+ · [\d.]+ mL infected/g)).toHaveLength(input.keyImages.length)
  })

  it('shows an edited region as automatic → final with the latest editor', async () => {
    const file = join(dir.path, 'edited.pdf')
    await writeReportPdf(file, input)
    const row = pdfText(file)
      .split('\n')
      .find((line) => line.includes('R9 lateral basal'))
    expect(row).toMatch(/1\s+1 → 2 \(Dr Rossi, 2020-04-02\)/)
    expect(row).not.toContain('Dr Early')
  })

  it('prints the signature when signed and renders with pdftoppm', async () => {
    const file = join(dir.path, 'signed.pdf')
    await writeReportPdf(file, { ...input, signedBy: 'Dr Rossi', signedAt: '2020-04-02T11:30:00Z' })
    expect(pdfText(file)).toContain('Signed by Dr Rossi at 2020-04-02 11:30 UTC')
    const prefix = join(dir.path, 'page')
    const rendered = spawnSync('pdftoppm', ['-r', '30', '-png', '-f', '1', '-l', '1', file, prefix])
    expect(rendered.status, rendered.stderr.toString()).toBe(0)
    const png = readdirSync(dir.path).find((f) => f.startsWith('page') && f.endsWith('.png'))
    expect(png).toBeDefined()
    expect(existsSync(join(dir.path, png ?? ''))).toBe(true)
  })

  it('falls back to the standard fonts with the text reduced to WinAnsi', async () => {
    const file = join(dir.path, 'standard.pdf')
    await writeReportPdf(
      file,
      { ...input, patient: { ...input.patient, name: 'Zhāng Wěi 张伟' } },
      { fonts: STANDARD_FONTS }
    )
    const text = pdfText(file)
    expect(text).toContain('1 -> 2 (Dr Rossi, 2020-04-02)')
    expect(text).toContain('Zh?ng W?i ??')
    for (const rule of CTSS_REGION_RULES) expect(text).toContain(`${rule.id} ${rule.name}`)
  })

  it('refuses an edit with an impossible score', async () => {
    const bad = { ...input, edits: [{ regionId: 'L1' as const, score: 3, by: 'x', at: '2020-01-01' }] }
    await expect(writeReportPdf(join(dir.path, 'bad.pdf'), bad)).rejects.toThrow(/0, 1 or 2/)
    expect(existsSync(join(dir.path, 'bad.pdf'))).toBe(false)
  })
})
