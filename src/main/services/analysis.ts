import { randomUUID } from 'node:crypto'
import { existsSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { ApiError } from '../../shared/api'
import { CTSS_MAX } from '../../shared/severityScoring'
import { readModelCard } from '../ml/models/infnet'
import { modalityRefusal } from '../analysis/chestCtCheck'
import { readNifti } from '../volume'
import { segmentLobes } from '../regions/regions'
import { ComputeProcess, JobCancelledError, type RunningJob } from '../compute/computeProcess'
import type { AnalyzeResult } from '../compute/computeProtocol'
import type { AnalysisMaskBase } from '../../shared/api'
import type { ServiceContext } from './context'
import type { MaskService } from './masks'
import type { ReportService } from './reports'
import { selectModels, type ModelSelection } from './modelSelection'
import { adoptFile, removeUnreferenced } from './storedFiles'
import { companionPath, withCompanions } from './analysisFiles'
import type { StudyService } from './studies'

/**
 * Runs segmentation and scoring of a series in the compute process, then stores the result as
 * the series' newest mask version, its lung mask, and the series' report (see ReportService.attach:
 * a signed report is never touched; an amendment supersedes it). What is not a chest CT is refused
 * before any model runs: the modality here, the anatomy in the compute process.
 */
/** The compute process refuses what is not a chest CT with a message that says so. */
function refusedAsNotChestCt(e: unknown): boolean {
  return e instanceof Error && e.message.startsWith('Not a chest CT:')
}

function failureMessage(e: unknown): string {
  if (refusedAsNotChestCt(e)) return (e as Error).message
  return `Analysis failed: ${e instanceof Error ? e.message : String(e)}`
}

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
    removeUnreferenced(ctx.dataDir, 'analysis', withCompanions(ctx.store.studies.allLungMaskPaths()))
  }

  /** The models to analyse with (see selectModels: named, else active, else bundled). */
  models(): ModelSelection {
    return selectModels(this.ctx.store, { infectionDir: this.options.modelDir })
  }

  /** The infection model to analyse with. */
  modelDir(): string {
    return this.models().infection.dir
  }

  private registerModel(dir: string, kind: 'infection' | 'multiclass'): { id: number; name: string; version: string } {
    const card = readModelCard(dir)
    return this.ctx.store.models.register({
      name: card?.name ?? (kind === 'infection' ? 'infnet' : 'infnet-multiclass'),
      version: card?.version ?? 'unversioned',
      kind,
      path: dir,
      card: (card ?? {}) as Record<string, unknown>
    })
  }

  private process(): ComputeProcess {
    this.compute ??= new ComputeProcess({ backend: this.options.backend?.() ?? 'auto' })
    return this.compute
  }

  /**
   * `maskBase` decides, for a series whose working mask is a radiologist's correction, what the
   * report is scored from and later edits start from: 'corrected' (the default, so no caller drops
   * a correction by omission) keeps the correction as the newest version after the model's new
   * one; 'model' makes the model's new segmentation the base. Either way the corrected version
   * stays in the list and its slices stay training data (see correctedTrainingSlices).
   */
  start(seriesId: number, taskId: string = randomUUID(), maskBase: AnalysisMaskBase = 'corrected'): { taskId: string } {
    const series = this.studies.seriesRow(seriesId)
    const refusal = modalityRefusal(series.modality, series.unit)
    if (refusal) {
      this.ctx.store.audit.record(this.ctx.userName(), 'refuse', 'series', seriesId, { reason: refusal })
      throw new ApiError('bad-input', `Not a chest CT: ${refusal}`)
    }
    const selection = this.models()
    const model = this.registerModel(selection.infection.dir, 'infection')
    const multiclass = selection.multiclass ? this.registerModel(selection.multiclass.dir, 'multiclass') : undefined
    const outDir = join(this.ctx.dataDir, 'analysis', `.run-${taskId}`)
    this.ctx.emit({ type: 'progress', taskId, label: 'Starting analysis', done: 0, total: 1 })
    const job = this.process().run(
      {
        kind: 'analyze',
        volumePath: join(this.ctx.dataDir, series.voxelPath),
        modality: series.modality,
        modelDir: selection.infection.dir,
        ...(selection.multiclass ? { multiclassModelDir: selection.multiclass.dir } : {}),
        outDir
      },
      (e) => {
        if (e.kind === 'progress') {
          const label =
            e.label === 'lungs'
              ? 'Checking the chest CT and segmenting the lungs'
              : e.label === 'infection'
                ? 'Segmenting the infection'
                : e.label === 'typing'
                  ? 'Typing the infection (ground glass, consolidation)'
                  : e.label
          this.ctx.emit({ type: 'progress', taskId, label, done: e.done, total: e.total })
        }
      }
    )
    this.running.set(taskId, job)
    this.ctx.store.audit.record(this.ctx.userName(), 'analyse', 'series', seriesId, {
      model: `${model.name} ${model.version}`,
      ...(multiclass ? { multiclassModel: `${multiclass.name} ${multiclass.version}` } : {})
    })
    job.done
      .then(async (result) => {
        if (this.closed) return
        // Read when the result arrives, so a correction saved while the model ran is kept too.
        const corrected = this.masks.versionRow(seriesId)
        const keepCorrected = maskBase === 'corrected' && corrected !== undefined && corrected.source !== 'model'
        const modelMask = this.masks.addModelVersion(seriesId, result.labels, model.id)
        const mask = keepCorrected
          ? await this.masks.keepCorrected(seriesId, corrected.version, modelMask.version)
          : modelMask
        // The lung mask moves in as written, its lobes and regions beside it, before anything scores.
        const lungsPath = adoptFile(this.ctx.dataDir, 'analysis', result.lungs.file)
        renameSync(result.lobesFile, join(this.ctx.dataDir, companionPath(lungsPath, 'lobes')))
        renameSync(result.regionsFile, join(this.ctx.dataDir, companionPath(lungsPath, 'regions')))
        this.ctx.store.studies.setLungMaskPath(seriesId, lungsPath)
        // kept correction: the figures and the pattern come from its labels, not the model's
        const { severity, pattern } = keepCorrected
          ? await this.reports.scoresFromMask(seriesId, mask.version, result.report.options)
          : { severity: result.report, pattern: result.pattern }
        const report = this.reports.attach(
          seriesId,
          mask.id,
          {
            severity,
            pattern,
            model: { name: model.name, version: model.version },
            ...(multiclass ? { multiclassModel: { name: multiclass.name, version: multiclass.version } } : {}),
            maskVersion: mask.version,
            warnings: result.warnings
          },
          'analysis'
        )
        const s = severity
        const kept = keepCorrected
          ? ` Scored from your corrected mask (v${mask.version}, a copy of v${corrected.version}); the model's new segmentation is v${modelMask.version}.`
          : ''
        const amendment = report.amends
          ? ` A new draft amends signed report ${report.amends.reportId}, which stays unchanged.`
          : ''
        const warning = result.warnings.length ? ` ${result.warnings.join(' ')}` : ''
        this.ctx.emit({
          type: 'task-ended',
          taskId,
          kind: 'analysis',
          status: 'finished',
          seriesId,
          message: `${s.percentInfected.total.toFixed(1)} % of the lungs infected; CT-SS ${s.ctss.total}/${CTSS_MAX} (${(result.timing.totalMs / 1000).toFixed(0)} s).${kept}${amendment}${warning}`
        })
        this.ctx.emit({ type: 'studies-changed' })
      })
      .catch((e: unknown) => {
        if (this.closed) return
        const cancelled = e instanceof JobCancelledError
        if (!cancelled && refusedAsNotChestCt(e)) {
          this.ctx.store.audit.record(this.ctx.userName(), 'refuse', 'series', seriesId, {
            reason: (e as Error).message
          })
        }
        this.ctx.emit({
          type: 'task-ended',
          taskId,
          kind: 'analysis',
          status: cancelled ? 'cancelled' : 'failed',
          seriesId,
          message: cancelled ? 'Analysis cancelled.' : failureMessage(e)
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

  /** The lobe label map of the latest analysis (computed from the CT for one from before the lobes were stored). */
  async lobes(seriesId: number): Promise<Uint8Array<ArrayBuffer>> {
    const lungs = await this.lungs(seriesId)
    const file = join(this.ctx.dataDir, companionPath(this.ctx.store.studies.lungMaskPath(seriesId)!, 'lobes'))
    if (existsSync(file)) return Uint8Array.from((await readNifti(file, { unit: 'label' })).data)
    return Uint8Array.from(segmentLobes(await this.studies.volume(seriesId), lungs).labels)
  }

  async close(): Promise<void> {
    this.closed = true
    for (const job of this.running.values()) job.cancel()
    await this.compute?.stop()
  }
}
