import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { activationWarning, hasValidation, metricLabels } from '../../../src/renderer/src/format/modelMetrics'
import { projectRoot } from '../../helpers/paths'

const card = (name: string): { metrics: Record<string, number>; training: { trainingSlices: number } } =>
  JSON.parse(readFileSync(join(projectRoot, 'resources/models', name, 'card.json'), 'utf8'))

describe('model card figures in words', () => {
  it('the bundled model: its held-out and cross-validation figures, Dice first, no raw keys', () => {
    const texts = metricLabels(card('infnet-lite').metrics).map((m) => m.text)
    expect(texts[0]).toBe('held-out Dice 0.56')
    expect(texts).toContain('held-out max Dice 0.62')
    expect(texts).toContain('held-out specificity 0.97')
    expect(texts).toContain('5-fold CV Dice 0.57 ± 0.03')
    expect(texts).toContain('5-fold CV sensitivity 0.67 ± 0.06')
    expect(texts).toContain('5-fold CV max Dice 0.64 ± 0.03')
    expect(texts).toContain('5-fold CV specificity 0.92 ± 0.01')
    expect(texts.at(-1)).toBe('held-out MAE 0.01')
    expect(texts).toHaveLength(11)
    expect(texts.join(' ')).not.toMatch(/heldOut|cv5|Mean|Std/)
    expect(hasValidation(card('infnet-lite').metrics)).toBe(true)
  })

  it('the multi-class model and a retrained model', () => {
    const texts = metricLabels(card('infnet-multiclass').metrics).map((m) => m.text)
    expect(texts).toContain('5-fold CV Dice ground-glass 0.47 ± 0.11')
    expect(texts).toContain('5-fold CV Dice consolidation 0.32 ± 0.14')
    expect(
      metricLabels({ validationDice: 0.4123, validationMaxDice: 0.5, validationLoss: 3.25 }).map((m) => m.text)
    ).toEqual(['validation Dice 0.41', 'validation max Dice 0.50', 'validation loss 3.25'])
    expect(metricLabels({ someNewFigure: 12.5 }).map((m) => m.text)).toEqual(['some new figure 12.5'])
  })

  it('warns before activating a model trained on few slices or without validation', () => {
    expect(activationWarning({ trainingSlices: 50, metrics: card('infnet-lite').metrics })).toBeNull()
    expect(activationWarning({ trainingSlices: 2, metrics: {} })).toBe(
      'it was trained on 2 slices, fewer than the 20 this workstation asks for, and it has no validation figures (no held-out slices were scored).'
    )
    expect(activationWarning({ trainingSlices: 42, metrics: { validationDice: 0.4 } })).toBeNull()
    expect(hasValidation({ validationLoss: 3 })).toBe(false)
  })
})
