/**
 * One DICOM value as text, whichever form carries it: dcmjs's naturalized and tag-keyed data sets
 * and the DICOM JSON model (PS3.18 F.2) all hold strings, numbers, and person names as
 * { Alphabetic, Ideographic, Phonetic }.
 */
export function valueText(value: unknown): string {
  if (typeof value === 'string') return value.trim()
  if (typeof value === 'number') return String(value)
  if (value && typeof value === 'object' && 'Alphabetic' in value) {
    const alphabetic = (value as { Alphabetic?: unknown }).Alphabetic
    return typeof alphabetic === 'string' ? alphabetic.trim() : ''
  }
  return ''
}
