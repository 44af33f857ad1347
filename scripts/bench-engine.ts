/**
 * Engine benchmark: for the active backend, ms per training step, ms per inference slice and peak
 * memory, one JSON line per configuration, the engine named:
 *   {"model","backend","batch","size","trainStepMs","inferMs","peakRssMb", ...}
 * With the U-Net selected, the same network in PyTorch (scripts/reference/unet_step_torch.py, Debian's
 * python3-torch, NCHW and channels_last) runs in the same run, followed by a line with the ratio of
 * Pulmo's step to PyTorch's faster one. `--leak-steps N` (default 1000 in the full run) trains a small
 * U-Net (64², batch 4: the same kernels, primitives and reorders) N steps and prints the RSS along
 * the way: native memory that leaked per step would show as RSS rising after the warm-up.
 *
 *   npm run bench:engine [-- --only unet,lite-256,...] [--backend native|wasm|cpu|tensorflow]
 *                        [--threads N] [--steps N] [--infer-runs N] [--batch N] [--size N]
 *                        [--micro-batch N]  (accumulate the batch over passes of N)
 *                        [--leak-steps N] [--no-pytorch]
 *   (or node --import jiti/register scripts/bench-engine.ts …)
 *
 * Each model runs in its own child process when several are selected, because the wasm heap never
 * shrinks: a shared process would report the largest model's peak memory for all of them.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import * as tf from '@tensorflow/tfjs'
import { initEngine, engineInfo, type BackendChoice } from '../src/main/ml/engine'
import { nativeAddonInfo } from '../src/main/ml/kernels/nativeAddon'
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
   * 10.5 s. So its batch of 4 is accumulated passes: two of 2 (3.4 GB peak; 3.3 s a step on the
   * native engine, measured 2026-12-07).
   */
  microBatch?: number
  run(options: WorkloadOptions & { microBatch?: number }): Promise<WorkloadTiming>
}

/**
 * The configurations: the multi-class U-Net at 256², Inf-Net with both backbones at the shipped 256
 * and the paper's 352. `leak` is the long small run of --leak-steps.
 */
const MODELS: Record<string, ModelBenchmark> = {
  unet: { batch: 4, size: 256, run: benchmarkUNet },
  'lite-256': { batch: 4, size: 256, run: (o) => benchmarkInfNet('lite', o) },
  lite: { batch: 4, size: 352, run: (o) => benchmarkInfNet('lite', o) },
  'res2net50-256': { batch: 4, size: 256, microBatch: 2, run: (o) => benchmarkInfNet('res2net50', o) },
  res2net50: { batch: 4, size: 352, microBatch: 2, run: (o) => benchmarkInfNet('res2net50', o) },
  leak: { batch: 4, size: 64, run: benchmarkUNet }
}

/** Debian's python3 carries python3-torch; a pyenv python3 earlier on PATH usually does not. */
const TORCH_PYTHON = ['/usr/bin/python3', 'python3']

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    backend: { type: 'string' },
    threads: { type: 'string' },
    steps: { type: 'string', default: '3' },
    'infer-runs': { type: 'string', default: '5' },
    batch: { type: 'string' },
    size: { type: 'string' },
    'micro-batch': { type: 'string' },
    'leak-steps': { type: 'string' },
    'no-pytorch': { type: 'boolean', default: false }
  }
})

async function main(): Promise<void> {
  const selected = values.only === undefined ? Object.keys(MODELS) : values.only.split(',')
  for (const name of selected) {
    if (!(name in MODELS)) throw new Error(`--only: unknown model '${name}' (known: ${Object.keys(MODELS).join(', ')})`)
  }
  if (selected.length > 1) {
    for (const name of selected) {
      const line = runInChild(name)
      if (name === 'unet' && !values['no-pytorch'] && line !== undefined) comparePytorch(line)
    }
    return
  }
  const name = selected[0]
  const model = MODELS[name]
  await initEngine({
    backend: values.backend as BackendChoice | undefined,
    threads: values.threads === undefined ? undefined : Number(values.threads),
    log: (line) => console.error(line)
  })
  if (name === 'leak') return leakRun(Number(values['leak-steps'] ?? 1000))
  const batch = values.batch === undefined ? model.batch : Number(values.batch)
  const size = values.size === undefined ? model.size : Number(values.size)
  // Native and wasm share the wasm heap, and so its 4 GB limit.
  const accumulate = values['micro-batch'] !== undefined ? Number(values['micro-batch']) : ['wasm', 'native'].includes(info0Backend() ?? '') ? model.microBatch : undefined
  const microBatch = accumulate === undefined ? batch : Math.min(accumulate, batch)
  const timing = await model.run({ batch, size, microBatch, steps: Number(values.steps), inferRuns: Number(values['infer-runs']) })
  const info = engineInfo()
  console.log(
    JSON.stringify({
      model: name,
      backend: info?.backend,
      engine: engineName(),
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

/** The engine in words: which kernels ran. */
function engineName(): string {
  const info = engineInfo()
  if (info?.backend === 'native') return `oneDNN ${nativeAddonInfo()?.onednn ?? '?'} kernels on tfjs wasm`
  if (info?.backend === 'wasm') return 'tfjs wasm (XNNPACK)'
  return `tfjs ${info?.backend ?? '?'}`
}

/**
 * Trains the small U-Net `steps` steps and prints RSS (MB) after the warm-up and then at fixed
 * points: the wasm heap is allocated once and kept, so what rises afterwards is native memory.
 */
async function leakRun(steps: number): Promise<void> {
  const model = MODELS.leak
  const marks = new Set([1, 10, Math.round(steps / 4), Math.round(steps / 2), steps])
  const rss: Record<string, number> = {}
  const other: Record<string, number> = {}
  const wasm: Record<string, number> = {}
  const started = performance.now()
  await model.run({
    batch: model.batch,
    size: model.size,
    steps,
    inferRuns: 0,
    onStep: (i: number) => {
      if (!marks.has(i)) return
      const m = process.memoryUsage()
      // Outside the wasm heap (which only ever grows, and is counted in RSS as it is touched) and
      // outside V8's heap: native allocations — oneDNN's, the addon's, the runtime's.
      rss[i] = Math.round(m.rss / 2 ** 20)
      other[i] = Math.round((m.rss - wasmHeapBytes() - m.heapTotal) / 2 ** 20)
      wasm[i] = Math.round(wasmHeapBytes() / 2 ** 20)
    }
  } as WorkloadOptions)
  const growth = (series: Record<string, number>): number => {
    const points = Object.entries(series).map(([k, v]) => [Number(k), v] as const)
    const afterWarmUp = points.find(([k]) => k === 10)?.[1] ?? points[0][1]
    return points[points.length - 1][1] - afterWarmUp
  }
  console.log(
    JSON.stringify({
      model: 'leak',
      backend: engineInfo()?.backend,
      engine: engineName(),
      batch: model.batch,
      size: model.size,
      steps,
      rssMbAtStep: rss,
      wasmHeapMbAtStep: wasm,
      nativeMbAtStep: other,
      rssGrowthMbAfterStep10: growth(rss),
      // RSS beyond the wasm heap and V8's heap: what a native leak would raise.
      nativeGrowthMbAfterStep10: growth(other),
      meanStepMs: Math.round((performance.now() - started) / (steps + 1))
    })
  )
}

/** Bytes of the wasm backend's memory (0 on other backends). */
function wasmHeapBytes(): number {
  if (tf.getBackend() !== 'wasm') return 0
  const module = (tf.backend() as unknown as { wasm: { wasmMemory?: { buffer: ArrayBufferLike }; HEAPU8: Uint8Array } }).wasm
  return (module.wasmMemory?.buffer ?? module.HEAPU8.buffer).byteLength
}

/** Runs the PyTorch reference U-Net step and prints Pulmo's step over PyTorch's faster one. */
function comparePytorch(pulmoLine: string): void {
  const pulmo = JSON.parse(pulmoLine) as { trainStepMs: number; trainStepCpuMs: number; backend: string }
  const script = fileURLToPath(new URL('./reference/unet_step_torch.py', import.meta.url))
  const python = TORCH_PYTHON.find((p) => p.includes('/') ? existsSync(p) : true)
  const args = [script, '--threads', String(values.threads ?? os.availableParallelism()), '--steps', values.steps ?? '3']
  const result = python === undefined ? undefined : spawnSync(python, args, { encoding: 'utf8' })
  const lines = (result?.stdout ?? '').split('\n').filter((l) => l.startsWith('{'))
  if (lines.length === 0) {
    console.log(JSON.stringify({ model: 'unet', reference: 'pytorch', error: (result?.stderr ?? 'no python3').trim().split('\n').pop() }))
    return
  }
  for (const line of lines) console.log(line)
  const best = lines.map((l) => JSON.parse(l) as { trainStepMs: number; backend: string }).sort((a, b) => a.trainStepMs - b.trainStepMs)[0]
  console.log(
    JSON.stringify({
      model: 'unet',
      comparison: `${pulmo.backend} / ${best.backend}`,
      pulmoStepMs: pulmo.trainStepMs,
      pytorchStepMs: best.trainStepMs,
      ratio: Number((pulmo.trainStepMs / best.trainStepMs).toFixed(2)),
      loadAverage: Number(os.loadavg()[0].toFixed(2))
    })
  )
}

/**
 * Re-runs this script for one model, with the same Node flags. A TypeScript entry started by the
 * jiti CLI is re-run through jiti's loader hook (`node --import jiti/register`), since the child
 * is started with plain node.
 */
function runInChild(name: string): string | undefined {
  const script = fileURLToPath(import.meta.url)
  const args = process.argv
    .slice(2)
    .filter((a, i, all) => a !== '--only' && all[i - 1] !== '--only' && !a.startsWith('--only='))
  const hasLoader = process.execArgv.some((a) => a.includes('jiti'))
  const loader = script.endsWith('.ts') && !hasLoader ? ['--import', 'jiti/register'] : []
  const result = spawnSync(process.execPath, [...process.execArgv, ...loader, script, ...args, '--only', name], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8'
  })
  process.stdout.write(result.stdout)
  if (result.status !== 0) process.exitCode = result.status ?? 1
  return result.stdout.split('\n').find((l) => l.startsWith('{'))
}

main().then(
  // Exit explicitly: a loaded native backend (tfjs-node) may hold handles open.
  () => process.exit(),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  }
)
