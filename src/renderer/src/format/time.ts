/** Display forms of timestamps and durations. */

function pad(value: number): string {
  return String(value).padStart(2, '0')
}

/** ISO timestamp → local "2024-05-02 14:07" (what a reading room log shows). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return ''
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`
}

/** Seconds → "1 h 05 min", "4 min 10 s", "12 s". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–'
  const s = Math.max(0, Math.round(seconds))
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${pad(Math.floor((s % 3600) / 60))} min`
  if (s >= 60) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`
  return `${s} s`
}

export function formatPercent(value: number, digits = 1): string {
  return `${value.toFixed(digits)} %`
}

export function formatMl(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1)
}
