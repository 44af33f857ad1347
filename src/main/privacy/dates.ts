/** Date shifting that keeps intervals: every date of a patient moves by the same number of days. */

const DAY_MS = 86_400_000

function shiftParts(year: number, month: number, day: number, days: number): Date | undefined {
  const t = Date.UTC(year, month - 1, day)
  const back = new Date(t)
  // 2020-02-31 is not a date: refuse rather than roll over into March.
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return undefined
  return new Date(t + days * DAY_MS)
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/**
 * Shifts a DICOM DA ("YYYYMMDD", also the old "YYYY.MM.DD") or an ISO date ("YYYY-MM-DD"), keeping
 * its format. Anything else (partial dates, garbage) cannot be shifted faithfully and becomes '' so
 * it cannot leak the real date.
 */
export function shiftDate(value: string, days: number): string {
  const v = value.trim()
  if (!v) return ''
  const m = /^(\d{4})([.-]?)(\d{2})\2(\d{2})$/.exec(v)
  if (!m) return ''
  const d = shiftParts(Number(m[1]), Number(m[3]), Number(m[4]), days)
  if (!d) return ''
  const sep = m[2] === '.' ? '' : m[2]
  return `${pad(d.getUTCFullYear(), 4)}${sep}${pad(d.getUTCMonth() + 1)}${sep}${pad(d.getUTCDate())}`
}

/**
 * Shifts a DICOM DT ("YYYYMMDDHHMMSS.FFFFFF&ZZXX") or an ISO date-time: the date part moves, the
 * time of day and any zone stay. Date-times without a full date become ''.
 */
export function shiftDateTime(value: string, days: number): string {
  const v = value.trim()
  if (!v) return ''
  const iso = /^(\d{4}-\d{2}-\d{2})(T.*)?$/.exec(v)
  if (iso) {
    const date = shiftDate(iso[1], days)
    return date ? date + (iso[2] ?? '') : ''
  }
  const dt = /^(\d{8})(.*)$/.exec(v)
  if (!dt) return ''
  const date = shiftDate(dt[1], days)
  return date ? date + dt[2] : ''
}

/** Whole days from date a to date b (both DA or ISO), for checking that intervals survive. */
export function daysBetween(a: string, b: string): number {
  const t = (s: string): number => {
    const m = /^(\d{4})[.-]?(\d{2})[.-]?(\d{2})/.exec(s)
    if (!m) throw new Error(`not a date: ${s}`)
    return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))
  }
  return Math.round((t(b) - t(a)) / DAY_MS)
}
