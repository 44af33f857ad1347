import { z } from 'zod'

/**
 * How a grey slice (0–255) becomes the network's input before the fixed standardisation:
 * 'equalised' replaces grey levels by their rank in the image first (see equalise.ts), so windowed
 * JPEGs, CLAHE PNGs and HU windowed by Pulmo look alike; absent or 'fixed', the grey levels go in as
 * they are (the models trained before the equalisation, which keep their behaviour).
 */
export const InputNormalisation = z.enum(['fixed', 'equalised'])
export type InputNormalisation = z.infer<typeof InputNormalisation>

export const BACKBONE_NAMES = ['lite', 'res2net50'] as const
export type BackboneName = (typeof BACKBONE_NAMES)[number]

/**
 * Inf-Net's configuration, stored as the `modelTopology` of model.json.
 *
 * `channels` is the number of input channels of the first convolution. The default 3 follows
 * Inf-Net, whose slices are read as RGB (the grey value replicated) — it keeps ImageNet-pretrained
 * Res2Net weights and reference checkpoints portable. A one-channel input is replicated to 3 by
 * the network, so callers may always pass grey slices. `channels: 1` saves the replication.
 */
export const infNetConfigSchema = z.object({
  architecture: z.literal('infnet'),
  backbone: z.enum(BACKBONE_NAMES),
  /** Training side length (Inf-Net: 352); any multiple of 32 runs. */
  inputSize: z.number().int().positive().multipleOf(32),
  channels: z.union([z.literal(1), z.literal(3)]),
  /** Seeds the initial weights. */
  seed: z.number().int(),
  inputNormalisation: InputNormalisation.optional()
})
export type InfNetConfig = z.infer<typeof infNetConfigSchema>

/**
 * Multi-class Inf-Net's U-Net. Input channels: the grey slice and the single-class infection
 * probability from Inf-Net (the prior), i.e. 2. Output: `classes` logits (background, ground-glass
 * opacity, consolidation). `baseFilters` is the first level's width (the reference U-Net: 64).
 */
export const multiClassConfigSchema = z.object({
  architecture: z.literal('infnet-multiclass'),
  inputSize: z.number().int().positive().multipleOf(16),
  channels: z.number().int().positive(),
  classes: z.number().int().min(2),
  baseFilters: z.number().int().positive(),
  seed: z.number().int(),
  inputNormalisation: InputNormalisation.optional()
})
export type MultiClassConfig = z.infer<typeof multiClassConfigSchema>

export const networkConfigSchema = z.discriminatedUnion('architecture', [infNetConfigSchema, multiClassConfigSchema])
export type NetworkConfig = InfNetConfig | MultiClassConfig

export function defaultInfNetConfig(overrides: Partial<Omit<InfNetConfig, 'architecture'>> = {}): InfNetConfig {
  return infNetConfigSchema.parse({
    architecture: 'infnet',
    backbone: 'lite',
    inputSize: 352,
    channels: 3,
    seed: 1,
    ...overrides
  })
}

export function defaultMultiClassConfig(
  overrides: Partial<Omit<MultiClassConfig, 'architecture'>> = {}
): MultiClassConfig {
  return multiClassConfigSchema.parse({
    architecture: 'infnet-multiclass',
    inputSize: 352,
    channels: 2,
    classes: 3,
    baseFilters: 16,
    seed: 1,
    ...overrides
  })
}
