/** A plain ruled table for pdfkit: fixed row height, one line per cell, page breaks with the header repeated. */
import type PDFDocument from 'pdfkit'
import type { ReportFonts } from './reportFonts'

type Doc = InstanceType<typeof PDFDocument>

export interface TableColumn {
  header: string
  width: number
  align?: 'left' | 'right' | 'center'
}

export interface TableRow {
  cells: string[]
  bold?: boolean
}

export interface TableLayout {
  x: number
  y: number
  /** lowest y a row may reach before the table continues on a new page */
  bottom: number
  /** where the table continues on a new page */
  top: number
  fontSize: number
}

const HEADER_FILL = '#dde3ea'
const STRIPE_FILL = '#f3f5f8'
const RULE = '#9aa5b1'

/** Draws the table and returns the y below it. `text` adapts strings to the fonts. */
export function drawTable(
  doc: Doc,
  fonts: ReportFonts,
  text: (s: string) => string,
  columns: readonly TableColumn[],
  rows: readonly TableRow[],
  layout: TableLayout
): number {
  const rowHeight = Math.ceil(layout.fontSize * 1.55)
  const width = columns.reduce((sum, c) => sum + c.width, 0)
  let y = layout.y
  const drawRow = (cells: readonly string[], bold: boolean, fill: string | undefined): void => {
    if (fill) doc.rect(layout.x, y, width, rowHeight).fill(fill)
    doc
      .fillColor('black')
      .font(bold ? fonts.bold : fonts.regular)
      .fontSize(layout.fontSize)
    let x = layout.x
    for (const [c, column] of columns.entries()) {
      // One line per cell: a long value is cut with an ellipsis rather than pushing the row apart.
      doc.text(text(cells[c] ?? ''), x + 3, y + (rowHeight - layout.fontSize) / 2, {
        width: column.width - 6,
        height: layout.fontSize * 1.2,
        align: column.align ?? 'left',
        ellipsis: true,
        lineBreak: false
      })
      x += column.width
    }
    y += rowHeight
    doc
      .moveTo(layout.x, y)
      .lineTo(layout.x + width, y)
      .lineWidth(0.4)
      .strokeColor(RULE)
      .stroke()
  }
  const header = columns.map((c) => c.header)
  drawRow(header, true, HEADER_FILL)
  for (const [r, row] of rows.entries()) {
    if (y + rowHeight > layout.bottom) {
      doc.addPage()
      y = layout.top
      drawRow(header, true, HEADER_FILL)
    }
    drawRow(row.cells, row.bold ?? false, r % 2 === 1 ? STRIPE_FILL : undefined)
  }
  return y
}
