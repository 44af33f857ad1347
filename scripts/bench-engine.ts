/**
 * Engine benchmark: for the active backend, ms per training step, ms per inference slice and peak
 * memory, one JSON line per configuration:
 *   {"model","backend","batch","size","trainStepMs","inferMs","peakRssMb", ...}
 *
 *   npx jiti scripts/bench-engine.ts [--only unet] [--backend wasm|cpu|tensorflow]
 *                                    [--threads N] [--steps N] [--infer-runs N] [--batch N] [--size N]
 *                                    [--micro-batch N]  (accumulate the batch over passes of N)
 *   (or node --import jiti/register scripts/bench-engine.ts …)
 *
 * Each model runs in its own child process when several are selected, because the wasm heap never
 * shrinks: a shared process would report the largest model's peak memory for all of them.
 */
import { spawnSync } from 'node:child_process'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { initEngine, engineInfo, type BackendChoice } from '../src/main/ml/engine'
import { benchmarkInfNet } from '../src/main/ml/bench/infNetBenchmark'
import type { WorkloadOptions, WorkloadTiming } from '../src/main/ml/bench/measureWorkload'
import { benchmarkUNet } from '../src/main/ml/bench/unetBenchmark'

interface ModelBenchmark {
  /** Batch and size of the training step, per the benchmark definition. */
  batch: number
  size: number
  /**
   * Samples per forward-backward pass when the batch is accumulated over several passes. Res2Net-50
   * at batch 4 × 352² needs more activation memory than the wasm32 heap (4 GB) holds: measured here,
   * the process reached 4.3 GB and the step had not finished after 19 minutes, while batch 1 takes
   * 10.5 s. So its batch of 4 is four accumulated passes of 1 on wasm.
   */
  microBatch?: number
  run(options: WorkloadOptions & { microBatch?: number }): Promise<WorkloadTiming>
}

/** The configurations: Inf-Net at 352×352 with both backbones, the multi-class U-Net at 256×256. */
const MODELS: Record<string, ModelBenchmark> = {
  unet: { batch: 4, size: 256, run: benchmarkUNet },
  lite: { batch: 4, size: 352, run: (o) => benchmarkInfNet('lite', o) },
  res2net50: { batch: 4, size: 352, microBatch: 1, run: (o) => benchmarkInfNet('res2net50', o) }
}

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    backend: { type: 'string' },
    threads: { type: 'string' },
    steps: { type: 'string', default: '3' },
    'infer-runs': { type: 'string', default: '5' },
    batch: { type: 'string' },
    size: { type: 'string' },
    'micro-batch': { type: 'string' }
  }
})

async function main(): Promise<void> {
  const selected = values.only === undefined ? Object.keys(MODELS) : values.only.split(',')
  for (const name of selected) {
    if (!(name in MODELS)) throw new Error(`--only: unknown model '${name}' (known: ${Object.keys(MODELS).join(', ')})`)
  }
  if (selected.length > 1) {
    for (const name of selected) runInChild(name)
    return
  }
  const name = selected[0]
  const model = MODELS[name]
  await initEngine({
    backend: values.backend as BackendChoice | undefined,
    threads: values.threads === undefined ? undefined : Number(values.threads),
    log: (line) => console.error(line)
  })
  const batch = values.batch === undefined ? model.batch : Number(values.batch)
  const size = values.size === undefined ? model.size : Number(values.size)
  const accumulate = values['micro-batch'] !== undefined ? Number(values['micro-batch']) : info0Backend() === 'wasm' ? model.microBatch : undefined
  const microBatch = accumulate === undefined ? batch : Math.min(accumulate, batch)
  const timing = await model.run({ batch, size, microBatch, steps: Number(values.steps), inferRuns: Number(values['infer-runs']) })
  const info = engineInfo()
  console.log(
    JSON.stringify({
      model: name,
      backend: info?.backend,
      batch,
      ...(microBatch !== batch ? { microBatch } : {}),
      size,
      trainStepMs: Math.round(timing.trainStepMs),
      inferMs: Math.round(timing.inferMs),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      threads: info?.threads,
      params: timing.params,
      trainStepsMs: timing.trainStepsMs.map(Math.round),
      trainStepCpuMs: Math.round(timing.trainStepCpuMs),
      loadAverage: Number(os.loadavg()[0].toFixed(2))
    })
  )
}

function info0Backend(): string | undefined {
  return engineInfo()?.backend
}

/**
 * Re-runs this script for one model, with the same Node flags. A TypeScript entry started by the
 * jiti CLI is re-run through jiti's loader hook (`node --import jiti/register`), since the child
 * is started with plain node.
 */
function runInChild(name: string): void {
  const script = fileURLToPath(import.meta.url)
  const args = process.argv
    .slice(2)
    .filter((a, i, all) => a !== '--only' && all[i - 1] !== '--only' && !a.startsWith('--only='))
  const hasLoader = process.execArgv.some((a) => a.includes('jiti'))
  const loader = script.endsWith('.ts') && !hasLoader ? ['--import', 'jiti/register'] : []
  const result = spawnSync(process.execPath, [...process.execArgv, ...loader, script, ...args, '--only', name], {
    stdio: 'inherit'
  })
  if (result.status !== 0) process.exitCode = result.status ?? 1
}

main().then(
  // Exit explicitly: a loaded native backend (tfjs-node) may hold handles open.
  () => process.exit(),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  }
)
