import { join } from 'node:path'
import { api, ApiError, isMethod, type ApiEvent, type Method, type Params, type Result } from '../../shared/api'
import { openStore } from '../db'
import { STORED_JSON, type PulmoStore } from './records'
import type { ServiceContext } from './context'
import { resolveDataDir } from './dataDir'
import { toApiError } from './errors'
import { AnalysisService } from './analysis'
import { ComparisonService } from './comparison'
import { MaskService } from './masks'
import { PacsService, type PacsTarget } from './pacs'
import { PacsWatcher } from './pacsWatch'
import { ReportService } from './reports'
import { SettingsService } from './settings'
import { StudyService } from './studies'
import { TrainingService } from './training'
import { bundledTrainingSlices } from './trainingData'

export { resolveDataDir } from './dataDir'
export { toApiError } from './errors'
export { PacsService, type PacsTarget } from './pacs'
export { PacsWatcher } from './pacsWatch'
/** The models the workstation analyses with, for the CLI's one-off commands that run without a service. */
export { selectModels, type ModelSelection } from './modelSelection'

type Handlers = { [M in Method]: (params: Params<M>) => Promise<Result<M>> | Result<M> }

export interface PulmoServiceOptions {
  dataDir?: string
  transport: 'ipc' | 'websocket'
  version?: string
  /** The infection model to analyse with, instead of the active or bundled one (tests). */
  modelDir?: string
}

/**
 * The one implementation of the contract. Transports call `dispatch` with untrusted input; it
 * validates the parameters with the contract's schema before any handler sees them.
 */
export class PulmoService {
  readonly dataDir: string
  readonly store: PulmoStore
  readonly studies: StudyService
  readonly settings: SettingsService
  readonly masks: MaskService
  readonly reports: ReportService
  readonly analysis: AnalysisService
  readonly training: TrainingService
  readonly comparison: ComparisonService
  readonly pacs: PacsService
  private readonly listeners = new Set<(e: ApiEvent) => void>()
  private readonly ctx: ServiceContext
  private readonly handlers: Handlers

  constructor(options: PulmoServiceOptions) {
    this.dataDir = resolveDataDir(options.dataDir)
    this.store = openStore(join(this.dataDir, 'pulmo.sqlite'), STORED_JSON)
    const ctx: ServiceContext = (this.ctx = {
      store: this.store,
      dataDir: this.dataDir,
      transport: options.transport,
      emit: (e) => this.listeners.forEach((l) => l(e)),
      userName: () => this.settings.get().userName
    })
    this.settings = new SettingsService(ctx)
    this.studies = new StudyService(ctx)
    this.masks = new MaskService(ctx, this.studies)
    // The follow-up section of a report: the comparison service reads reports, so it is handed in late.
    this.reports = new ReportService(ctx, this.studies, this.masks, (seriesId, reportId) => this.comparison.previous(seriesId, reportId))
    this.analysis = new AnalysisService(ctx, this.studies, this.masks, this.reports, {
      modelDir: options.modelDir,
      backend: () => this.settings.get().backend
    })
    this.comparison = new ComparisonService(ctx, this.studies, this.reports)
    this.training = new TrainingService(ctx, this.studies, this.masks, this.analysis, () => this.settings.get().backend)
    this.pacs = new PacsService(ctx, this.studies, this.masks, this.reports, this.analysis)
    this.handlers = {
      'system.info': () => ({
        version: options.version ?? '0.1.0',
        dataDir: this.dataDir,
        transport: options.transport,
        platform: `${process.platform}-${process.arch}`,
        bundledTraining: bundledTrainingSlices(this.dataDir)
      }),
      'settings.get': () => this.settings.get(),
      'settings.set': (p) => this.settings.set(p),
      'studies.list': (p) => this.studies.list(p.query),
      'studies.import': (p) => this.studies.import(p.paths, p.taskId),
      'studies.delete': (p) => ({ deleted: this.studies.delete(p.studyId) }),
      'series.header': (p) => this.studies.header(p.seriesId),
      'series.voxels': (p) => this.studies.voxels(p.seriesId),
      'series.export': (p) => this.studies.export(p.seriesId, p.path, { format: p.format, identified: p.identified }),
      'analysis.start': (p) => this.analysis.start(p.seriesId, p.taskId, p.maskBase),
      'analysis.cancel': (p) => ({ cancelled: this.analysis.cancel(p.taskId) }),
      'masks.list': (p) => this.masks.list(p.seriesId),
      'masks.voxels': async (p) => {
        const labels = await this.masks.labels(p.seriesId, p.version)
        return new Uint8Array(labels.buffer as ArrayBuffer, labels.byteOffset, labels.byteLength)
      },
      'masks.lungs': (p) => this.analysis.lungs(p.seriesId),
      'masks.lobes': (p) => this.analysis.lobes(p.seriesId),
      'masks.save': async (p) => {
        const saved = await this.masks.save(p.seriesId, p.baseVersion, p.slices, p.revertTo)
        // A corrected mask counts: the series' scores follow the version just saved.
        if (this.store.studies.lungMaskPath(p.seriesId) && this.store.reports.latestForSeries(p.seriesId)) {
          await this.reports.rescore(p.seriesId, saved.version)
        }
        return saved
      },
      'reports.get': (p) => this.reports.latest(p.seriesId),
      'reports.view': (p) => this.reports.get(p.reportId),
      'reports.list': (p) => this.reports.list(p.seriesId),
      'reports.rescore': (p) => this.reports.rescore(p.seriesId, p.maskVersion),
      'reports.signedPdf': (p) => this.reports.signedPdf(p.reportId),
      'reports.update': (p) => this.reports.update(p.reportId, p),
      'reports.sign': (p) => this.reports.sign(p.reportId),
      'reports.pdf': (p) => this.reports.pdf(p.reportId, p.path, { identified: p.identified }),
      'comparison.compare': (p) => this.comparison.compare(p.seriesA, p.seriesB),
      'comparison.previous': (p) => this.comparison.previous(p.seriesId, p.reportId),
      'models.list': () => this.training.models(),
      'models.activate': (p) => this.training.activate(p.modelId),
      'training.start': (p) => this.training.start(p),
      'training.pause': (p) => this.training.pause(p.runId),
      'training.resume': (p) => this.training.resume(p.runId),
      'training.cancel': (p) => this.training.cancel(p.runId),
      'training.list': () => this.training.list(),
      'pacs.servers.list': () => this.pacs.servers(),
      'pacs.servers.save': (p) => this.pacs.saveServer(p),
      'pacs.servers.delete': (p) => this.pacs.deleteServer(p.id),
      'pacs.search': (p) => this.pacs.search(this.pacs.target(p.serverId), { patient: p.patient }),
      'pacs.pull': (p) => this.pacs.pull(this.pacs.target(p.serverId), p.studyInstanceUid, p.taskId),
      'pacs.push': (p) => this.pacs.push(this.pacs.target(p.serverId), p.seriesId, { deidentified: p.deidentified, taskId: p.taskId }),
      'audit.list': (p) => this.store.audit.list(p.entity, p.entityId, p.limit) as Result<'audit.list'>
    }
  }

  /** The analysis node's loop over a PACS (`pulmo pacs watch`). */
  pacsWatcher(target: PacsTarget): PacsWatcher {
    return new PacsWatcher(this.ctx, this.pacs, this.analysis, (l) => this.onEvent(l), target)
  }

  onEvent(listener: (e: ApiEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  async dispatch(method: string, rawParams: unknown): Promise<unknown> {
    if (!isMethod(method)) throw new ApiError('validation', `Unknown method "${method}".`)
    const parsed = api[method].params.safeParse(rawParams ?? {})
    if (!parsed.success) throw new ApiError('validation', `Invalid parameters for ${method}: ${toApiError(parsed.error).message}`)
    const handler = this.handlers[method] as (p: unknown) => unknown
    return await handler(parsed.data)
  }

  /** Typed in-process call, for the CLI and tests. */
  invoke<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
    return this.dispatch(method, params) as Promise<Result<M>>
  }

  /** Stops the compute processes (a running training is paused with a checkpoint) and the database. */
  async shutdown(): Promise<void> {
    await Promise.all([this.training.close(), this.analysis.close()])
    this.store.close()
  }

  close(): void {
    void this.training.close()
    void this.analysis.close()
    this.store.close()
  }
}
