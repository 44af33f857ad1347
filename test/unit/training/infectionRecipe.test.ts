import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { curveReplay, InfectionRecipe, isInfectionRecipeFile, mergeTable, readInfectionRecipe, type StageResult } from '../../../src/main/training/infectionRecipe'
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

  it('holds every row the issue asks about, the architecture row in the pool\'s time, and a 256 px multi-class network', () => {
    const rows = new Map(recipe.ablations?.rows.map((r) => [r.name, r]))
    expect([...rows.keys()]).toEqual(['no-pseudo', 'input-128', 'no-zenodo', 'no-negatives', 'coach', 'cutout-0.4', 'augment-no-cutout', 'cutout-0.2', 'cutout-0.5', 'res2net50'])
    expect(rows.get('res2net50')).toMatchObject({ backbone: 'res2net50', sample: 300 })
    expect(rows.get('input-128')?.inputSize).toBe(128)
    expect(recipe.multiclass.inputSize).toBe(256)
  })

  it("names a replay of other sources apart, and the curve's folds take the curve's own replay where it gives one", () => {
    const plain = JSON.parse(JSON.stringify(recipe)) as Record<string, unknown> & { replay: Record<string, unknown>; curve: Record<string, unknown> }
    expect(recipe.replay?.name).toBe('replay')
    expect(curveReplay(recipe)).toEqual(recipe.replay)
    const clean = InfectionRecipe.parse({
      ...plain,
      replay: { ...plain.replay, name: 'replay-no-p002', sources: ['zenodo-train', 'pseudo'] },
      curve: { ...plain.curve, replay: { name: 'replay', sources: ['zenodo-train', 'pseudo', 'negatives-p002'] } }
    })
    expect(clean.replay?.name).toBe('replay-no-p002')
    expect(curveReplay(clean)).toMatchObject({ name: 'replay', sources: ['zenodo-train', 'pseudo', 'negatives-p002'], slices: 100, epochs: 3 })
    for (const bad of ['replays', 'replay-', 'fine-tune', 'replay-../x'])
      expect(() => InfectionRecipe.parse({ ...plain, replay: { ...plain.replay, name: bad } }), bad).toThrow()
  })

  it('is told apart from an experiment file, so pulmo experiment runs its rows', () => {
    expect(isInfectionRecipeFile(join(projectRoot, 'experiments/infection.json'))).toBe(true)
    expect(isInfectionRecipeFile(join(projectRoot, 'experiments/paper.json'))).toBe(false)
    expect(isInfectionRecipeFile(join(projectRoot, 'experiments/none.json'))).toBe(false)
  })
})

describe('mergeTable (table.json after a run with --only)', () => {
  const stage = (name: string, seconds: number): StageResult => ({ name, seconds, trainingSlices: 10 })
  it("takes this run's stages in its order and keeps the table's other stages after the stage they followed", () => {
    const previous = [stage('pool', 1), stage('curve-e16', 2), stage('replay-fold-0-from-curve-e16', 3)]
    const merged = mergeTable(previous, [stage('pool', 1), stage('curve-e16', 20), stage('curve-e20', 4)])
    expect(merged.map((r) => [r.name, r.seconds])).toEqual([
      ['pool', 1],
      ['curve-e16', 20],
      ['replay-fold-0-from-curve-e16', 3],
      ['curve-e20', 4]
    ])
    expect(mergeTable([], [stage('pool', 1)])).toEqual([stage('pool', 1)])
    // a run that reached every stage sets the order (the recipe's), whatever the table's was
    const abc = [stage('a', 1), stage('b', 2), stage('c', 3)]
    expect(mergeTable([stage('a', 1), stage('c', 3), stage('b', 2)], abc).map((r) => r.name)).toEqual(['a', 'b', 'c'])
    expect(mergeTable([stage('x', 9), ...abc], [stage('b', 2)]).map((r) => r.name)).toEqual(['x', 'a', 'b', 'c'])
  })
})
