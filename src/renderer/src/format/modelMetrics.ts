/**
 * A model card's figures as a reader says them: "5-fold CV Dice 0.42 ± 0.05", "validation max
 * Dice 0.51", not the card's keys (cv5DiceMean, validationMaxDice).
 */

/** Below this many training slices a model is a toy: activating it asks for confirmation. */
export const minimumTrainingSlices = 20

const measureNames: Record<string, string> = {
  Dice: 'Dice',
  MaxDice: 'max Dice',
  MeanDice: 'mean Dice',
  DiceGroundGlass: 'Dice ground-glass',
  DiceConsolidation: 'Dice consolidation',
  Sensitivity: 'sensitivity',
  SensitivityGroundGlass: 'sensitivity ground-glass',
  SensitivityConsolidation: 'sensitivity consolidation',
  Specificity: 'specificity',
  SMeasure: 'S-measure',
  EMeasure: 'E-measure',
  Mae: 'MAE',
  Loss: 'loss'
}

/** The order a reader looks for them: overlap first, the loss last. */
const measureOrder = Object.keys(measureNames)

export interface MetricLabel {
  /** The card key(s) it comes from, for a tooltip. */
  key: string
  text: string
}

function number(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (Math.abs(value) >= 1000) return value.toExponential(2)
  return Number.isInteger(value) ? String(value) : value.toFixed(Math.abs(value) < 10 ? 2 : 1)
}

/** "someMeasure" → "some measure", for keys this file does not know. */
function words(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase()
}

function measureName(measure: string): string {
  return measureNames[measure] ?? words(measure)
}

export function metricLabels(metrics: Record<string, number>): MetricLabel[] {
  const labels: { order: number; label: MetricLabel }[] = []
  const used = new Set<string>()
  for (const [key, value] of Object.entries(metrics)) {
    if (used.has(key)) continue
    // Cross-validation: cv{k}{Measure}Mean with its cv{k}{Measure}Std.
    const cv = /^cv(\d+)(.+)Mean$/.exec(key)
    if (cv) {
      const stdKey = `cv${cv[1]}${cv[2]}Std`
      const std = metrics[stdKey]
      used.add(key).add(stdKey)
      labels.push({
        order: measureOrder.indexOf(cv[2]),
        label: {
          key: std === undefined ? key : `${key}, ${stdKey}`,
          text: `${cv[1]}-fold CV ${measureName(cv[2])} ${number(value)}${std === undefined ? '' : ` ± ${number(std)}`}`
        }
      })
      continue
    }
    if (/^cv\d+.+Std$/.test(key) && metrics[key.replace(/Std$/, 'Mean')] !== undefined) continue
    // validation{Measure}: a held-out fold; heldOut{Measure}: whole volumes never trained on
    const validation = /^(validation|heldOut)(.+)$/.exec(key)
    used.add(key)
    labels.push({
      order: validation ? measureOrder.indexOf(validation[2]) : measureOrder.length,
      label: {
        key,
        text: validation
          ? `${validation[1] === 'heldOut' ? 'held-out' : 'validation'} ${measureName(validation[2])} ${number(value)}`
          : `${words(key)} ${number(value)}`
      }
    })
  }
  return labels
    .map((entry, index) => ({ ...entry, order: entry.order < 0 ? measureOrder.length : entry.order, index }))
    .sort((a, b) => a.order - b.order || a.index - b.index)
    .map((entry) => entry.label)
}

/** Whether the card holds any held-out figure (cross-validation or a validation fold). */
export function hasValidation(metrics: Record<string, number>): boolean {
  return Object.keys(metrics).some((key) => /^cv\d+.*Dice.*Mean$/.test(key) || /^(validation|heldOut).*Dice/.test(key))
}

/**
 * Why activating this model deserves a second thought, or null: too few training slices, or no
 * held-out figures to judge it by.
 */
export function activationWarning(model: {
  trainingSlices: number | null
  metrics: Record<string, number>
}): string | null {
  const reasons: string[] = []
  if (model.trainingSlices !== null && model.trainingSlices < minimumTrainingSlices) {
    reasons.push(
      `it was trained on ${model.trainingSlices} slice${model.trainingSlices === 1 ? '' : 's'}, fewer than the ${minimumTrainingSlices} this workstation asks for`
    )
  }
  if (!hasValidation(model.metrics)) reasons.push('it has no validation figures (no held-out slices were scored)')
  return reasons.length ? `${reasons.join(', and ')}.` : null
}
