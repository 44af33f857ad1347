import { z } from 'zod'
import { AugmentConfig } from '../ml/augment/augment'
import { InputNormalisation } from '../ml/models/infnet/config'

/**
 * The supervised trainer's configuration as a schema of its own, apart from the trainer: the
 * services validate stored training jobs with it, and importing the trainer would pull the tensor
 * engine (and with it the native kernels' loader) into the workstation's main process.
 */

export const epochTrainingFields = {
  epochs: z.number().int().positive().default(100),
  batchSize: z.number().int().positive().default(4),
  learningRate: z.number().positive().default(1e-4),
  /** The learning rate is multiplied by decayRate once every decayEpoch epochs. */
  decayEpoch: z.number().int().positive().default(50),
  decayRate: z.number().positive().default(0.1),
  /** Gradients are clamped element-wise to ±clip. */
  clip: z.number().positive().default(0.5),
  folds: z.number().int().min(2).optional(),
  fold: z.number().int().min(0).optional(),
  seed: z.number().int().default(2020),
  checkpointEvery: z.number().int().positive().default(25)
}

export const SupervisedConfig = z.object({
  data: z.string(),
  out: z.string(),
  backbone: z.enum(['lite', 'res2net50']).default('lite'),
  inputSize: z.number().int().multipleOf(32).default(352),
  ...epochTrainingFields,
  /** Each batch is trained once at every scale of the input size (Inf-Net: 0.75, 1, 1.25). */
  scales: z.array(z.number().positive()).default([0.75, 1, 1.25]),
  /** Start from these weights (a saved network folder) instead of random ones. */
  init: z.string().optional(),
  /**
   * Start from a self-supervised pretrained network (pretrainInpainting's output): every layer but
   * the output layers, which start afresh.
   */
  pretrained: z.string().optional(),
  /** Augmentation of every training sample (flips, crop, rotation, cutout); none when absent. */
  augment: AugmentConfig.optional(),
  /**
   * Extra training slices beside `data` (e.g. Semi-Inf-Net's pseudo-labelled slices), in the
   * same layout (images/, masks/, edges/). They only ever train, never validate.
   */
  extraData: z.array(z.string()).default([]),
  /**
   * Folders (same layout) never trained on, validated at the end beside the held-out fold: the
   * whole zenodo volume groups kept out of training. Their figures go into the card as heldOut*.
   */
  validationData: z.array(z.string()).default([]),
  /** The input representation of a new network (see ml/inference/equalise.ts); `init` keeps its own. */
  inputNormalisation: InputNormalisation.default('fixed')
})
export type SupervisedConfig = z.infer<typeof SupervisedConfig>
