import * as tf from '@tensorflow/tfjs'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ParameterStore } from '../../nn/parameters'
import { readSavedModel, saveParameters } from '../../nn/serialization'
import { measureComplexity } from './complexity'
import { networkConfigSchema, type InfNetConfig, type MultiClassConfig, type NetworkConfig } from './config'
import type { ForwardContext } from '../../nn/layers'
import { infNet } from './infnet'
import { multiClassInfNet } from './multiclass'
import type { AnyNetwork, ForwardOptions, InfNetNetwork, MultiClassNetwork, Network } from './network'

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** card.json: what a model is, what it was trained on, and how well it does. */
export interface ModelCard {
  name: string
  version: string
  architecture: NetworkConfig['architecture']
  /** Inf-Net only. */
  backbone?: InfNetConfig['backbone']
  inputSize: number
  /** Trainable parameters. */
  parameters: number
  /** Convolution FLOPs (2 · multiply-accumulates) per inputSize² slice. */
  flops: number
  training: { data: string; epochs: number; [key: string]: JsonValue }
  metrics: Record<string, number>
  /** the HU window CT slices are turned into the network's grey levels with (see modelInputWindow) */
  inputWindow?: { center: number; width: number; note?: string }
  /** how a CT series is inferred with this model (see modelTestTimeFlip): horizontal-flip test-time augmentation, and why */
  inference?: { flip: boolean; note?: string }
}

/** The fields a caller provides; the rest is derived from the network. */
export type ModelCardInput = Pick<ModelCard, 'name' | 'version' | 'training'> &
  Partial<Pick<ModelCard, 'inputWindow' | 'inference'>> & { metrics?: Record<string, number> }

function build<C extends NetworkConfig, O>(
  config: C,
  run: (ctx: ForwardContext, config: C, x: tf.Tensor4D) => O,
  initialise: boolean
): Network<C, O> {
  const params = new ParameterStore(config.seed, initialise)
  const network: Network<C, O> = {
    config,
    params,
    forward(x: tf.Tensor4D, training: boolean, options: ForwardOptions = {}): O {
      return run({ params, training, pendingUpdates: options.pendingUpdates, macs: options.macs }, config, x)
    },
    dispose: () => params.dispose()
  }
  // One probe pass creates every parameter now, so that counting, saving, loading and optimizers
  // (which capture the variable list) never meet a half-built network.
  measureComplexity(network as AnyNetwork)
  return network
}

/** Creates a network with freshly initialised (seeded) parameters. */
export function createNetwork(config: InfNetConfig): InfNetNetwork
export function createNetwork(config: MultiClassConfig): MultiClassNetwork
export function createNetwork(config: NetworkConfig): AnyNetwork
export function createNetwork(config: NetworkConfig): AnyNetwork {
  return buildNetwork(config, true)
}

/** `initialise` false: the parameters start at zero (a network whose values are loaded next). */
function buildNetwork(config: NetworkConfig, initialise: boolean): AnyNetwork {
  const parsed = networkConfigSchema.parse(config)
  return parsed.architecture === 'infnet'
    ? build(parsed, infNet, initialise)
    : build(parsed, multiClassInfNet, initialise)
}

/** Writes model.json + weights.bin + card.json into `dir`; returns the card written. */
export async function saveNetwork(dir: string, network: AnyNetwork, card: ModelCardInput): Promise<ModelCard> {
  const { config } = network
  const cost = measureComplexity(network)
  const full: ModelCard = {
    name: card.name,
    version: card.version,
    architecture: config.architecture,
    ...(config.architecture === 'infnet' ? { backbone: config.backbone } : {}),
    inputSize: config.inputSize,
    parameters: cost.parameters,
    flops: cost.flops,
    training: card.training,
    metrics: card.metrics ?? {},
    ...(card.inputWindow ? { inputWindow: card.inputWindow } : {}),
    ...(card.inference ? { inference: card.inference } : {})
  }
  await saveParameters(dir, config, network.params, full)
  return full
}

/**
 * Loads a network saved by saveNetwork. Every parameter the architecture uses must be in the file:
 * a missing one would otherwise silently keep its random initial value.
 */
export function loadNetwork(dir: string): AnyNetwork {
  const saved = readSavedModel<unknown>(dir)
  try {
    // no random initial values: every one is replaced from the file
    const network = buildNetwork(networkConfigSchema.parse(saved.config), false)
    const missing = [...network.params.variables.keys()].filter((name) => !(name in saved.tensors))
    if (missing.length > 0) {
      network.dispose()
      throw new Error(`${dir}: ${missing.length} parameters missing, e.g. ${missing.slice(0, 3).join(', ')}`)
    }
    network.params.assign(saved.tensors)
    return network
  } finally {
    tf.dispose(Object.values(saved.tensors))
  }
}

/** Reads card.json beside a saved network, if there is one. */
export function readModelCard(dir: string): ModelCard | undefined {
  const path = join(dir, 'card.json')
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ModelCard) : undefined
}
