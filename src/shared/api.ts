/**
 * The contract between the renderer (or any client) and the services. Every request, response and
 * event is a zod schema; the Electron IPC binding, the HTTP + WebSocket server and the CLI all
 * validate against these. This file imports nothing from Node or the DOM.
 */
import { z } from 'zod'

const id = z.number().int().positive()
const vec3 = z.tuple([z.number(), z.number(), z.number()])

export const SeriesSummary = z.object({
  id,
  studyId: id,
  seriesInstanceUid: z.string(),
  description: z.string(),
  modality: z.string(),
  unit: z.enum(['HU', 'grey']),
  rows: z.number().int(),
  columns: z.number().int(),
  slices: z.number().int(),
  spacing: vec3,
  importedAt: z.string()
})
export type SeriesSummary = z.infer<typeof SeriesSummary>

export const StudyStatus = z.object({
  analysed: z.boolean(),
  corrected: z.boolean(),
  reported: z.boolean()
})
export type StudyStatus = z.infer<typeof StudyStatus>

export const StudySummary = z.object({
  id,
  patientName: z.string(),
  patientId: z.string(),
  studyInstanceUid: z.string(),
  studyDate: z.string(),
  description: z.string(),
  status: StudyStatus,
  series: z.array(SeriesSummary)
})
export type StudySummary = z.infer<typeof StudySummary>

export const ImportResult = z.object({
  studies: z.array(StudySummary),
  created: z.array(id),
  existing: z.array(id)
})
export type ImportResult = z.infer<typeof ImportResult>

export const VolumeHeader = z.object({
  seriesId: id,
  dimensions: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
  spacing: vec3,
  origin: vec3,
  direction: z.array(z.number()).length(9),
  unit: z.enum(['HU', 'grey']),
  valueRange: z.tuple([z.number(), z.number()]),
  /** Voxel type of the `series.voxels` payload (little endian). */
  voxelType: z.enum(['int16', 'uint8'])
})
export type VolumeHeader = z.infer<typeof VolumeHeader>

export const Settings = z.object({
  userName: z.string().min(1).max(200),
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']),
  defaultModel: z.string().max(200),
  dataDir: z.string()
})
export type Settings = z.infer<typeof Settings>

export const SystemInfo = z.object({
  version: z.string(),
  dataDir: z.string(),
  transport: z.enum(['ipc', 'websocket']),
  platform: z.string()
})
export type SystemInfo = z.infer<typeof SystemInfo>

/** Raw bytes: the only non-JSON result type; transports carry it as a binary message. */
export const Binary = z.instanceof(Uint8Array)

const empty = z.object({}).strict()
const seriesRef = z.object({ seriesId: id }).strict()

/** Every method: its parameters and its result. */
export const api = {
  'system.info': { params: empty, result: SystemInfo },
  'settings.get': { params: empty, result: Settings },
  'settings.set': { params: Settings.omit({ dataDir: true }).partial().strict(), result: Settings },
  'studies.list': {
    params: z.object({ query: z.string().max(200).optional() }).strict(),
    result: z.array(StudySummary)
  },
  'studies.import': {
    params: z
      .object({
        paths: z.array(z.string().min(1).max(4096)).min(1).max(1000),
        /** Chosen by the client so it can tell this import's progress events from others'. */
        taskId: z.string().max(100).optional()
      })
      .strict(),
    result: ImportResult
  },
  'studies.delete': { params: z.object({ studyId: id }).strict(), result: z.object({ deleted: z.boolean() }) },
  'series.header': { params: seriesRef, result: VolumeHeader },
  'series.voxels': { params: seriesRef, result: Binary },
  'series.export': {
    params: z.object({ seriesId: id, path: z.string().min(1).max(4096) }).strict(),
    result: z.object({ path: z.string() })
  }
} as const

export type Api = typeof api
export type Method = keyof Api
export type Params<M extends Method> = z.input<Api[M]['params']>
export type Result<M extends Method> = z.output<Api[M]['result']>

export const ProgressEvent = z.object({
  type: z.literal('progress'),
  taskId: z.string(),
  label: z.string(),
  done: z.number(),
  total: z.number()
})
export type ProgressEvent = z.infer<typeof ProgressEvent>

export const StudiesChangedEvent = z.object({ type: z.literal('studies-changed') })

export const ApiEvent = z.discriminatedUnion('type', [ProgressEvent, StudiesChangedEvent])
export type ApiEvent = z.infer<typeof ApiEvent>

/** Errors cross every transport as { code, message }; codes let clients react without parsing text. */
export const ApiErrorShape = z.object({
  code: z.enum(['validation', 'not-found', 'bad-input', 'conflict', 'cancelled', 'internal', 'unauthorized']),
  message: z.string()
})
export type ApiErrorShape = z.infer<typeof ApiErrorShape>

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorShape['code'],
    message: string
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export function isMethod(name: string): name is Method {
  return Object.prototype.hasOwnProperty.call(api, name)
}

/** The typed client every transport implements and the renderer consumes. */
export interface PulmoClient {
  invoke<M extends Method>(method: M, params: Params<M>): Promise<Result<M>>
  onEvent(listener: (event: ApiEvent) => void): () => void
}
