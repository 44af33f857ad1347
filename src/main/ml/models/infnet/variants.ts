import type { BackboneName } from './config'
import type { Res2NetSpec } from './res2net'
import type { ReverseAttentionSpec } from './reverseAttention'

/** Widths of Inf-Net's modules after the backbone. */
export interface InfNetHeadSpec {
  /** Output channels of the receptive-field blocks and of the partial decoder's inputs. */
  rfb: number
  /** Channels of the edge-attention features. */
  edge: number
  ra4: ReverseAttentionSpec
  ra3: ReverseAttentionSpec
  ra2: ReverseAttentionSpec
}

export interface InfNetVariant {
  backbone: Res2NetSpec
  head: InfNetHeadSpec
}

/**
 * The two variants. `res2net50` is the paper's network: Res2Net-50 v1b 26w×4s and the reference
 * head widths. `lite` keeps the same structure (deep stem, Bottle2neck with 4 scales, v1b
 * shortcuts, every Inf-Net module) at a quarter of the backbone width, two blocks per layer, and a
 * narrower head, so training on two CPU cores is practical (≈ 2 M parameters; see complexity.ts).
 */
export const INFNET_VARIANTS: Record<BackboneName, InfNetVariant> = {
  res2net50: {
    backbone: { stem: [32, 32, 64], planes: [64, 128, 256, 512], blocks: [3, 4, 6, 3], baseWidth: 26, scale: 4, expansion: 4 },
    head: {
      rfb: 32,
      edge: 64,
      ra4: { width: 256, kernel: 5, hidden: 3, outKernel: 1 },
      ra3: { width: 64, kernel: 3, hidden: 2, outKernel: 3 },
      ra2: { width: 64, kernel: 3, hidden: 2, outKernel: 3 }
    }
  },
  lite: {
    backbone: { stem: [16, 16, 32], planes: [16, 32, 64, 128], blocks: [2, 2, 2, 2], baseWidth: 26, scale: 4, expansion: 4 },
    head: {
      rfb: 32,
      edge: 32,
      ra4: { width: 64, kernel: 5, hidden: 3, outKernel: 1 },
      ra3: { width: 32, kernel: 3, hidden: 2, outKernel: 3 },
      ra2: { width: 32, kernel: 3, hidden: 2, outKernel: 3 }
    }
  }
}
