/**
 * Window/level display of CT values, shared by the renderer (on screen) and the main side (key
 * images, model input) so both show the same grey for the same value. The grey level follows the
 * DICOM linear VOI function (PS3.3 C.11.2.1.2.1):
 *   x <= c − 0.5 − (w − 1)/2  → 0
 *   x >  c − 0.5 + (w − 1)/2  → 255
 *   otherwise                 → round(((x − (c − 0.5)) / (w − 1) + 0.5) · 255)
 */

export interface WindowLevel {
  /** Window centre (level) in the volume's unit. */
  center: number
  /** Window width in the volume's unit, at least 1. */
  width: number
}

export interface WindowPreset extends WindowLevel {
  id: 'lung' | 'mediastinum'
  label: string
}

export const windowPresets: readonly WindowPreset[] = [
  { id: 'lung', label: 'Lung', center: -600, width: 1500 },
  { id: 'mediastinum', label: 'Mediastinum', center: 40, width: 400 }
]

export function windowPreset(id: WindowPreset['id']): WindowPreset {
  const preset = windowPresets.find((candidate) => candidate.id === id)
  if (!preset) throw new Error(`Unknown window preset ${id}`)
  return preset
}

export function greyLevel(value: number, { center, width }: WindowLevel): number {
  const w = Math.max(1, width)
  if (w === 1) return value < center ? 0 : 255
  const low = center - 0.5 - (w - 1) / 2
  const high = center - 0.5 + (w - 1) / 2
  if (value <= low) return 0
  if (value > high) return 255
  return Math.round(((value - (center - 0.5)) / (w - 1) + 0.5) * 255)
}
