import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { initEngine } from '../../../../src/main/ml/engine'
import { createNetwork, defaultInfNetConfig } from '../../../../src/main/ml/models/infnet'
import { trainOnDisc } from './training'

describe('Inf-Net on the wasm backend', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'wasm', threads: 1, log: () => undefined })
  })

  it('lite trains: the loss falls over 5 Adam steps on a disc (64×64, batch 2)', () => {
    expect(tf.getBackend()).toBe('wasm')
    const net = createNetwork(defaultInfNetConfig({ inputSize: 64 }))
    try {
      const losses = trainOnDisc(net, 64, 2, 5, 1e-4) // Inf-Net's learning rate
      console.info('lite Inf-Net losses (wasm, 64×64):', losses.map((l) => l.toFixed(4)).join(' → '))
      for (const l of losses) expect(Number.isFinite(l)).toBe(true)
      // one image, batch statistics and Adam's sign-like first steps make single steps noisy
      expect(Math.min(...losses.slice(-2))).toBeLessThan(0.9 * losses[0])
    } finally {
      net.dispose()
    }
  })
})
