import * as tf from '@tensorflow/tfjs'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ParameterStore } from './parameters'

/**
 * Models are stored the tfjs way: model.json (the architecture config under `modelTopology`, and a
 * `weightsManifest`) beside one binary shard, plus card.json describing data, config and metrics.
 */
export interface SavedModelJson<C> {
  format: 'pulmo-network'
  generatedBy: string
  modelTopology: C
  weightsManifest: tf.io.WeightsManifestConfig
}

export async function saveParameters<C>(dir: string, config: C, params: ParameterStore, card?: object): Promise<void> {
  mkdirSync(dir, { recursive: true })
  const named = [...params.variables.entries()].map(([name, tensor]) => ({ name, tensor }))
  const { data, specs } = await tf.io.encodeWeights(named)
  const json: SavedModelJson<C> = {
    format: 'pulmo-network',
    generatedBy: `TensorFlow.js ${tf.version.tfjs}`,
    modelTopology: config,
    weightsManifest: [{ paths: ['weights.bin'], weights: specs }]
  }
  // write-then-rename: a reader never sees a half-written model
  const buf = Buffer.from(data instanceof ArrayBuffer ? data : await new Blob(data).arrayBuffer())
  writeFileSync(join(dir, 'weights.bin.tmp'), buf)
  writeFileSync(join(dir, 'model.json.tmp'), JSON.stringify(json, null, 1))
  renameSync(join(dir, 'weights.bin.tmp'), join(dir, 'weights.bin'))
  renameSync(join(dir, 'model.json.tmp'), join(dir, 'model.json'))
  if (card) writeFileSync(join(dir, 'card.json'), JSON.stringify(card, null, 2) + '\n')
}

export function readSavedModel<C>(dir: string): { config: C; tensors: Record<string, tf.Tensor> } {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as SavedModelJson<C>
  if (json.format !== 'pulmo-network') throw new Error(`${dir}/model.json is not a Pulmo network`)
  const buffers = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p))))
  const all = Buffer.concat(buffers)
  const specs = json.weightsManifest.flatMap((g) => g.weights)
  const tensors = tf.io.decodeWeights(all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength), specs)
  return { config: json.modelTopology, tensors }
}
