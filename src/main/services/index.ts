import { join } from 'node:path'
import { api, ApiError, isMethod, type ApiEvent, type Method, type Params, type Result } from '../../shared/api'
import { openStore, type Store } from '../db'
import type { ServiceContext } from './context'
import { resolveDataDir } from './dataDir'
import { toApiError } from './errors'
import { SettingsService } from './settings'
import { StudyService } from './studies'

export { resolveDataDir } from './dataDir'
export { toApiError } from './errors'

type Handlers = { [M in Method]: (params: Params<M>) => Promise<Result<M>> | Result<M> }

export interface PulmoServiceOptions {
  dataDir?: string
  transport: 'ipc' | 'websocket'
  version?: string
}

/**
 * The one implementation of the contract. Transports call `dispatch` with untrusted input; it
 * validates the parameters with the contract's schema before any handler sees them.
 */
export class PulmoService {
  readonly dataDir: string
  readonly store: Store
  readonly studies: StudyService
  readonly settings: SettingsService
  private readonly listeners = new Set<(e: ApiEvent) => void>()
  private readonly handlers: Handlers

  constructor(options: PulmoServiceOptions) {
    this.dataDir = resolveDataDir(options.dataDir)
    this.store = openStore(join(this.dataDir, 'pulmo.sqlite'))
    const ctx: ServiceContext = {
      store: this.store,
      dataDir: this.dataDir,
      transport: options.transport,
      emit: (e) => this.listeners.forEach((l) => l(e)),
      userName: () => this.settings.get().userName
    }
    this.settings = new SettingsService(ctx)
    this.studies = new StudyService(ctx)
    this.handlers = {
      'system.info': () => ({
        version: options.version ?? '0.1.0',
        dataDir: this.dataDir,
        transport: options.transport,
        platform: `${process.platform}-${process.arch}`
      }),
      'settings.get': () => this.settings.get(),
      'settings.set': (p) => this.settings.set(p),
      'studies.list': (p) => this.studies.list(p.query),
      'studies.import': (p) => this.studies.import(p.paths, p.taskId),
      'studies.delete': (p) => ({ deleted: this.studies.delete(p.studyId) }),
      'series.header': (p) => this.studies.header(p.seriesId),
      'series.voxels': (p) => this.studies.voxels(p.seriesId),
      'series.export': async (p) => ({ path: await this.studies.export(p.seriesId, p.path) })
    }
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

  close(): void {
    this.store.close()
  }
}
