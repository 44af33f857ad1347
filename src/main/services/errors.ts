import { z } from 'zod'
import { ApiError, type ApiErrorShape } from '../../shared/api'
import { MaskConflictError } from '../db'
import { PacsError } from '../pacs'

/** Maps any thrown value to the contract's error shape, keeping messages a person can act on. */
export function toApiError(e: unknown): ApiErrorShape {
  if (e instanceof ApiError) return { code: e.code, message: e.message }
  if (e instanceof z.ZodError) return { code: 'validation', message: z.prettifyError(e) }
  if (e instanceof MaskConflictError) return { code: 'conflict', message: e.message }
  if (e instanceof PacsError) {
    const code = e.kind === 'unreachable' || e.kind === 'timeout' ? 'unavailable' : e.kind === 'unauthorized' || e.kind === 'forbidden' ? 'unauthorized' : e.kind === 'not-found' ? 'not-found' : 'bad-input'
    return { code, message: e.message }
  }
  if (e instanceof Error && e.name === 'VolumeReadError') return { code: 'bad-input', message: e.message }
  if (e instanceof Error) return { code: 'internal', message: e.message }
  return { code: 'internal', message: String(e) }
}
