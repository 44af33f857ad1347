/** The report's page: A4 layout, a cursor that flows onto new pages, and the number formats every section shares. */
import type PDFDocument from 'pdfkit'
import type { ReportFonts } from './reportFonts'
import { drawTable, type TableColumn, type TableRow } from './reportTable'

type Doc = InstanceType<typeof PDFDocument>

export const MARGIN = 40
const A4_WIDTH = 595.28
export const A4_HEIGHT = 841.89
export const CONTENT_WIDTH = A4_WIDTH - 2 * MARGIN
/** Room kept free at the foot of each page for the footer line. */
export const BOTTOM = A4_HEIGHT - MARGIN - 14

/** The document with its fonts and a vertical cursor that moves to a new page when a block does not fit. */
export class PageFlow {
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

  /** A table at the cursor, continued with its header on new pages; moves the cursor below it. */
  table(columns: readonly TableColumn[], rows: readonly TableRow[]): void {
    this.y = drawTable(this.doc, this.fonts, this.text, columns, rows, { x: MARGIN, y: this.y, bottom: BOTTOM, top: MARGIN, fontSize: 8 })
    this.y += 4
  }
}

export const ml = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1))
export const percent = (p: number): string => (p === 0 ? '0' : p < 1 ? p.toFixed(2) : p.toFixed(1))

export const dateTime = (iso: string): string => `${iso.slice(0, 16).replace('T', ' ')} UTC`
