/**
 * Between two scans of one patient the lung volume changes by 10–20 % with the depth of
 * inspiration; more than this share of the earlier volume suggests a very different inspiration, a
 * partial scan or the wrong patient, and the percentages compared then mean less. This file imports
 * nothing from Node or the DOM.
 */
export const LUNG_VOLUME_CHANGE_LIMIT = 0.25

/** The warning a comparison carries when the lung volume changed by more than the limit, else null. */
export function lungVolumeWarning(beforeMl: number, afterMl: number): string | null {
  if (!(beforeMl > 0)) return null
  const change = (afterMl - beforeMl) / beforeMl
  if (Math.abs(change) <= LUNG_VOLUME_CHANGE_LIMIT) return null
  const pct = Math.round(Math.abs(change) * 100)
  return (
    `The lung volume ${change > 0 ? 'grew' : 'fell'} by ${pct} % (${beforeMl.toFixed(0)} → ${afterMl.toFixed(0)} mL), more than the ` +
    `${Math.round(LUNG_VOLUME_CHANGE_LIMIT * 100)} % a different depth of inspiration explains: check the inspiration, the scan range ` +
    `and that both studies are of this patient before reading the change.`
  )
}
