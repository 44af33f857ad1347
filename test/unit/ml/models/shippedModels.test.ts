import * as tf from '@tensorflow/tfjs'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { initEngine } from '../../../../src/main/ml/engine'
import { loadNetwork, type AnyNetwork } from '../../../../src/main/ml/models/infnet'
import { projectRoot } from '../../../helpers/paths'
import { syntheticDisc } from './cpuBackend'

/**
 * The models shipped in resources/models must keep loading and computing what they computed when
 * they were trained: refactoring the layers must keep every parameter name and every operation.
 * The expected figures (shippedModelOutputs.json) were recorded on the wasm backend with the layer
 * code the models were trained with, batch norm as a kernel of its own; inference now folds it into
 * the convolution, which changes the float32 rounding only (measured: ≤ 5e-6 on logits of magnitude
 * 0.2–7), so the outputs are compared to 1e-4 rather than bit for bit. A renamed parameter, a dropped
 * layer or a different operation moves them by orders of magnitude more.
 */
interface Recorded {
  n: number
  mean: number
  meanAbs: number
  samples: Array<[number, number]>
}
const recorded = JSON.parse(
  readFileSync(join(projectRoot, 'test/unit/ml/models/shippedModelOutputs.json'), 'utf8')
) as Record<string, Recorded>

function run(dir: string, input: (size: number) => tf.Tensor4D): Float32Array {
  const net: AnyNetwork = loadNetwork(join(projectRoot, 'resources/models', dir))
  try {
    return tf.tidy(() => {
      const x = input(net.config.inputSize)
      const out = net.forward(x, false)
      return (out instanceof tf.Tensor ? out : out.global).dataSync() as Float32Array
    })
  } finally {
    net.dispose()
  }
}

function expectRecorded(values: Float32Array, r: Recorded): void {
  expect(values.length).toBe(r.n)
  let sum = 0
  let abs = 0
  for (const v of values) {
    sum += v
    abs += Math.abs(v)
  }
  expect(Math.abs(sum / values.length - r.mean)).toBeLessThan(1e-5)
  expect(Math.abs(abs / values.length - r.meanAbs)).toBeLessThan(1e-5)
  for (const [i, v] of r.samples) expect(Math.abs(values[i] - v), `output ${i}`).toBeLessThan(1e-4)
}

describe('the shipped models give their recorded outputs', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'wasm', log: () => undefined })
  })

  it('infnet-lite: the global map of a synthetic disc', () => {
    expectRecorded(
      run('infnet-lite', (size) => tf.tile(syntheticDisc(size).image, [1, 1, 1, 3])),
      recorded['infnet-lite']
    )
  })

  it('infnet-multiclass: the class logits of a synthetic disc and its prior', () => {
    const values = run('infnet-multiclass', (size) => {
      const { image, mask } = syntheticDisc(size)
      return tf.concat([image, mask], 3)
    })
    expectRecorded(values, recorded['infnet-multiclass'])
  })
})
