import { join } from 'node:path'
import { resourcesDir } from '../paths'

/** The bundled models (resources/models/<name>), used when no model is named. */
export const DEFAULT_MODELS = {
  infection: 'infnet-lite',
  multiclass: 'infnet-multiclass'
} as const

export function defaultModelDir(kind: keyof typeof DEFAULT_MODELS): string {
  return join(resourcesDir(), 'models', DEFAULT_MODELS[kind])
}
