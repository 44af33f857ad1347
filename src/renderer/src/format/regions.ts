/** Lobe of each CT-SS region (Yang et al. 2020: 18 segments, two left segments split in two). */
// prettier-ignore
const lobeOfRegion: Record<string, string> = {
  R1: 'RUL', R2: 'RUL', R3: 'RUL', R4: 'RML', R5: 'RML',
  R6: 'RLL', R7: 'RLL', R8: 'RLL', R9: 'RLL', R10: 'RLL',
  L1: 'LUL', L2: 'LUL', L3: 'LUL', L4: 'LUL', L5: 'LUL',
  L6: 'LLL', L7: 'LLL', L8: 'LLL', L9: 'LLL', L10: 'LLL'
}

export function regionLobe(id: string): string {
  return lobeOfRegion[id] ?? ''
}

export function capitalise(text: string): string {
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : text
}

/** CT-SS region score meanings. */
export const regionScoreMeaning = ['0 · none', '1 · < 50 %', '2 · ≥ 50 %'] as const

/** Lobar score meanings (Pan et al.). */
export const lobeScoreMeaning = ['none', '< 5 %', '5–25 %', '26–49 %', '50–75 %', '> 75 %'] as const
