/**
 * The CT pattern of a study: its features measured from the segmentation (patternFeatures.ts) and
 * the categories the rules of src/shared/ctPattern.ts give them.
 */
import { ctPattern, type CtPattern } from '../../shared/ctPattern'
import { measurePatternFeatures, type PatternInput } from './patternFeatures'

export type { PatternInput } from './patternFeatures'

export function ctPatternOf(input: PatternInput): CtPattern {
  return ctPattern(measurePatternFeatures(input))
}
