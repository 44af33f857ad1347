import { afterAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot, semisegTrain, sharedData, tempDir } from '../helpers/paths'

const bin = join(projectRoot, 'bin/pulmo.js')
const dir = tempDir('pulmo-experiment-')
const pulmo = (...args: string[]) => spawnSync(process.execPath, [bin, ...args, '--backend', 'wasm'], { encoding: 'utf8', timeout: 900_000 })

/**
 * `pulmo experiment` end to end on tiny data: two folds of six slices at 64 px, one epoch, every
 * kind of configuration (supervised, augmentation, coach pretraining, Semi-Inf-Net, multi-class).
 */
describe('pulmo experiment (the built CLI)', () => {
  afterAll(() => dir.remove())
  const data = join(dir.path, 'data')
  const unlabeled = join(dir.path, 'unlabeled')
  const config = join(dir.path, 'experiment.json')

  it('runs k-fold cross-validation of each configuration and writes the table; a second run reuses the folds', () => {
    for (const sub of ['images', 'masks', 'edges', 'masks-multiclass']) mkdirSync(join(data, sub), { recursive: true })
    for (const n of ['0', '1', '2', '3', '4', '5']) {
      copyFileSync(join(semisegTrain, 'images', n + '.jpg'), join(data, 'images', n + '.jpg'))
      for (const sub of ['masks', 'edges', 'masks-multiclass']) copyFileSync(join(semisegTrain, sub, n + '.png'), join(data, sub, n + '.png'))
    }
    mkdirSync(unlabeled)
    const source = join(sharedData, 'covid-semiseg/unlabeled/images')
    for (const f of readdirSync(source).sort().slice(0, 4)) copyFileSync(join(source, f), join(unlabeled, f))
    const pretrain = { rounds: 1, round0Steps: 2, coachSteps: 1, inpainterSteps: 2, batchSize: 2 }
    writeFileSync(
      config,
      JSON.stringify({
        data: 'data',
        unlabeled: 'unlabeled',
        out: 'runs',
        folds: 2,
        base: { inputSize: 64, epochs: 1, batchSize: 3, scales: [1], learningRate: 0.001 },
        configurations: [
          { name: 'supervised' },
          { name: 'augmentation, cutout 0.4', augment: { cutout: 0.4 } },
          { name: 'self-supervised (coach)', pretrain },
          { name: 'Semi-Inf-Net', semi: { teacherFrom: 'supervised', unlabeledLimit: 4, groupSize: 2, pseudoEpochs: 1, labelledEpochs: 1 } },
          { name: 'multi-class, prior: Semi-Inf-Net', kind: 'multiclass', prior: 'Semi-Inf-Net' }
        ]
      })
    )
    const first = pulmo('experiment', '--config', config)
    expect(first.status, first.stderr).toBe(0)
    const table = JSON.parse(readFileSync(join(dir.path, 'runs', 'table.json'), 'utf8'))
    expect(table.rows.map((r: { name: string }) => r.name)).toEqual([
      'supervised',
      'augmentation, cutout 0.4',
      'self-supervised (coach)',
      'Semi-Inf-Net',
      'multi-class, prior: Semi-Inf-Net'
    ])
    for (const row of table.rows) {
      expect(row.folds).toBe(2)
      const dice = row.kind === 'infnet' ? row.metrics.dice : row.metrics.meanDice
      expect(dice.mean).toBeGreaterThanOrEqual(0)
      expect(dice.mean).toBeLessThanOrEqual(1)
      expect(row.metrics.loss.mean).toBeGreaterThan(0)
    }
    // each fold's model was validated on its three held-out slices
    const fold = JSON.parse(readFileSync(join(dir.path, 'runs', 'supervised', 'fold-0', 'result.json'), 'utf8'))
    expect(fold).toMatchObject({ fold: 0, kind: 'infnet', images: 3 })
    // pretraining ran once, shared by both folds, with its round pictures
    const pretrained = readdirSync(join(dir.path, 'runs', 'pretrained'))
    expect(pretrained).toHaveLength(1)
    expect(existsSync(join(dir.path, 'runs', 'pretrained', pretrained[0], 'rounds', 'round-1.png'))).toBe(true)
    // Semi-Inf-Net pseudo-labelled the four unlabelled slices in two groups
    expect(readdirSync(join(dir.path, 'runs', 'semi-inf-net', 'fold-0', 'semi', 'pseudo'))).toEqual(['group-0000', 'group-0001'])
    const md = readFileSync(join(dir.path, 'runs', 'table.md'), 'utf8')
    expect(md).toMatch(/\| supervised \| [\d.]+ ± [\d.]+ \| 0\.\d{3} ± 0\.\d{3} \|/)
    expect(md).toMatch(/\| multi-class configuration \| val\. loss \| Dice ground-glass \| Dice consolidation \|/)

    // the shipped-model recipe: a configuration trained on all six slices, its card carrying the CV row
    const final = join(dir.path, 'final')
    const shipped = pulmo('experiment', '--config', config, '--final', 'self-supervised (coach)', '--model-out', final)
    expect(shipped.status, shipped.stderr).toBe(0)
    const card = JSON.parse(readFileSync(join(final, 'card.json'), 'utf8'))
    const coachRow = table.rows.find((r: { name: string }) => r.name === 'self-supervised (coach)')
    expect(card.training).toMatchObject({ configuration: 'self-supervised (coach)', trainingSlices: 6 })
    expect(card.metrics.cv2DiceMean).toBe(coachRow.metrics.dice.mean)
    const multiFinal = join(dir.path, 'final-multiclass')
    const multi = pulmo('experiment', '--config', config, '--final', 'multi-class, prior: Semi-Inf-Net', '--model-out', multiFinal, '--prior', final)
    expect(multi.status, multi.stderr).toBe(0)
    expect(JSON.parse(readFileSync(join(multiFinal, 'card.json'), 'utf8')).training).toMatchObject({ prior: final, trainingSlices: 6 })

    const second = pulmo('experiment', '--config', config)
    expect(second.status, second.stderr).toBe(0)
    expect(second.stderr).not.toMatch(/fold \d\/2$/m)
    expect(JSON.parse(readFileSync(join(dir.path, 'runs', 'table.json'), 'utf8'))).toEqual(table)
  }, 900_000)

  it('refuses a configuration file with a clear message', () => {
    const bad = join(dir.path, 'bad.json')
    writeFileSync(bad, JSON.stringify({ data: 'data', out: 'runs', configurations: [{ name: 'm', kind: 'multiclass', prior: 'nothing' }] }))
    const r = pulmo('experiment', '--config', bad)
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/'m' needs "prior": the name of a single-class configuration/)
  })
})
