import { z } from 'zod'

/** Errors cross every transport as { code, message }; codes let clients react without parsing text. */
export const ApiErrorShape = z.object({
  code: z.enum(['validation', 'not-found', 'bad-input', 'conflict', 'cancelled', 'internal', 'unauthorized', 'unavailable']),
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
