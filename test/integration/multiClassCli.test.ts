import { afterAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { readImageNode } from '@itk-wasm/image-io'
import { readPngIndices } from '../../src/main/volume/png'
import { projectRoot, semisegTrain, tempDir } from '../helpers/paths'

const bin = join(projectRoot, 'bin/pulmo.js')
const dir = tempDir('pulmo-multiclass-cli-')
const pulmo = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args, '--backend', 'wasm'], { encoding: 'utf8', timeout: 300_000 })

const names = ['0', '1', '2']

describe('pulmo train-multiclass and segment --multiclass (the built CLI)', () => {
  afterAll(() => dir.remove())
  const data = join(dir.path, 'data')
  const model = join(dir.path, 'model')
  const images = join(dir.path, 'images')

  it('trains a tiny multi-class model with the bundled prior and writes its card', () => {
    for (const sub of ['images', 'masks', 'edges', 'masks-multiclass']) mkdirSync(join(data, sub), { recursive: true })
    mkdirSync(images)
    for (const n of names) {
      copyFileSync(join(semisegTrain, 'images', n + '.jpg'), join(data, 'images', n + '.jpg'))
      copyFileSync(join(semisegTrain, 'images', n + '.jpg'), join(images, n + '.jpg'))
      for (const sub of ['masks', 'edges', 'masks-multiclass']) copyFileSync(join(semisegTrain, sub, n + '.png'), join(data, sub, n + '.png'))
    }
    const prior = join(projectRoot, 'resources/models/infnet-lite')
    const r = pulmo('train-multiclass', '--data', data, '--out', model, '--prior', prior, '--epochs', '1', '--input-size', '32', '--batch-size', '3', '--base-filters', '4')
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/Trained 1 steps/)
    expect(r.stderr).toMatch(/epoch 1\/1 step 1\/1 size 32 loss [\d.]+ \(CE/)
    const card = JSON.parse(readFileSync(join(model, 'card.json'), 'utf8'))
    expect(card).toMatchObject({ name: 'infnet-multiclass', architecture: 'infnet-multiclass', inputSize: 32, training: { prior, trainingSlices: 3 } })
    expect(existsSync(join(model, 'checkpoint', 'state.json'))).toBe(true)
  })

  it('writes one label map per slice with the input name and size, values in {0, 1, 2}', async () => {
    const out = join(dir.path, 'labels')
    const r = pulmo('segment', images, '--out', out, '--multiclass', '--model', model)
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/Wrote 3 label map\(s\)/)
    for (const n of names) {
      const input = await readImageNode(join(images, n + '.jpg'))
      const labels = await readPngIndices(join(out, n + '.png'))
      expect([labels.width, labels.height]).toEqual(input.size)
      expect(labels.data.every((v) => v <= 2)).toBe(true)
    }
  })

  it('says clearly when the multi-class model is missing or is the wrong kind', () => {
    const missing = pulmo('segment', images, '--out', join(dir.path, 'x'), '--multiclass', '--model', join(dir.path, 'nowhere'))
    expect(missing.status).toBe(1)
    expect(missing.stderr).toMatch(/No multi-class model in .*nowhere.*train-multiclass/)
    const wrong = pulmo('segment', images, '--out', join(dir.path, 'x'), '--multiclass', '--model', join(projectRoot, 'resources/models/infnet-lite'))
    expect(wrong.status).toBe(1)
    expect(wrong.stderr).toMatch(/single-class Inf-Net/)
    const usage = pulmo('train-multiclass', '--data', data, '--out', model)
    expect(usage.status).toBe(2)
    expect(usage.stderr).toMatch(/--prior/)
  })
})
