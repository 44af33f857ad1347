/**
 * Structure measure S_α (Fan et al., ICCV 2017; StructureMeasure.m) of the continuous normalised
 * map: α = 0.5 object-aware plus 0.5 region-aware similarity, floored at 0. An all-background
 * ground truth scores 1 − mean(map) and an all-foreground one mean(map), since the object and
 * region terms are undefined without both classes.
 */
import { structureObject } from './structureObject'
import { structureRegion } from './structureRegion'

export const STRUCTURE_ALPHA = 0.5

function mean(values: Float64Array): number {
  let sum = 0
  for (let i = 0; i < values.length; i++) sum += values[i]
  return sum / values.length
}

export function structureMeasure(map: Float64Array, mask: Uint8Array, width: number, height: number): number {
  let foreground = 0
  for (let i = 0; i < mask.length; i++) foreground += mask[i]
  if (foreground === 0) return 1 - mean(map)
  if (foreground === mask.length) return mean(map)
  const score =
    STRUCTURE_ALPHA * structureObject(map, mask) + (1 - STRUCTURE_ALPHA) * structureRegion(map, mask, width, height)
  return Math.max(score, 0)
}
