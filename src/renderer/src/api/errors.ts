import { ApiError, type ApiErrorShape } from '../../../shared/api'

const errorCodes: ReadonlySet<string> = new Set<ApiErrorShape['code']>([
  'validation',
  'not-found',
  'bad-input',
  'conflict',
  'cancelled',
  'internal',
  'unauthorized',
  'unavailable'
])

function isErrorCode(value: unknown): value is ApiErrorShape['code'] {
  return typeof value === 'string' && errorCodes.has(value)
}

/**
 * Errors reach the renderer as ApiError instances from the WebSocket client, but across Electron's
 * contextBridge a thrown class arrives as a plain object or Error, so every error is normalised here.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error
  if (typeof error === 'object' && error !== null) {
    const record = error as Record<string, unknown>
    const message = typeof record.message === 'string' ? record.message : String(error)
    if (isErrorCode(record.code)) return new ApiError(record.code, message)
    // Electron prefixes remote errors: "Error invoking remote method 'x': ApiError: text".
    const remote = /^Error invoking remote method '[^']*': (?:\w*Error: )?(.*)$/s.exec(message)
    return new ApiError('internal', remote ? remote[1] : message)
  }
  return new ApiError('internal', String(error))
}

/** The text shown to the user for a failed call. */
export function errorMessage(error: unknown): string {
  return toApiError(error).message || 'The request failed without an explanation from the server.'
}
