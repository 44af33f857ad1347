import { afterAll, describe, expect, it } from 'vitest'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ComputeProcess } from '../../src/main/compute/computeProcess'
import { initEngine } from '../../src/main/ml/engine'
import { loadNetwork, type InfNetNetwork } from '../../src/main/ml/models/infnet'
import { runSplit } from '../../src/main/training/folds'
import { readLabelledSlices } from '../../src/main/training/labelledSlices'
import { validate } from '../../src/main/training/supervised'
import type { ComputeEvent } from '../../src/main/compute/computeProtocol'
import { projectRoot, tempDir } from '../helpers/paths'
import { tinyTrainingSet } from '../helpers/tinyData'

const data = tinyTrainingSet(4)
const out = tempDir()
const tiny = { data: data.path, backbone: 'lite' as const, inputSize: 64, epochs: 2, batchSize: 2, scales: [1], checkpointEvery: 1 }

describe('training in the compute process', () => {
  afterAll(() => {
    data.remove()
    out.remove()
  })

  it('streams progress, cancels with a checkpoint, survives a kill -9 and resumes', async () => {
    const compute = new ComputeProcess({ backend: 'wasm' })
    expect(await compute.start()).toBe('wasm')
    const events: ComputeEvent[] = []
    const dir = join(out.path, 'compute')
    const job = compute.run({ kind: 'train', config: { ...tiny, out: dir }, resume: false }, (e) => {
      events.push(e)
      if (e.kind === 'step' && e.globalStep === 1) job.cancel()
    })
    const stopped = await job.done
    expect(stopped.status).toBe('stopped')
    expect(stopped.globalStep).toBeGreaterThanOrEqual(1)
    const step = events.find((e) => e.kind === 'step')!
    expect(step).toMatchObject({ kind: 'step', epoch: 1, totalSteps: 4, backend: 'wasm' })
    expect(Object.keys((step as { losses: object }).losses).sort()).toEqual(['edge', 'global', 's3', 's4', 's5', 'total'])

    // kill -9 the compute process mid-run: the job fails clearly, the application does not
    const killed = compute.run({ kind: 'train', config: { ...tiny, out: dir }, resume: true }, (e) => {
      if (e.kind === 'checkpoint') process.kill(compute.pid!, 'SIGKILL')
    })
    await expect(killed.done).rejects.toThrow(/compute process stopped.*SIGKILL/)
    const state = JSON.parse(readFileSync(join(dir, 'checkpoint', 'state.json'), 'utf8'))
    expect(state.globalStep).toBeGreaterThanOrEqual(2)

    const resumed = compute.run({ kind: 'train', config: { ...tiny, out: dir }, resume: true }, () => {})
    const finished = await resumed.done
    expect(finished).toMatchObject({ status: 'finished', globalStep: 4 })
    expect(existsSync(join(dir, 'model.json'))).toBe(true)
    await compute.stop()
  })

  it('pulmo train survives kill -9 and --resume finishes the run', async () => {
    const dir = join(out.path, 'cli')
    const args = [join(projectRoot, 'bin/pulmo.js'), 'train', '--data', data.path, '--out', dir, '--input-size', '64', '--epochs', '2',
      '--batch-size', '2', '--scales', '1', '--checkpoint-every', '1', '--folds', '2', '--fold', '0', '--backend', 'wasm']
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    await new Promise<void>((resolve, reject) => {
      let text = ''
      child.stderr.on('data', (d) => {
        text += d
        if (/checkpoint at step 1/.test(text)) {
          child.kill('SIGKILL')
          resolve()
        }
      })
      child.on('exit', () => reject(new Error(`pulmo train ended before its first checkpoint:\n${text}`)))
    })
    const resumed = spawnSync(process.execPath, [...args, '--resume'], { encoding: 'utf8', timeout: 300_000 })
    expect(resumed.status, resumed.stderr).toBe(0)
    expect(resumed.stderr).toMatch(/Resuming at epoch 1, step 1 of 2/)
    const validation = JSON.parse(resumed.stdout.split('\n').find((l) => l.startsWith('{'))!).validation
    expect(validation).toMatchObject({ kind: 'validation', images: 2 })
    const card = JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8'))
    expect(card).toMatchObject({ architecture: 'infnet', backbone: 'lite', inputSize: 64 })
    expect(card.metrics.validationDice).toBeCloseTo(validation.dice, 10)
    // The figure is that of the saved network on the held-out fold: evaluated again here, from the
    // saved weights, on the slices fold 0 of 2 holds out, it is the same (a run that validated the
    // wrong slices, another network or a stale checkpoint would differ).
    await initEngine({ backend: 'wasm', log: () => undefined })
    const slices = await readLabelledSlices(data.path)
    const { validation: heldOut } = runSplit(slices.length, { folds: 2, fold: 0, seed: card.training.seed ?? 2020 })
    expect(heldOut).toHaveLength(2)
    const network = loadNetwork(dir) as InfNetNetwork
    const again = await validate(network, heldOut.map((i) => slices[i]), 2)
    network.dispose()
    expect(again.dice).toBeCloseTo(validation.dice, 5)
    expect(again.loss).toBeCloseTo(validation.loss, 5)
    // and the training slices give other figures: the comparison can tell the folds apart
    const trained = loadNetwork(dir) as InfNetNetwork
    const others = await validate(trained, slices.filter((_, i) => !heldOut.includes(i)), 2)
    trained.dispose()
    expect(Math.abs(others.loss - validation.loss)).toBeGreaterThan(1e-6)
  })
})
