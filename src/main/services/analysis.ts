import { randomUUID } from 'node:crypto'
import { existsSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { ApiError } from '../../shared/api'
import { defaultModelDir } from '../ml/defaultModel'
import { readModelCard } from '../ml/models/infnet'
import { readNifti } from '../volume'
import { ComputeProcess, JobCancelledError, type RunningJob } from '../training/computeProcess'
import type { AnalyzeResult } from '../training/computeProtocol'
import type { ServiceContext } from './context'
import type { MaskService } from './masks'
import type { ReportService } from './reports'
import { removeUnreferenced } from './storedFiles'
import type { StudyService } from './studies'

/**
 * Runs segmentation and scoring of a series in the compute process, then stores the result as
 * the series' newest mask version, its lung mask, and a new severity report.
 */
export class AnalysisService {
  private compute: ComputeProcess | undefined
  private readonly running = new Map<string, RunningJob<AnalyzeResult>>()
  private closed = false

  constructor(
    private readonly ctx: ServiceContext,
    private readonly studies: StudyService,
    private readonly masks: MaskService,
    private readonly reports: ReportService,
    private readonly options: { modelDir?: string; backend?: () => string } = {}
  ) {
    removeUnreferenced(ctx.dataDir, 'analysis', new Set(ctx.store.studies.allLungMaskPaths()))
  }

  /** The model to analyse with: an explicit one (tests, PULMO_MODEL_DIR), the active one, or the bundled default. */
  modelDir(): string {
    const dir =
      this.options.modelDir ??
      process.env.PULMO_MODEL_DIR ??
      this.ctx.store.models.active('infection')?.path ??
      defaultModelDir('infection')
    if (!existsSync(join(dir, 'model.json'))) {
      throw new ApiError('not-found', `No infection model at ${dir}. Train one (pulmo train) or reinstall Pulmo's bundled model.`)
    }
    return dir
  }

  private process(): ComputeProcess {
    this.compute ??= new ComputeProcess({ backend: this.options.backend?.() ?? 'auto' })
    return this.compute
  }

  start(seriesId: number, taskId: string = randomUUID()): { taskId: string } {
    const series = this.studies.seriesRow(seriesId)
    const modelDir = this.modelDir()
    const card = readModelCard(modelDir)
    const model = this.ctx.store.models.register({
      name: card?.name ?? 'infnet',
      version: card?.version ?? 'unversioned',
      kind: 'infection',
      path: modelDir,
      card: (card ?? {}) as Record<string, unknown>
    })
    const outDir = join(this.ctx.dataDir, 'analysis', `.run-${taskId}`)
    this.ctx.emit({ type: 'progress', taskId, label: 'Starting analysis', done: 0, total: 1 })
    // ground glass and consolidation are told apart by the bundled multi-class model, as `pulmo score` does
    const multiclassDir = defaultModelDir('multiclass')
    const multiclassModelDir = existsSync(join(multiclassDir, 'model.json')) ? multiclassDir : undefined
    const job = this.process().run({ kind: 'analyze', volumePath: join(this.ctx.dataDir, series.voxelPath), modelDir, multiclassModelDir, outDir }, (e) => {
      if (e.kind === 'progress') {
        const label = e.label === 'lungs' ? 'Segmenting the lungs' : e.label === 'infection' ? 'Segmenting the infection' : e.label
        this.ctx.emit({ type: 'progress', taskId, label, done: e.done, total: e.total })
      }
    })
    this.running.set(taskId, job)
    this.ctx.store.audit.record(this.ctx.userName(), 'analyse', 'series', seriesId, { model: `${model.name} ${model.version}` })
    job.done
      .then(async (result) => {
        if (this.closed) return
        const labels = await readNifti(result.labelsFile, { unit: 'label' })
        const mask = await this.masks.addModelVersion(seriesId, labels.data as Uint8Array, model.id)
        const lungsPath = join('analysis', `${randomUUID()}.nii.gz`)
        renameSync(result.lungsFile, join(this.ctx.dataDir, lungsPath))
        this.ctx.store.studies.setLungMaskPath(seriesId, lungsPath)
        this.reports.create(seriesId, mask.id, { severity: result.report, model: { name: model.name, version: model.version }, maskVersion: mask.version })
        const s = result.report
        this.ctx.emit({
          type: 'task-ended',
          taskId,
          kind: 'analysis',
          status: 'finished',
          seriesId,
          message: `${s.percentInfected.total.toFixed(1)} % of the lungs infected; CT-SS ${s.ctss.total}/40 (${(result.timing.totalMs / 1000).toFixed(0)} s).`
        })
        this.ctx.emit({ type: 'studies-changed' })
      })
      .catch((e: unknown) => {
        if (this.closed) return
        const cancelled = e instanceof JobCancelledError
        this.ctx.emit({
          type: 'task-ended',
          taskId,
          kind: 'analysis',
          status: cancelled ? 'cancelled' : 'failed',
          seriesId,
          message: cancelled ? 'Analysis cancelled.' : `Analysis failed: ${e instanceof Error ? e.message : String(e)}`
        })
      })
      .finally(() => {
        this.running.delete(taskId)
        rmSync(outDir, { recursive: true, force: true })
      })
    return { taskId }
  }

  cancel(taskId: string): boolean {
    const job = this.running.get(taskId)
    job?.cancel()
    return job !== undefined
  }

  /** The lung mask of the latest analysis. */
  async lungs(seriesId: number): Promise<Uint8Array<ArrayBuffer>> {
    this.studies.seriesRow(seriesId)
    const path = this.ctx.store.studies.lungMaskPath(seriesId)
    if (!path) throw new ApiError('not-found', `Series ${seriesId} has not been analysed yet.`)
    const v = await readNifti(join(this.ctx.dataDir, path), { unit: 'label' })
    return v.data as Uint8Array<ArrayBuffer>
  }

  async close(): Promise<void> {
    this.closed = true
    for (const job of this.running.values()) job.cancel()
    await this.compute?.stop()
  }
}
