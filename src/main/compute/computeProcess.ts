import { fork, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { computeProcessEnv } from '../env'
import { appRoot } from '../paths'
import type { ComputeEvent, ComputeJob, FromCompute, JobResult, ToCompute } from './computeProtocol'

export interface RunningJob<R> {
  jobId: string
  done: Promise<R>
  cancel(): void
}

/** A job that ended because it was asked to stop. */
export class JobCancelledError extends Error {}

/**
 * The application's handle on its compute process: started on first use, restarted after a
 * crash; a crash fails the running job with a clear message instead of taking the caller down.
 */
export class ComputeProcess {
  private child: ChildProcess | undefined
  private ready: Promise<string> | undefined
  private readonly jobs = new Map<string, { resolve(r: unknown): void; reject(e: Error): void; onEvent(e: ComputeEvent): void }>()

  constructor(private readonly options: { backend?: string; entry?: string } = {}) {}

  get pid(): number | undefined {
    return this.child?.pid
  }

  /** Starts the process (if needed) and resolves with its tensor backend. */
  start(): Promise<string> {
    if (this.ready) return this.ready
    const entry = this.options.entry ?? join(appRoot(), 'out', 'main', 'compute.js')
    if (!existsSync(entry)) return Promise.reject(new Error(`The compute process is not built (${entry}); run npm run build.`))
    const child = fork(entry, [], {
      env: computeProcessEnv(this.options.backend ?? 'auto'),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    })
    this.child = child
    this.ready = new Promise<string>((resolve, reject) => {
      child.on('message', (raw) => {
        const m = raw as FromCompute
        if (m.type === 'ready') resolve(m.backend)
        else if (m.type === 'event') this.jobs.get(m.jobId)?.onEvent(m.event)
        else if (m.type === 'done' || m.type === 'failed') {
          const job = this.jobs.get(m.jobId)
          this.jobs.delete(m.jobId)
          if (m.type === 'done') job?.resolve(m.result)
          else job?.reject(m.cancelled ? new JobCancelledError(m.message) : new Error(m.message))
        }
      })
      child.on('exit', (code, signal) => {
        const why = `The compute process stopped (${signal ?? `exit code ${code}`}); the job can be resumed from its last checkpoint.`
        reject(new Error(why))
        for (const job of this.jobs.values()) job.reject(new Error(why))
        this.jobs.clear()
        this.child = undefined
        this.ready = undefined
      })
    })
    return this.ready
  }

  run<J extends ComputeJob>(job: J, onEvent: (e: ComputeEvent) => void): RunningJob<JobResult<J>> {
    const jobId = randomUUID()
    const done = this.start().then(
      () =>
        new Promise<JobResult<J>>((resolve, reject) => {
          this.jobs.set(jobId, { resolve: (r) => resolve(r as JobResult<J>), reject, onEvent })
          this.send({ type: 'start', jobId, job })
        })
    )
    return { jobId, done, cancel: () => this.send({ type: 'cancel', jobId }) }
  }

  private send(m: ToCompute): void {
    this.child?.send(m)
  }

  async stop(): Promise<void> {
    const child = this.child
    if (!child) return
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve())
      this.send({ type: 'shutdown' })
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref()
    })
  }
}
