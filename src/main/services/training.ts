import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { ApiError, type ModelSummary, type TrainingRun, type TrainingStep } from '../../shared/api'
import { correctedTrainingSlices } from '../../shared/correctedSlices'
import type { ModelRow, TrainingRunRow as StoredRunRow } from '../db'
import { readModelCard } from '../ml/models/infnet'
import { ComputeProcess, JobCancelledError } from '../compute/computeProcess'
import { foldSplit } from '../training/folds'
import type { SupervisedResult } from '../training/supervised'
import type { AnalysisService } from './analysis'
import type { ServiceContext } from './context'
import type { MaskService } from './masks'
import type { StudyService } from './studies'
import { copyBundledSlices, writeTrainingSlice } from './trainingData'
import type { RunConfig, RunMetrics } from './records'

type TrainingRunRow = StoredRunRow<RunConfig, Partial<RunMetrics>>

/** Fewer slices than this leave no fold to validate on. */
const MIN_SLICES_FOR_VALIDATION = 10
const VALIDATION_FOLDS = 5

/** How many slices a run of `slices` holds out: fold 0 of 5, the split the trainer makes. */
function validationSlices(config: RunConfig): number {
  const { folds, fold } = config.job
  if (folds === undefined) return 0
  return foldSplit(config.slices, folds, fold ?? 0).validation.length
}

/** A card's training data in words: a path (a workstation run's folder) is never shown. */
function looksLikePath(text: string): boolean {
  return /^([a-zA-Z]:)?[\\/]/.test(text) || /[\\/]training[\\/]run-\d+/.test(text)
}
const HISTORY_LIMIT = 2000

/**
 * Retraining of the infection model on annotators' corrected slices, in its own compute process
 * so that analysis stays available meanwhile. Runs are paused (checkpointed) rather than lost when
 * the application stops, and resume from their checkpoint.
 */
export class TrainingService {
  private compute: ComputeProcess | undefined
  private readonly running = new Map<number, { cancel(): void; intent: 'pause' | 'cancel' | null }>()
  private readonly metrics = new Map<number, RunMetrics>()
  private closed = false

  constructor(
    private readonly ctx: ServiceContext,
    private readonly studies: StudyService,
    private readonly masks: MaskService,
    private readonly analysis: AnalysisService,
    private readonly backend: () => string
  ) {
    // A run that was running when the application stopped resumes from its checkpoint on request.
    for (const run of ctx.store.trainingRuns.list()) {
      if (run.status === 'running' || run.status === 'queued') {
        ctx.store.trainingRuns.update(run.id, { status: 'paused', metrics: { ...run.metrics, message: 'Interrupted when Pulmo stopped; resume to continue.' } })
      }
    }
  }

  models(): ModelSummary[] {
    // the bundled/active model appears once analysis has registered it; make sure it is listed
    try {
      this.registerModel(this.analysis.modelDir(), 'infection')
    } catch {
      // no model installed: the list is what the database has
    }
    return this.ctx.store.models.list().map((m) => this.modelView(m))
  }

  /** What a model was trained on, in words: the run's description, else the card's (unless it is a path). */
  private trainingDataOf(m: ModelRow, card: { training?: { data?: string; trainingSlices?: number } }): string {
    const run = this.ctx.store.trainingRuns.list().find((r) => r.modelRef === m.id)
    const described = run ? run.config.dataDescription : undefined
    if (described) return described
    const data = card.training?.data ?? ''
    if (data && !looksLikePath(data)) return data
    const slices = card.training?.trainingSlices
    return slices !== undefined ? `${slices} training slice${slices === 1 ? '' : 's'} (retrained on this workstation)` : ''
  }

  private modelView(m: ModelRow): ModelSummary {
    const card = m.card as { metrics?: Record<string, number>; training?: { data?: string; trainingSlices?: number } }
    const active = this.ctx.store.models.active(m.kind)
    const trainingSlices = card.training?.trainingSlices
    return {
      id: m.id,
      name: m.name,
      version: m.version,
      kind: m.kind,
      active: active ? active.id === m.id : m.path === this.analysis.modelDir(),
      createdAt: m.createdAt,
      metrics: card.metrics ?? {},
      trainingData: this.trainingDataOf(m, card),
      trainingSlices: typeof trainingSlices === 'number' && Number.isInteger(trainingSlices) ? trainingSlices : null
    }
  }

  private registerModel(dir: string, kind: string): ModelRow {
    const card = readModelCard(dir)
    return this.ctx.store.models.register({
      name: card?.name ?? 'infnet',
      version: card?.version ?? 'unversioned',
      kind,
      path: dir,
      card: (card ?? {}) as Record<string, unknown>
    })
  }

  activate(modelId: number): ModelSummary[] {
    if (!this.ctx.store.models.get(modelId)) throw new ApiError('not-found', `There is no model ${modelId}.`)
    this.ctx.store.models.activate(modelId)
    this.ctx.store.audit.record(this.ctx.userName(), 'activate', 'model', modelId)
    return this.models()
  }

  private view(run: TrainingRunRow): TrainingRun {
    const config = run.config
    const m = this.metrics.get(run.id) ?? run.metrics
    return {
      id: run.id,
      status: run.status,
      baseModel: config.baseModel,
      epochs: config.job.epochs ?? 0,
      slices: config.slices,
      // the backend the run computes with, once it has started; until then the setting ('auto')
      backend: m.backend ?? config.backend,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      globalStep: m.globalStep ?? 0,
      totalSteps: m.totalSteps ?? 0,
      etaSeconds: m.etaSeconds ?? null,
      validationDice: m.validationDice ?? [],
      validationSlices: validationSlices(config),
      history: m.history ?? [],
      modelId: run.modelRef,
      message: m.message ?? ''
    }
  }

  list(): TrainingRun[] {
    return this.ctx.store.trainingRuns.list().map((r) => this.view(r))
  }

  private runRow(runId: number): TrainingRunRow {
    const run = this.ctx.store.trainingRuns.get(runId)
    if (!run) throw new ApiError('not-found', `There is no training run ${runId}.`)
    return run
  }

  async start(p: { baseModelId?: number; seriesIds: number[]; includeBundled: boolean; epochs: number; inputSize?: number }): Promise<TrainingRun> {
    const base = p.baseModelId ? this.ctx.store.models.get(p.baseModelId) : this.registerModel(this.analysis.modelDir(), 'infection')
    if (!base) throw new ApiError('not-found', `There is no model ${p.baseModelId}.`)
    const baseCard = readModelCard(base.path)
    const run = this.ctx.store.trainingRuns.create(null)
    const runDir = join(this.ctx.dataDir, 'training', `run-${run.id}`)
    const dataDir = join(runDir, 'data')
    let slices = 0
    let correctedSlices = 0
    let correctedSeries = 0
    let bundledSlices = 0
    try {
      for (const seriesId of p.seriesIds) {
        // every corrected slice, whatever was analysed after it (see correctedTrainingSlices)
        const corrected = correctedTrainingSlices(this.ctx.store.masks.versions(seriesId))
        if (corrected.length === 0) continue
        const volume = await this.studies.volume(seriesId)
        for (const { version, slices: ks } of corrected) {
          const labels = await this.masks.labels(seriesId, version)
          for (const k of ks) await writeTrainingSlice(dataDir, `series${seriesId}-slice${k}`, volume, labels, k)
          slices += ks.length
          correctedSlices += ks.length
        }
        correctedSeries++
      }
      if (p.includeBundled) {
        bundledSlices = copyBundledSlices(this.ctx.dataDir, dataDir)
        slices += bundledSlices
      }
      if (slices === 0) throw new ApiError('bad-input', 'No training slices: correct and save some slices first, or include the bundled training slices.')
    } catch (e) {
      this.ctx.store.trainingRuns.delete(run.id)
      rmSync(runDir, { recursive: true, force: true })
      throw e
    }
    const config: RunConfig = {
      job: {
        data: dataDir,
        out: join(runDir, 'model'),
        backbone: baseCard?.backbone ?? 'lite',
        inputSize: p.inputSize ?? baseCard?.inputSize ?? 352,
        epochs: p.epochs,
        init: base.path,
        checkpointEvery: 5,
        ...(slices >= MIN_SLICES_FOR_VALIDATION ? { folds: VALIDATION_FOLDS, fold: 0 } : {})
      },
      baseModel: `${base.name} ${base.version}`,
      slices,
      backend: this.backend(),
      dataDescription: [
        correctedSlices > 0 ? `${correctedSlices} corrected slice${correctedSlices === 1 ? '' : 's'} from ${correctedSeries} series` : null,
        bundledSlices > 0 ? `${bundledSlices} bundled COVID-SemiSeg slices` : null
      ]
        .filter(Boolean)
        .join(' + ')
    }
    this.ctx.store.trainingRuns.replaceConfig(run.id, config)
    this.ctx.store.audit.record(this.ctx.userName(), 'train', 'training_run', run.id, { slices, epochs: p.epochs })
    this.launch(run.id, false)
    return this.view(this.runRow(run.id))
  }

  private launch(runId: number, resume: boolean): void {
    const config = this.runRow(runId).config
    const previous = this.runRow(runId).metrics
    const metrics: RunMetrics = {
      globalStep: previous.globalStep ?? 0,
      totalSteps: previous.totalSteps ?? 0,
      etaSeconds: null,
      validationDice: previous.validationDice ?? [],
      history: previous.history ?? [],
      ...(previous.backend ? { backend: previous.backend } : {}),
      message: resume ? 'Resumed from the last checkpoint.' : 'Started.'
    }
    this.metrics.set(runId, metrics)
    this.ctx.store.trainingRuns.update(runId, { status: 'running', metrics })
    this.compute ??= new ComputeProcess({ backend: config.backend })
    const job = this.compute.run({ kind: 'train', config: config.job, resume }, (e) => {
      if (e.kind === 'step') {
        const step: TrainingStep = { step: e.globalStep, epoch: e.epoch, losses: e.losses, learningRate: e.learningRate, stepMs: e.stepMs }
        metrics.globalStep = e.globalStep
        metrics.totalSteps = e.totalSteps
        metrics.etaSeconds = e.etaSeconds
        metrics.backend = e.backend
        metrics.history.push(step)
        if (metrics.history.length > HISTORY_LIMIT) metrics.history.splice(0, metrics.history.length - HISTORY_LIMIT)
        this.ctx.emit({ type: 'training-progress', runId, step, globalStep: e.globalStep, totalSteps: e.totalSteps, etaSeconds: e.etaSeconds, backend: e.backend })
      } else if (e.kind === 'validation') {
        metrics.validationDice.push({ epoch: e.epoch, dice: e.dice })
      } else if (e.kind === 'checkpoint') {
        this.ctx.store.trainingRuns.update(runId, { metrics, checkpointPath: e.path })
      }
    })
    const handle = { cancel: job.cancel, intent: null as 'pause' | 'cancel' | null }
    this.running.set(runId, handle)
    job.done
      .then((result: SupervisedResult) => {
        if (this.closed) return // the checkpoint is on disk; the run shows as paused at next start
        if (result.status === 'stopped') {
          const status = handle.intent === 'cancel' ? 'cancelled' : 'paused'
          metrics.message = status === 'paused' ? `Paused at step ${result.globalStep}.` : `Cancelled at step ${result.globalStep}.`
          this.ctx.store.trainingRuns.update(runId, { status, metrics })
          this.ctx.emit({ type: 'task-ended', taskId: `training-${runId}`, kind: 'training', status: 'cancelled', message: metrics.message })
          return
        }
        const model = this.registerModel(config.job.out, 'infection')
        const dice = result.validation?.dice
        if (dice !== undefined && !metrics.validationDice.some((v) => v.dice === dice)) metrics.validationDice.push({ epoch: config.job.epochs ?? 0, dice })
        metrics.message = `Finished: model ${model.name} ${model.version}${dice !== undefined ? `, validation Dice ${dice.toFixed(3)}` : ''}.`
        this.ctx.store.trainingRuns.update(runId, { status: 'finished', modelRef: model.id, metrics })
        this.ctx.emit({ type: 'task-ended', taskId: `training-${runId}`, kind: 'training', status: 'finished', message: metrics.message })
      })
      .catch((e: unknown) => {
        if (this.closed) return
        metrics.message = e instanceof JobCancelledError ? 'Cancelled.' : `Failed: ${e instanceof Error ? e.message : String(e)}`
        this.ctx.store.trainingRuns.update(runId, { status: 'failed', metrics })
        this.ctx.emit({ type: 'task-ended', taskId: `training-${runId}`, kind: 'training', status: 'failed', message: metrics.message })
      })
      .finally(() => this.running.delete(runId))
  }

  private stop(runId: number, intent: 'pause' | 'cancel'): TrainingRun {
    const run = this.runRow(runId)
    const handle = this.running.get(runId)
    if (handle) {
      handle.intent = intent
      handle.cancel()
    } else if (run.status === 'paused' && intent === 'cancel') {
      this.ctx.store.trainingRuns.update(runId, { status: 'cancelled' })
    } else {
      throw new ApiError('conflict', `Training run ${runId} is ${run.status}, not running.`)
    }
    return this.view(this.runRow(runId))
  }

  pause(runId: number): TrainingRun {
    return this.stop(runId, 'pause')
  }

  cancel(runId: number): TrainingRun {
    return this.stop(runId, 'cancel')
  }

  resume(runId: number): TrainingRun {
    const run = this.runRow(runId)
    if (run.status !== 'paused') throw new ApiError('conflict', `Training run ${runId} is ${run.status}; only a paused run resumes.`)
    const config = run.config
    if (!existsSync(config.job.data)) throw new ApiError('not-found', `The training data of run ${runId} is gone (${config.job.data}).`)
    this.launch(runId, true)
    return this.view(this.runRow(runId))
  }

  async close(): Promise<void> {
    this.closed = true
    for (const handle of this.running.values()) {
      handle.intent = 'pause'
      handle.cancel()
    }
    await this.compute?.stop()
  }
}
