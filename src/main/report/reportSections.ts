/** The report's opening sections: title, header, warnings, summary, follow-up and key images. */
import { CTSS_MAX, CTSS_SEVERE_THRESHOLD, LOBAR_MAX } from '../../shared/severityScoring'
import { CONSOLIDATION_MIN_HU } from '../analysis/infectionDensity'
import type { FinalScores } from './finalScores'
import { OVERLAY_COLOURS } from './keyImages'
import type { ReportInput } from './reportInput'
import { CONTENT_WIDTH, dateTime, MARGIN, ml, percent, type PageFlow } from './reportPage'
import type { TableRow } from './reportTable'

export function drawTitle(page: PageFlow, input: ReportInput): void {
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

export function drawHeader(page: PageFlow, input: ReportInput): void {
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

export function drawWarnings(page: PageFlow, input: ReportInput): void {
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

export function drawSummary(page: PageFlow, input: ReportInput, scores: FinalScores): void {
  const s = input.severity
  page.heading('Summary')
  const { ctss } = scores
  const severe = ctss.severe ? `severe (> ${CTSS_SEVERE_THRESHOLD})` : `not severe (≤ ${CTSS_SEVERE_THRESHOLD})`
  const changed = (a: number | string, b: number | string): boolean => String(a) !== String(b)
  const automatic = changed(ctss.automatic, ctss.final)
    ? ` (automatic ${ctss.automatic} / ${CTSS_MAX} → final ${ctss.final} / ${CTSS_MAX} after the radiologist’s edits)`
    : ''
  page.paragraph(`CT severity score (CT-SS): ${ctss.final} / ${CTSS_MAX} — ${severe}${automatic}`, 10, true)
  const lobarNote = changed(scores.lobar.automatic, scores.lobar.final) ? ` (automatic ${scores.lobar.automatic})` : ''
  const severityNote = changed(scores.severity.automatic, scores.severity.final)
    ? ` (automatic ${scores.severity.automatic})`
    : ''
  page.paragraph(
    `Lobar score: ${scores.lobar.final} / ${LOBAR_MAX}${lobarNote}     Severity class: ${scores.severity.final}${severityNote}`,
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
export function drawFollowUp(page: PageFlow, input: ReportInput): void {
  const c = input.followUp
  if (!c) return
  page.heading('Follow-up: change since the previous study', 12 * 13)
  page.paragraph(followUpLine(c), 9.5, true)
  if (c.lungVolumeWarning) page.paragraph(`Warning: ${c.lungVolumeWarning}`, 9.5, true)
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
    { cells: ['CT-SS', `${c.ctss.before} / ${CTSS_MAX}`, `${c.ctss.after} / ${CTSS_MAX}`, signed(c.ctss.change, 0), ''] },
    { cells: ['Lobar score', `${c.lobar.before} / ${LOBAR_MAX}`, `${c.lobar.after} / ${LOBAR_MAX}`, signed(c.lobar.change, 0), ''] }
  ]
  page.table(
    [
      { header: '% infected, volumes, scores', width: 170 },
      { header: 'Previous', width: 80, align: 'right' },
      { header: 'This study', width: 80, align: 'right' },
      { header: 'Change', width: 80, align: 'right' },
      { header: 'Trend', width: CONTENT_WIDTH - 410 }
    ],
    rows
  )
  for (const line of c.summary) page.paragraph(line, 9)
  page.paragraph(`Improved / stable / worse: ${c.rule}`, 8)
}

export function drawKeyImages(page: PageFlow, input: ReportInput): void {
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
