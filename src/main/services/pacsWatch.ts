/**
 * The analysis node: polls a PACS for CT studies without a Pulmo result, and pulls, analyses and
 * pushes them one at a time. A PACS that goes away is waited for (the next poll tries again); a
 * stop request is honoured between steps: a running analysis is cancelled (it stores nothing until
 * it finishes), a push under way completes, so no study is left with half a result. A study is
 * taken once its instance count has not changed for one interval, so one still arriving from the
 * scanner is not analysed half stored.
 */
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import type { ApiEvent, TaskEndedEvent } from '../../shared/api'
import { PacsError } from '../pacs'
import type { AnalysisService } from './analysis'
import type { ServiceContext } from './context'
import { toApiError } from './errors'
import type { PacsService, PacsTarget } from './pacs'

const DONE_KEY = 'pacs-watch-done'
/** Per PACS (its label), the studies the watcher has finished. */
const DoneStudies = z.record(z.string(), z.array(z.string()))
/** A study that failed this many times in a row is left alone until the watcher restarts. */
const MAX_ATTEMPTS = 3

export interface WatchOptions {
  intervalMs: number
  log(line: string): void
  shouldStop(): boolean
  deidentified?: boolean
  /** Stop after this many polls (tests); unbounded by default. */
  polls?: number
}

export class PacsWatcher {
  private readonly attempts = new Map<string, number>()
  /** Instances per study at the previous poll: a study still arriving is left until it stops growing. */
  private readonly lastCounts = new Map<string, number | null>()

  constructor(
    private readonly ctx: ServiceContext,
    private readonly pacs: PacsService,
    private readonly analysis: AnalysisService,
    private readonly subscribe: (listener: (e: ApiEvent) => void) => () => void,
    private readonly target: PacsTarget
  ) {}

  private done(): Set<string> {
    const all = this.ctx.store.settings.get(DONE_KEY, DoneStudies) ?? {}
    return new Set(all[this.target.label] ?? [])
  }

  private markDone(studyUid: string): void {
    const all = this.ctx.store.settings.get(DONE_KEY, DoneStudies) ?? {}
    all[this.target.label] = [...new Set([...(all[this.target.label] ?? []), studyUid])]
    this.ctx.store.settings.set(DONE_KEY, all)
  }

  private async sleep(ms: number, shouldStop: () => boolean): Promise<void> {
    const until = Date.now() + ms
    while (Date.now() < until && !shouldStop())
      await new Promise((r) => setTimeout(r, Math.min(200, until - Date.now())))
  }

  /** Runs an analysis to its end; a stop request cancels it. */
  private async analyse(seriesId: number, shouldStop: () => boolean): Promise<TaskEndedEvent> {
    const taskId = randomUUID()
    let off: () => void = () => {}
    const ended = new Promise<TaskEndedEvent>((resolve) => {
      off = this.subscribe((e) => {
        if (e.type === 'task-ended' && e.taskId === taskId) resolve(e)
      })
    })
    this.analysis.start(seriesId, taskId)
    let cancelled = false
    const watchStop = setInterval(() => {
      if (!cancelled && shouldStop()) {
        cancelled = true
        this.analysis.cancel(taskId)
      }
    }, 200)
    try {
      return await ended
    } finally {
      clearInterval(watchStop)
      off()
    }
  }

  /** Pull, analyse, push one study. Returns false when stopped before its result was complete. */
  private async process(studyUid: string, options: WatchOptions): Promise<boolean> {
    options.log(`Study ${studyUid}: pulling`)
    const pulled = await this.pacs.pull(this.target, studyUid)
    const seriesIds = [...pulled.created, ...pulled.existing]
    for (const seriesId of seriesIds) {
      if (options.shouldStop()) return false
      if (!this.ctx.store.reports.latestForSeries(seriesId)) {
        options.log(`Study ${studyUid}: analysing series ${seriesId}`)
        const ended = await this.analyse(seriesId, options.shouldStop)
        if (ended.status === 'cancelled') return false
        if (ended.status === 'failed') throw new Error(ended.message)
        options.log(`Study ${studyUid}: ${ended.message}`)
      }
      if (options.shouldStop()) return false
      const pushed = await this.pacs.push(this.target, seriesId, { deidentified: options.deidentified })
      options.log(
        `Study ${studyUid}: sent ${pushed.objects.map((o) => `${o.kind.toUpperCase()} ${o.status}`).join(', ')}`
      )
    }
    return true
  }

  async run(options: WatchOptions): Promise<{ processed: string[] }> {
    const processed: string[] = []
    let reachable = true
    for (let poll = 0; !options.shouldStop() && (options.polls === undefined || poll < options.polls); poll++) {
      try {
        const studies = await this.pacs.searchRemote(this.target, { modality: 'CT' })
        const previous = new Map(this.lastCounts)
        for (const s of studies) this.lastCounts.set(s.studyInstanceUid, s.instanceCount)
        if (!reachable) options.log(`The PACS at ${this.target.label} answers again.`)
        reachable = true
        const done = this.done()
        for (const study of studies) {
          if (options.shouldStop()) break
          const uid = study.studyInstanceUid
          if (done.has(uid) || (this.attempts.get(uid) ?? 0) >= MAX_ATTEMPTS) continue
          if (!study.modalities.includes('CT') && study.modalities.length > 0) continue
          // Stable: the same number of instances as one interval ago (a PACS that gives no count is taken as stable).
          if (!previous.has(uid) || previous.get(uid) !== study.instanceCount) continue
          if (await this.pacs.hasPulmoResult(this.target, uid)) {
            this.markDone(uid)
            continue
          }
          try {
            if (await this.process(uid, options)) {
              this.markDone(uid)
              processed.push(uid)
              options.log(`Study ${uid}: done`)
            } else options.log(`Study ${uid}: stopped before its result was complete; nothing was sent`)
          } catch (e) {
            // The PACS going away mid-request shows as unreachable, a timeout or an answer that broke off.
            if (e instanceof PacsError && (e.kind === 'unreachable' || e.kind === 'timeout' || /broke off/.test(e.message))) throw e
            const n = (this.attempts.get(uid) ?? 0) + 1
            this.attempts.set(uid, n)
            options.log(
              `Study ${uid}: failed (${toApiError(e).message})${n >= MAX_ATTEMPTS ? `; left alone after ${n} attempts` : '; will try again'}`
            )
          }
        }
      } catch (e) {
        // Any PACS failure of a poll is waited out; the next poll tries again.
        if (!(e instanceof PacsError)) throw e
        if (reachable) options.log(`${e.message} Trying again every ${Math.round(options.intervalMs / 1000)} s.`)
        reachable = false
      }
      if (options.polls !== undefined && poll + 1 >= options.polls) break
      await this.sleep(options.intervalMs, options.shouldStop)
    }
    return { processed }
  }
}
