/**
 * The one model-selection path, for the workstation and the CLI: a model named explicitly (a
 * command's --model, PULMO_MODEL_DIR, a test's option), else the model made active in the
 * workstation (Retraining → Make active), else the bundled one. The multi-class model (the type of
 * infection) is chosen the same way; without one, density tells ground glass from consolidation.
 */
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ApiError } from '../../shared/api'
import type { Store } from '../db'
import { defaultModelDir } from '../ml/defaultModel'
import { envModelDir } from '../env'

export interface ModelChoice {
  dir: string
  /** how it was chosen, for messages */
  origin: 'named' | 'active' | 'bundled'
}

export interface ModelSelection {
  infection: ModelChoice
  multiclass?: ModelChoice
}

export interface ModelSelectionOptions {
  infectionDir?: string
  multiclassDir?: string
}

const hasModel = (dir: string): boolean => existsSync(join(dir, 'model.json'))

export function selectModels(
  store: Pick<Store, 'models'> | undefined,
  options: ModelSelectionOptions = {}
): ModelSelection {
  const named = options.infectionDir ?? envModelDir()
  const active = store?.models.active('infection')?.path
  const infection: ModelChoice = named
    ? { dir: resolve(named), origin: 'named' }
    : active && hasModel(active)
      ? { dir: active, origin: 'active' }
      : { dir: defaultModelDir('infection'), origin: 'bundled' }
  if (!hasModel(infection.dir)) {
    throw new ApiError(
      'not-found',
      infection.origin === 'named'
        ? `No model in ${infection.dir} (model.json missing).`
        : infection.origin === 'bundled'
          ? `The default infection model is not installed (${join(infection.dir, 'model.json')} is missing). Train one with \`pulmo train\`, or name one with --model MODEL_DIR.`
          : `No infection model at ${infection.dir}. Train one (pulmo train) or reinstall Pulmo's bundled model.`
    )
  }
  const namedMulticlass = options.multiclassDir
  if (namedMulticlass) {
    const dir = resolve(namedMulticlass)
    if (!hasModel(dir)) throw new ApiError('not-found', `No model in ${dir} (model.json missing).`)
    return { infection, multiclass: { dir, origin: 'named' } }
  }
  const activeMulticlass = store?.models.active('multiclass')?.path
  if (activeMulticlass && hasModel(activeMulticlass))
    return { infection, multiclass: { dir: activeMulticlass, origin: 'active' } }
  const bundled = defaultModelDir('multiclass')
  return hasModel(bundled) ? { infection, multiclass: { dir: bundled, origin: 'bundled' } } : { infection }
}
