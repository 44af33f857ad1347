import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { join } from 'node:path'
import { createNetwork, saveNetwork } from '../../src/main/ml/models/infnet'

/**
 * A small, untrained (seeded) Inf-Net saved as a model folder: enough to drive the analysis
 * pipeline end to end; its segmentations are not meaningful.
 */
export async function saveTinyModel(dir: string, inputSize = 64): Promise<string> {
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu')
  const network = createNetwork({ architecture: 'infnet', backbone: 'lite', inputSize, channels: 3, seed: 7 })
  const out = join(dir, 'tiny-model')
  await saveNetwork(out, network, { name: 'infnet-tiny', version: 'test', training: { data: 'none (random weights)', epochs: 0 } })
  network.dispose()
  return out
}
