/**
 * The severity report as an A4 PDF (pdfkit): header, summary with the totals, key images with the
 * infection overlay, the 20-region CT-SS table, the lobar table, findings and impression, the
 * approximation note and the signature line.
 */
import { randomUUID } from 'node:crypto'
import { rename, rm, writeFile } from 'node:fs/promises'
import { INVOLVEMENT_RULE } from '../../shared/severityScoring'
import { reportFinalScores } from './finalScores'
import { findReportFonts, toWinAnsi, type ReportFonts } from './reportFonts'
import type { ReportInput } from './reportInput'
import { A4_HEIGHT, CONTENT_WIDTH, dateTime, MARGIN, PageFlow } from './reportPage'
import { drawLobeTable, drawRegionTable } from './reportScoreTables'
import { drawFollowUp, drawHeader, drawKeyImages, drawSummary, drawTitle, drawWarnings } from './reportSections'
import { drawPattern } from './reportPattern'

export const APPROXIMATION_NOTE =
  'The five lobes are found from the fissures: an atlas of fissure surfaces (Chest Imaging Platform lobe atlas) ' +
  'registered to the lungs and fitted to the fissures seen on this CT. The 20 CT-SS regions are parts of those ' +
  'lobes by level and by anterior, posterior, medial and lateral halves of each lobe’s own extent: approximate for ' +
  'segments, not the anatomical segment boundaries. ' +
  'The infection is segmented automatically by the model named above. Region and lobe figures and scores ' +
  'are proposals for the radiologist to check and correct; corrected scores are shown as automatic → final. ' +
  'A region the radiologist scored differently counts in its lobe and in the severity class with the infected ' +
  'share nearest the measured one that agrees with the radiologist’s score. ' +
  INVOLVEMENT_RULE

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
  // pdfkit is loaded with the first report: a fifth of a second at start-up every other command would pay
  const { default: PdfDocument } = await import('pdfkit')
  const doc: PDFKit.PDFDocument = new PdfDocument({
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
  drawPattern(page, input)
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
