/**
 * Per-kernel profile of the engine's heavy workloads: one training step of the U-Net (batch 4, 256²),
 * one Inf-Net lite step (batch 4, 352²) and one single-slice inference of each, measured with
 * tf.profile after a warm-up step. Prints one JSON line per workload with the kernels sorted by
 * total time:
 *   {"workload","backend","native","totalMs","kernels":[{"name","calls","ms","share"}...]}
 *
 *   npx jiti scripts/profile-engine.ts [--only unet,lite,lite-infer,unet-infer] [--backend wasm] [--size N]
 */
import { parseArgs } from 'node:util'
import * as tf from '@tensorflow/tfjs'
import { engineInfo, initEngine, type BackendChoice } from '../src/main/ml/engine'
import { profileWorkloads, WORKLOAD_NAMES } from '../src/main/ml/bench/kernelProfile'

const { values } = parseArgs({
  options: { only: { type: 'string' }, backend: { type: 'string' }, size: { type: 'string' } }
})

async function main(): Promise<void> {
  await initEngine({ backend: values.backend as BackendChoice | undefined, log: (line) => console.error(line) })
  const names = values.only === undefined ? [...WORKLOAD_NAMES] : values.only.split(',')
  for (const profile of await profileWorkloads(names, values.size === undefined ? undefined : Number(values.size))) {
    console.log(JSON.stringify({ ...profile, backend: tf.getBackend(), native: engineInfo()?.backend === "native" ? "oneDNN" : "none" }))
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error))
  process.exitCode = 1
})
