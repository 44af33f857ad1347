/** Display forms of DICOM values as the services return them. */

/** Person name components "DOE^JANE^M" → "DOE, JANE M" (family name first, case kept). */
export function formatPersonName(name: string): string {
  const parts = name
    .split('^')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
  if (parts.length === 0) return 'Anonymous patient'
  if (parts.length === 1) return parts[0]
  return `${parts[0]}, ${parts.slice(1).join(' ')}`
}

/** DICOM DA "20200317" → "2020-03-17"; ISO dates pass through; empty stays empty. */
export function formatStudyDate(date: string): string {
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(date.trim())
  if (compact) return `${compact[1]}-${compact[2]}-${compact[3]}`
  const iso = /^(\d{4}-\d{2}-\d{2})/.exec(date.trim())
  return iso ? iso[1] : date.trim()
}

export function formatMillimetres(value: number): string {
  return value.toFixed(value >= 10 ? 1 : 2)
}

export function formatSpacing(spacing: readonly [number, number, number]): string {
  return `${spacing.map(formatMillimetres).join(' × ')} mm`
}

export function formatByteSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(0)} MB`
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(0)} kB`
  return `${bytes} B`
}

/** Minus as ASCII hyphen-minus so readouts stay machine-readable. */
export function formatSigned(value: number): string {
  return String(Math.round(value))
}
