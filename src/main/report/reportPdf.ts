/**
 * The severity report as an A4 PDF (pdfkit): header, summary with the totals, key images with the
 * infection overlay, the 20-region CT-SS table, the lobar table, findings and impression, the
 * approximation note and the signature line.
 */
import { randomUUID } from 'node:crypto'
import { rename, rm, writeFile } from 'node:fs/promises'
import PDFDocument from 'pdfkit'
import { CTSS_REGION_RULES } from '../regions/regionRules'
import { CTSS_SEVERE_THRESHOLD } from '../../shared/severityScoring'
import { CONSOLIDATION_MIN_HU } from '../analysis/infectionDensity'
import { reportFinalScores, type FinalScores } from './finalScores'
import { OVERLAY_COLOURS } from './keyImages'
import { findReportFonts, toWinAnsi, type ReportFonts } from './reportFonts'
import type { ReportInput } from './reportInput'
import { drawTable, type TableRow } from './reportTable'

type Doc = InstanceType<typeof PDFDocument>

const MARGIN = 40
const A4_WIDTH = 595.28
const A4_HEIGHT = 841.89
const CONTENT_WIDTH = A4_WIDTH - 2 * MARGIN
/** Room kept free at the foot of each page for the footer line. */
const BOTTOM = A4_HEIGHT - MARGIN - 14

export const APPROXIMATION_NOTE =
  'The 20 CT-SS regions and the five lobes are geometric approximations: levels and anterior, posterior, ' +
  'medial and lateral parts of each lung’s own extent, not the anatomical segment and fissure boundaries. ' +
  'The infection is segmented automatically by the model named above. Region and lobe figures and scores ' +
  'are proposals for the radiologist to check and correct; corrected scores are shown as automatic → final. ' +
  'A region the radiologist scored differently counts in its lobe and in the severity class with the infected ' +
  'share nearest the measured one that agrees with the radiologist’s score.'

export interface ReportPdfOptions {
  fonts?: ReportFonts
}

/** Writes the report PDF atomically: to a temporary file beside `path`, then renamed over it. */
export async function writeReportPdf(path: string, input: ReportInput, options: ReportPdfOptions = {}): Promise<void> {
  const bytes = await renderReportPdf(input, options)
  const temporary = `${path}.partial-${randomUUID().slice(0, 8)}`
  try {
    await writeFile(temporary, bytes)
    await rename(temporary, path)
  } catch (e) {
    await rm(temporary, { force: true })
    throw e
  }
}

export async function renderReportPdf(input: ReportInput, options: ReportPdfOptions = {}): Promise<Buffer> {
  const fonts = options.fonts ?? findReportFonts()
  const text = fonts.unicode ? (s: string): string => s : toWinAnsi
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    info: {
      Title: text(`Chest CT severity report — ${input.patient.name}`),
      Author: 'Pulmo',
      Subject: 'COVID-19 chest CT severity',
      Creator: 'Pulmo'
    }
  })
  const chunks: Buffer[] = []
  doc.on('data', (chunk: Buffer) => chunks.push(chunk))
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve())
    doc.on('error', reject)
  })
  const scores = reportFinalScores(input.severity, input.edits)
  const page = new PageFlow(doc, fonts, text)

  drawTitle(page, input)
  drawHeader(page, input)
  drawWarnings(page, input)
  drawSummary(page, input, scores)
  drawFollowUp(page, input)
  drawKeyImages(page, input)
  drawRegionTable(page, input, scores)
  drawLobeTable(page, input, scores)
  drawNarrative(page, input)
  drawSignature(page, input)
  drawFooters(page, input)
  doc.end()
  await ended
  return Buffer.concat(chunks)
}

/** The document with its fonts and a vertical cursor that moves to a new page when a block does not fit. */
class PageFlow {
  y = MARGIN
  constructor(
    readonly doc: Doc,
    readonly fonts: ReportFonts,
    readonly text: (s: string) => string
  ) {}

  ensure(height: number): void {
    if (this.y + height <= BOTTOM) return
    this.doc.addPage()
    this.y = MARGIN
  }

  /** A section title, kept on one page with the first `keepWith` points of what follows. */
  heading(title: string, keepWith = 30): void {
    this.doc.font(this.fonts.bold).fontSize(11)
    const height = this.doc.heightOfString(this.text(title), { width: CONTENT_WIDTH })
    this.ensure(8 + height + keepWith)
    this.y += 8
    this.doc.fillColor('#1d3557').text(this.text(title), MARGIN, this.y, { width: CONTENT_WIDTH })
    this.y += height + 3
    this.doc.fillColor('black')
  }

  /** A paragraph at the cursor; returns nothing, moves the cursor below it. */
  paragraph(body: string, size = 9, bold = false): void {
    const options = { width: CONTENT_WIDTH, align: 'left' as const }
    this.doc.font(bold ? this.fonts.bold : this.fonts.regular).fontSize(size)
    const height = this.doc.heightOfString(this.text(body), options)
    this.ensure(Math.min(height, BOTTOM - MARGIN))
    this.doc.fillColor('black').text(this.text(body), MARGIN, this.y, options)
    this.y = this.doc.y + 3
  }
}

function drawTitle(page: PageFlow, input: ReportInput): void {
  const { doc, fonts, text } = page
  const title = input.amends ? 'Pulmo — chest CT severity report (amendment)' : 'Pulmo — chest CT severity report'
  doc.font(fonts.bold).fontSize(16).fillColor('#1d3557').text(text(title), MARGIN, page.y, { width: CONTENT_WIDTH })
  page.y = doc.y + 2
  // The privacy and generation line sits below the title, never beside it: a long title and the
  // de-identification note overlapped on one line.
  const generated = (input.generatedAt ?? new Date()).toISOString().slice(0, 16).replace('T', ' ')
  const privacy = input.deidentified
    ? 'De-identified: pseudonym for name and ID, every date shifted by the same offset · '
    : ''
  const number = input.reportId !== undefined ? `Report ${input.reportId} · ` : ''
  doc.font(fonts.regular).fontSize(8).fillColor('#555555')
  doc.text(text(`${number}${privacy}Generated ${generated} UTC`), MARGIN, page.y, { width: CONTENT_WIDTH })
  page.y = doc.y + 4
  doc
    .moveTo(MARGIN, page.y)
    .lineTo(MARGIN + CONTENT_WIDTH, page.y)
    .lineWidth(1)
    .strokeColor('#1d3557')
    .stroke()
  page.y += 8
}

function drawHeader(page: PageFlow, input: ReportInput): void {
  const { patient, study, series } = input
  const seriesText =
    [series.number !== undefined ? `#${series.number}` : '', series.description ?? ''].filter(Boolean).join(' ') || '—'
  const grid =
    series.dimensions && series.spacing
      ? `${series.dimensions.join(' × ')} voxels, ${series.spacing.map((s) => +s.toFixed(2)).join(' × ')} mm`
      : '—'
  const left: Array<[string, string]> = [
    ['Patient', patient.name || '—'],
    ['Patient ID', patient.id || '—'],
    ['Birth date', patient.birthDate || '—'],
    ['Sex', patient.sex || '—']
  ]
  const right: Array<[string, string]> = [
    ['Study date', study.date || '—'],
    ['Study', study.description || '—'],
    ['Accession', study.accessionNumber || '—'],
    ['Series', seriesText],
    ['Grid', grid]
  ]
  const half = CONTENT_WIDTH / 2
  const drawColumn = (rows: Array<[string, string]>, x: number): number => {
    let y = page.y
    for (const [label, value] of rows) {
      page.doc
        .font(page.fonts.bold)
        .fontSize(8.5)
        .fillColor('#333333')
        .text(page.text(label), x, y, { width: 62, lineBreak: false })
      page.doc
        .font(page.fonts.regular)
        .fillColor('black')
        .text(page.text(value), x + 64, y, { width: half - 70, height: 11, ellipsis: true, lineBreak: false })
      y += 12
    }
    return y
  }
  page.y = Math.max(drawColumn(left, MARGIN), drawColumn(right, MARGIN + half)) + 4
}

const ml = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1))
const percent = (p: number): string => (p === 0 ? '0' : p < 1 ? p.toFixed(2) : p.toFixed(1))

const dateTime = (iso: string): string => `${iso.slice(0, 16).replace('T', ' ')} UTC`

function drawWarnings(page: PageFlow, input: ReportInput): void {
  const lines = [...(input.warnings ?? [])]
  if (input.amends) {
    lines.unshift(
      `This report amends report ${input.amends.reportId}, signed by ${input.amends.signedBy} at ${dateTime(input.amends.signedAt)}, ` +
        'which stays on record unchanged.'
    )
  }
  for (const line of lines) page.paragraph(line, 9, true)
}

/** Which mask the figures come from: the model's, or a version a person corrected. */
export function maskVersionLine(input: Pick<ReportInput, 'maskVersion'>): string {
  const m = input.maskVersion
  if (!m) return 'Mask: none stored (figures from the analysis itself).'
  const who =
    m.source === 'model'
      ? 'the model’s segmentation'
      : m.source === 'annotator'
        ? `corrected by ${m.author}`
        : `imported by ${m.author}`
  return `Mask version ${m.version} (${who}, ${dateTime(m.createdAt)}): volumes, percentages, scores and key images are computed from it.`
}

function drawSummary(page: PageFlow, input: ReportInput, scores: FinalScores): void {
  const s = input.severity
  page.heading('Summary')
  const { ctss } = scores
  const severe = ctss.severe ? `severe (> ${CTSS_SEVERE_THRESHOLD})` : `not severe (≤ ${CTSS_SEVERE_THRESHOLD})`
  const changed = (a: number | string, b: number | string): boolean => String(a) !== String(b)
  const automatic = changed(ctss.automatic, ctss.final)
    ? ` (automatic ${ctss.automatic} / 40 → final ${ctss.final} / 40 after the radiologist’s edits)`
    : ''
  page.paragraph(`CT severity score (CT-SS): ${ctss.final} / 40 — ${severe}${automatic}`, 10, true)
  const lobarNote = changed(scores.lobar.automatic, scores.lobar.final) ? ` (automatic ${scores.lobar.automatic})` : ''
  const severityNote = changed(scores.severity.automatic, scores.severity.final)
    ? ` (automatic ${scores.severity.automatic})`
    : ''
  page.paragraph(
    `Lobar score: ${scores.lobar.final} / 25${lobarNote}     Severity class: ${scores.severity.final}${severityNote}`,
    10,
    true
  )
  page.paragraph(maskVersionLine(input), 9, true)
  page.paragraph(
    `Infected: ${percent(s.percentInfected.total)} % of the lungs (right lung ${percent(s.percentInfected.right)} %, ` +
      `left lung ${percent(s.percentInfected.left)} %). Lung volume ${ml(s.lungVolumeMl)} mL, infected ${ml(s.infectedVolumeMl)} mL: ` +
      `ground-glass opacity ${ml(s.ggoVolumeMl)} mL, consolidation ${ml(s.consolidationVolumeMl)} mL.`
  )
  page.paragraph(
    `Infection pattern present: ${scores.infectionPresent.final ? 'yes' : 'no'} (threshold: more than ` +
      `${s.options.infectionPresentPercent} % of the lung volume infected).`
  )
  const typing = input.multiclassModel
    ? `infection type by ${input.multiclassModel.name} ${input.multiclassModel.version}`
    : `infection type by density (consolidation ≥ ${CONSOLIDATION_MIN_HU} HU, else ground glass)`
  page.paragraph(`Model: ${input.model.name} ${input.model.version}; ${typing}.`)
  if (s.infectionOutsideLungsMl > 0.05) {
    page.paragraph(`Infection labelled outside the lung mask (not scored): ${ml(s.infectionOutsideLungsMl)} mL.`, 8.5)
  }
}

/** Exported for the test of the section's wording. */
export function followUpLine(c: NonNullable<ReportInput['followUp']>): string {
  const earlier = c.before
  const signed = earlier.signedBy ? `signed by ${earlier.signedBy}${earlier.signedAt ? ` at ${dateTime(earlier.signedAt)}` : ''}` : 'not signed'
  const interval = c.interval_days === null ? 'interval unknown' : `${c.interval_days} days earlier`
  return (
    `Compared with report ${earlier.reportId} of the study of ${earlier.studyDate || 'unknown date'} (series ${earlier.seriesId}, ` +
    `mask version ${earlier.maskVersion ?? '—'}, ${signed}; ${interval}).`
  )
}

/** A follow-up report: how the lungs changed since the patient's previous analysed study, and which report that was. */
function drawFollowUp(page: PageFlow, input: ReportInput): void {
  const c = input.followUp
  if (!c) return
  page.heading('Follow-up: change since the previous study', 12 * 13)
  page.paragraph(followUpLine(c), 9.5, true)
  const signed = (x: number, digits: number): string => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x).toFixed(digits)}`
  const pct = (x: number): string => `${percent(x)} %`
  const rows: TableRow[] = [
    ...(['total', 'right', 'left'] as const).map((side) => ({
      cells: [
        side === 'total' ? 'Both lungs' : side === 'right' ? 'Right lung' : 'Left lung',
        pct(c.percentInfected.before[side]),
        pct(c.percentInfected.after[side]),
        `${signed(c.percentInfected.change[side], 2)} pts`,
        c.percentInfected.trend[side]
      ],
      bold: side === 'total'
    })),
    ...c.lobes.map((l) => ({ cells: [`${l.id} ${l.name}`, pct(l.before), pct(l.after), `${signed(l.change, 2)} pts`, l.trend] })),
    { cells: ['Infected volume', `${ml(c.infectedVolumeMl.before)} mL`, `${ml(c.infectedVolumeMl.after)} mL`, `${signed(c.infectedVolumeMl.change, 1)} mL`, ''] },
    { cells: ['Ground glass', `${ml(c.ggoVolumeMl.before)} mL`, `${ml(c.ggoVolumeMl.after)} mL`, `${signed(c.ggoVolumeMl.change, 1)} mL`, ''] },
    { cells: ['Consolidation', `${ml(c.consolidationVolumeMl.before)} mL`, `${ml(c.consolidationVolumeMl.after)} mL`, `${signed(c.consolidationVolumeMl.change, 1)} mL`, ''] },
    { cells: ['CT-SS', `${c.ctss.before} / 40`, `${c.ctss.after} / 40`, signed(c.ctss.change, 0), ''] },
    { cells: ['Lobar score', `${c.lobar.before} / 25`, `${c.lobar.after} / 25`, signed(c.lobar.change, 0), ''] }
  ]
  page.y = drawTable(
    page.doc,
    page.fonts,
    page.text,
    [
      { header: '% infected, volumes, scores', width: 170 },
      { header: 'Previous', width: 80, align: 'right' },
      { header: 'This study', width: 80, align: 'right' },
      { header: 'Change', width: 80, align: 'right' },
      { header: 'Trend', width: CONTENT_WIDTH - 410 }
    ],
    rows,
    { x: MARGIN, y: page.y, bottom: BOTTOM, top: MARGIN, fontSize: 8 }
  )
  page.y += 4
  for (const line of c.summary) page.paragraph(line, 9)
  page.paragraph(`Improved / stable / worse: ${c.rule}`, 8)
}

function drawKeyImages(page: PageFlow, input: ReportInput): void {
  const images = input.keyImages
  if (images.length === 0) return
  page.heading('Key images (lung window; patient’s right on the left)')
  const gap = 8
  const perRow = Math.min(4, images.length)
  const cell = (CONTENT_WIDTH - gap * (perRow - 1)) / 4
  const { doc, fonts, text } = page
  for (let start = 0; start < images.length; start += perRow) {
    const row = images.slice(start, start + perRow)
    const height = Math.max(...row.map((image) => cell / Math.max(image.aspect, 1e-3)))
    const boxHeight = Math.min(height, cell * 1.25)
    page.ensure(boxHeight + 16)
    for (const [n, image] of row.entries()) {
      const x = MARGIN + n * (cell + gap)
      doc.rect(x, page.y, cell, boxHeight).fill('black')
      doc.image(image.png, x, page.y, { fit: [cell, boxHeight], align: 'center', valign: 'center' })
      doc.font(fonts.regular).fontSize(8).fillColor('black')
      doc.text(text(`Im ${image.sliceNumber} · ${ml(image.infectedMl)} mL infected`), x, page.y + boxHeight + 2, {
        width: cell,
        align: 'center',
        lineBreak: false
      })
    }
    page.y += boxHeight + 14
  }
  // The legend: the two overlay colours.
  const swatch = (x: number, colour: readonly [number, number, number], label: string): number => {
    doc.rect(x, page.y + 1, 8, 8).fill(rgbHex(colour))
    doc
      .font(fonts.regular)
      .fontSize(8)
      .fillColor('black')
      .text(text(label), x + 11, page.y, { lineBreak: false })
    return x + 11 + doc.widthOfString(text(label)) + 14
  }
  const next = swatch(MARGIN, OVERLAY_COLOURS.groundGlass, 'ground-glass opacity')
  const after = swatch(next, OVERLAY_COLOURS.consolidation, 'consolidation')
  // What "Im" means, so the numbers can be looked up on the PACS.
  const numbering =
    images[0].numbering === 'instance-number'
      ? 'Im = DICOM InstanceNumber'
      : 'Im = image number counted from the head (no DICOM InstanceNumber)'
  doc.font(fonts.regular).fontSize(8).fillColor('black').text(text(numbering), after, page.y, { lineBreak: false })
  page.y += 14
}

function rgbHex(colour: readonly [number, number, number]): string {
  return '#' + colour.map((c) => c.toString(16).padStart(2, '0')).join('')
}

function drawRegionTable(page: PageFlow, input: ReportInput, scores: FinalScores): void {
  page.heading('CT severity score by region (Yang et al. 2020: 0 none, 1 < 50 %, 2 ≥ 50 %)', 60)
  const { ctss } = scores
  const byId = new Map(scores.regions.map((r) => [r.id, r]))
  const rows: TableRow[] = input.severity.ctss.regions.map((region) => {
    const final = byId.get(region.id)
    const edit = final?.edit
    const rule = CTSS_REGION_RULES.find((r) => r.id === region.id)
    return {
      cells: [
        `${region.id} ${region.name}`,
        rule?.lobe ?? region.lobe,
        ml(region.lungVolumeMl),
        ml(region.infectedVolumeMl),
        percent(region.percent),
        String(region.score),
        edit ? `${region.score} → ${edit.score} (${edit.by}, ${edit.at.slice(0, 10)})` : ''
      ]
    }
  })
  rows.push({
    cells: [
      'Total',
      '',
      ml(input.severity.lungVolumeMl),
      ml(input.severity.infectedVolumeMl),
      percent(input.severity.percentInfected.total),
      `${ctss.automatic} / 40`,
      scores.edited ? `${ctss.automatic} → ${ctss.final} / 40` : ''
    ],
    bold: true
  })
  page.y = drawTable(
    page.doc,
    page.fonts,
    page.text,
    [
      { header: 'Region', width: 118 },
      { header: 'Lobe', width: 36 },
      { header: 'Lung mL', width: 52, align: 'right' },
      { header: 'Infected mL', width: 60, align: 'right' },
      { header: '%', width: 44, align: 'right' },
      { header: 'Auto', width: 52, align: 'center' },
      { header: 'Radiologist', width: CONTENT_WIDTH - 362 }
    ],
    rows,
    { x: MARGIN, y: page.y, bottom: BOTTOM, top: MARGIN, fontSize: 8 }
  )
  page.y += 4
}

function drawLobeTable(page: PageFlow, input: ReportInput, scores: FinalScores): void {
  page.heading('Lobar score (Pan et al. 2020: 0 none, 1 < 5 %, 2 5–25 %, 3 26–49 %, 4 50–75 %, 5 > 75 %)', 7 * 13)
  const s = input.severity
  const finalOf = new Map(scores.lobes.map((l) => [l.id, l]))
  const scoreText = (id: string, automatic: number): string => {
    const final = finalOf.get(id)?.final ?? automatic
    return final === automatic ? String(automatic) : `${automatic} → ${final}`
  }
  const rows: TableRow[] = s.lobar.lobes.map((lobe) => ({
    cells: [
      `${lobe.id} ${lobe.name}`,
      ml(lobe.lungVolumeMl),
      ml(lobe.infectedVolumeMl),
      ml(lobe.ggoVolumeMl),
      ml(lobe.consolidationVolumeMl),
      percent(lobe.percent),
      scoreText(lobe.id, lobe.score)
    ]
  }))
  rows.push({
    cells: [
      'Total',
      ml(s.lungVolumeMl),
      ml(s.infectedVolumeMl),
      ml(s.ggoVolumeMl),
      ml(s.consolidationVolumeMl),
      percent(s.percentInfected.total),
      scores.lobar.final === scores.lobar.automatic
        ? `${s.lobar.total} / 25`
        : `${scores.lobar.automatic} → ${scores.lobar.final} / 25`
    ],
    bold: true
  })
  page.y = drawTable(
    page.doc,
    page.fonts,
    page.text,
    [
      { header: 'Lobe', width: 124 },
      { header: 'Lung mL', width: 56, align: 'right' },
      { header: 'Infected mL', width: 62, align: 'right' },
      { header: 'Ground glass mL', width: 84, align: 'right' },
      { header: 'Consolidation mL', width: 88, align: 'right' },
      { header: '%', width: 40, align: 'right' },
      { header: 'Score', width: CONTENT_WIDTH - 454, align: 'center' }
    ],
    rows,
    { x: MARGIN, y: page.y, bottom: BOTTOM, top: MARGIN, fontSize: 8 }
  )
  page.y += 4
}

function drawNarrative(page: PageFlow, input: ReportInput): void {
  page.heading('Findings')
  page.paragraph(input.findings.trim() || '—', 9.5)
  page.heading('Impression')
  page.paragraph(input.impression.trim() || '—', 9.5)
  page.heading('Note')
  page.paragraph(APPROXIMATION_NOTE, 8.5)
}

function drawSignature(page: PageFlow, input: ReportInput): void {
  page.ensure(50)
  page.y += 14
  const { doc } = page
  doc
    .moveTo(MARGIN, page.y)
    .lineTo(MARGIN + 240, page.y)
    .lineWidth(0.6)
    .strokeColor('black')
    .stroke()
  page.y += 4
  const signed = input.signedBy
    ? `Signed by ${input.signedBy}${input.signedAt ? ` at ${dateTime(input.signedAt)}` : ''}`
    : 'Not signed'
  page.paragraph(signed, 9.5, true)
}

function drawFooters(page: PageFlow, input: ReportInput): void {
  const { doc, fonts, text } = page
  const range = doc.bufferedPageRange()
  for (let n = 0; n < range.count; n++) {
    doc.switchToPage(range.start + n)
    // Writing below the bottom margin would make pdfkit open a new page: lift the margin first.
    const bottomMargin = doc.page.margins.bottom
    doc.page.margins.bottom = 0
    doc.font(fonts.regular).fontSize(7.5).fillColor('#666666')
    doc.text(
      text(
        `Pulmo · ${input.patient.name} (${input.patient.id}) · page ${n + 1} of ${range.count} · automatic measurements for the radiologist to verify`
      ),
      MARGIN,
      A4_HEIGHT - MARGIN + 6,
      { width: CONTENT_WIDTH, align: 'center', lineBreak: false }
    )
    doc.page.margins.bottom = bottomMargin
  }
}
