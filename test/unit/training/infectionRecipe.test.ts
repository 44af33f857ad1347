import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { InfectionRecipe, readInfectionRecipe } from '../../../src/main/training/infectionRecipe'
import { projectRoot } from '../../helpers/paths'

describe('the infection recipe file', () => {
  const recipe = readInfectionRecipe(join(projectRoot, 'experiments/infection.json'))

  it('ships from the coach-pretrained pool, with the replay cross-validated', () => {
    expect(recipe.prior).toBe('ablation-coach')
    expect(recipe.ablations?.rows.find((r) => `ablation-${r.name}` === recipe.prior)?.coach).toBe(true)
    expect(recipe.replay?.folds).toBe(true)
    expect(recipe.base.inputSize).toBe(256)
    expect(recipe.shared).toBe(join(projectRoot, '../shared/data'))
    expect(recipe.out).toBe(join(projectRoot, 'runs/infection'))
  })

  it('takes the pool or an ablation row as prior, nothing else', () => {
    const { prior: _prior, ...rest } = JSON.parse(JSON.stringify(recipe)) as Record<string, unknown>
    expect(InfectionRecipe.parse(rest).prior).toBe('pool')
    expect(InfectionRecipe.parse({ ...rest, prior: 'ablation-cutout-0.2' }).prior).toBe('ablation-cutout-0.2')
    for (const bad of ['replay-all', '../pool', 'ablation-'])
      expect(() => InfectionRecipe.parse({ ...rest, prior: bad }), bad).toThrow()
  })
})
