/**
 * Fonts of the report. Patient names and the report's own signs (→, ≥, −) need Unicode, which the
 * PDF standard fonts lack (they are WinAnsi only), and fonts are not among the bundled resources;
 * so a Unicode TrueType font of the operating system is embedded when one is found, and otherwise
 * Helvetica is used with the text reduced to WinAnsi (→ becomes "->", unknown letters "?").
 */
import { existsSync } from 'node:fs'

export interface ReportFonts {
  /** a font file path, or a standard font name */
  regular: string
  bold: string
  /** whether the fonts cover Unicode; if not, text must go through toWinAnsi */
  unicode: boolean
}

const SYSTEM_FONTS: ReadonlyArray<{ regular: string; bold: string }> = [
  {
    regular: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
    bold: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'
  },
  { regular: '/usr/share/fonts/dejavu/DejaVuSans.ttf', bold: '/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf' },
  {
    regular: '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
    bold: '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf'
  },
  { regular: 'C:\\Windows\\Fonts\\arial.ttf', bold: 'C:\\Windows\\Fonts\\arialbd.ttf' },
  {
    regular: '/System/Library/Fonts/Supplemental/Arial.ttf',
    bold: '/System/Library/Fonts/Supplemental/Arial Bold.ttf'
  },
  { regular: '/Library/Fonts/Arial.ttf', bold: '/Library/Fonts/Arial Bold.ttf' }
]

export const STANDARD_FONTS: ReportFonts = { regular: 'Helvetica', bold: 'Helvetica-Bold', unicode: false }

export function findReportFonts(): ReportFonts {
  const found = SYSTEM_FONTS.find((f) => existsSync(f.regular) && existsSync(f.bold))
  return found ? { ...found, unicode: true } : STANDARD_FONTS
}

const REPLACEMENTS: Readonly<Record<string, string>> = {
  '→': '->',
  '←': '<-',
  '≥': '>=',
  '≤': '<=',
  '−': '-',
  '≈': '~'
}

// WinAnsi (cp1252) beyond Latin-1: what Helvetica can still show.
const CP1252_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ')

/** Text the standard fonts can show: WinAnsi characters kept, a few signs spelled out, the rest "?". */
export function toWinAnsi(text: string): string {
  let out = ''
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0
    if (REPLACEMENTS[ch] !== undefined) out += REPLACEMENTS[ch]
    else if (code === 0x0a || (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || CP1252_EXTRA.has(ch))
      out += ch
    else out += '?'
  }
  return out
}
