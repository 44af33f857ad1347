import * as tf from '@tensorflow/tfjs'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { applyPendingUpdates, type ForwardContext } from '../../../../src/main/ml/nn/layers'
import {
  createNetwork,
  defaultInfNetConfig,
  defaultMultiClassConfig,
  loadNetwork,
  readModelCard,
  saveNetwork,
  type AnyNetwork
} from '../../../../src/main/ml/models/infnet'
import { tempDir } from '../../../helpers/paths'
import { useCpuBackend } from './cpuBackend'

/** All outputs of a network, flattened, in inference mode. */
function outputs(net: AnyNetwork, x: tf.Tensor4D): Float32Array[] {
  return tf.tidy(() => {
    const out = net.forward(x, false)
    const maps = out instanceof tf.Tensor ? [out] : [out.global, out.s5, out.s4, out.s3, out.edge]
    return maps.map((t) => t.dataSync() as Float32Array)
  })
}

/** One training-mode pass, so the moving batch-norm statistics differ from their initial values. */
function updateMovingStatistics(net: AnyNetwork, x: tf.Tensor4D): void {
  const ctx: ForwardContext = { params: net.params, training: true, pendingUpdates: [] }
  tf.tidy(() => {
    net.forward(x, true, ctx)
  })
  applyPendingUpdates(ctx)
}

describe('network save / load', () => {
  let dir: ReturnType<typeof tempDir>
  beforeAll(useCpuBackend)
  beforeEach(() => {
    dir = tempDir()
  })
  afterEach(() => dir.remove())

  it('Inf-Net (lite): load gives identical outputs, and card.json describes the model', async () => {
    const x = tf.randomUniform([1, 64, 64, 3], 0, 1, 'float32', 11) as tf.Tensor4D
    const net = createNetwork(defaultInfNetConfig({ seed: 5 }))
    updateMovingStatistics(net, x)
    const before = outputs(net, x)
    const card = await saveNetwork(dir.path, net, {
      name: 'infnet-lite',
      version: '1',
      training: { data: 'covid-semiseg/train', epochs: 0, folds: 5, fold: 0 },
      metrics: { dice: 0.5 }
    })
    const parameters = net.params.count()
    // tfjs registers variables by name: the saved network must go before one with its names loads
    net.dispose()

    const loaded = loadNetwork(dir.path)
    try {
      expect(loaded.config).toEqual(defaultInfNetConfig({ seed: 5 }))
      const after = outputs(loaded, x)
      after.forEach((a, i) => expect(a).toEqual(before[i]))
      expect(loaded.params.count()).toBe(parameters)
    } finally {
      loaded.dispose()
    }

    expect(existsSync(join(dir.path, 'weights.bin'))).toBe(true)
    const json = JSON.parse(readFileSync(join(dir.path, 'model.json'), 'utf8')) as { modelTopology: unknown }
    expect(json.modelTopology).toEqual(defaultInfNetConfig({ seed: 5 }))
    expect(readModelCard(dir.path)).toEqual(card)
    expect(card).toMatchObject({
      name: 'infnet-lite',
      architecture: 'infnet',
      backbone: 'lite',
      inputSize: 352,
      parameters: 2_068_875,
      training: { data: 'covid-semiseg/train', epochs: 0 },
      metrics: { dice: 0.5 }
    })
    expect(card.flops / 1e9).toBeCloseTo(3.296, 3)
  })

  it('multi-class U-Net: load gives identical outputs', async () => {
    const x = tf.randomUniform([1, 32, 32, 2], 0, 1, 'float32', 12) as tf.Tensor4D
    const net = createNetwork(defaultMultiClassConfig({ baseFilters: 8 }))
    updateMovingStatistics(net, x)
    const before = outputs(net, x)
    await saveNetwork(dir.path, net, { name: 'infnet-multiclass', version: '1', training: { data: 'synthetic', epochs: 0 } })
    net.dispose()
    const loaded = loadNetwork(dir.path)
    try {
      expect(loaded.config.architecture).toBe('infnet-multiclass')
      expect(outputs(loaded, x)[0]).toEqual(before[0])
    } finally {
      loaded.dispose()
    }
    expect(readModelCard(dir.path)?.backbone).toBeUndefined()
  })

  it('refuses a model.json whose configuration is not a known architecture', async () => {
    const net = createNetwork(defaultMultiClassConfig({ baseFilters: 4 }))
    await saveNetwork(dir.path, net, { name: 'm', version: '1', training: { data: 'none', epochs: 0 } })
    net.dispose()
    const path = join(dir.path, 'model.json')
    const json = JSON.parse(readFileSync(path, 'utf8')) as { modelTopology: { architecture: string } }
    json.modelTopology.architecture = 'pranet'
    writeFileSync(path, JSON.stringify(json))
    expect(() => loadNetwork(dir.path)).toThrow()
  })
})
