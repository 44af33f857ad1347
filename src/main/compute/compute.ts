/**
 * The compute process entry (child_process.fork in Node, utilityProcess in Electron). It starts
 * the tensor engine, then runs one job at a time as the parent asks, streaming its events.
 */
import { envBackendSetting } from '../env'
import { initEngine, type BackendChoice } from '../ml/engine'
import { runAnalyzeJob } from './analyzeJob'
import type { FromCompute, ToCompute } from './computeProtocol'
import { trainSupervised } from '../training/supervised'

interface ParentPort {
  postMessage(message: unknown): void
  on(event: 'message', listener: (e: { data: unknown }) => void): void
}

// Electron's utility process talks through process.parentPort; a Node fork through process.send.
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort
const send = (m: FromCompute): void => {
  if (parentPort) parentPort.postMessage(m)
  else process.send?.(m)
}
const onMessage = (listener: (m: ToCompute) => void): void => {
  if (parentPort) parentPort.on('message', (e) => listener(e.data as ToCompute))
  else process.on('message', (m) => listener(m as ToCompute))
}
// A forked compute process whose parent died (kill -9) stops at once: checkpoints are swapped in by
// renames, so the last one stays whole, and nothing trains on unseen past it. (Electron's utility
// process is ended by Electron with its parent.)
if (!parentPort) process.on('disconnect', () => process.exit(0))

const cancelled = new Set<string>()
let queue: Promise<void> = Promise.resolve()

async function run(jobId: string, message: Extract<ToCompute, { type: 'start' }>): Promise<void> {
  try {
    const { job } = message
    const stop = (): boolean => cancelled.has(jobId)
    const result =
      job.kind === 'train'
        ? await trainSupervised(job.config, { resume: job.resume, onEvent: (event) => send({ type: 'event', jobId, event }), shouldStop: stop })
        : await runAnalyzeJob(job, (event) => send({ type: 'event', jobId, event }), stop)
    send({ type: 'done', jobId, result })
  } catch (e) {
    send({ type: 'failed', jobId, message: e instanceof Error ? e.message : String(e), cancelled: cancelled.has(jobId) })
  } finally {
    cancelled.delete(jobId)
  }
}

async function main(): Promise<void> {
  const backend = await initEngine({ backend: envBackendSetting() as BackendChoice, log: () => {} })
  onMessage((m) => {
    if (m.type === 'start') queue = queue.then(() => run(m.jobId, m))
    else if (m.type === 'cancel') cancelled.add(m.jobId)
    else if (m.type === 'shutdown') void queue.then(() => process.exit(0))
  })
  send({ type: 'ready', backend })
}

void main().catch((e) => {
  console.error(`[pulmo/compute] could not start: ${e instanceof Error ? e.message : String(e)}`)
  process.exit(1)
})
