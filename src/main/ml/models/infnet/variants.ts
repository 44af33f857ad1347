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

/** A Res2Net v1b backbone of 26w×4s Bottle2necks (expansion 4), as the paper's, at some width and depth. */
function res2net26w4s(
  stem: Res2NetSpec['stem'],
  planes: Res2NetSpec['planes'],
  blocks: Res2NetSpec['blocks']
): Res2NetSpec {
  return { stem, planes, blocks, baseWidth: 26, scale: 4, expansion: 4 }
}

/**
 * The reference head's shape at some width: receptive-field blocks of 32 channels, ra4 with three
 * hidden 5×5 layers and a 1×1 output, ra3 and ra2 with two hidden 3×3 layers and a 3×3 output.
 */
function head(edge: number, ra4Width: number, raWidth: number): InfNetHeadSpec {
  return {
    rfb: 32,
    edge,
    ra4: { width: ra4Width, kernel: 5, hidden: 3, outKernel: 1 },
    ra3: { width: raWidth, kernel: 3, hidden: 2, outKernel: 3 },
    ra2: { width: raWidth, kernel: 3, hidden: 2, outKernel: 3 }
  }
}

/**
 * The two variants. `res2net50` is the paper's network: Res2Net-50 v1b 26w×4s and the reference
 * head widths. `lite` keeps the same structure (deep stem, Bottle2neck with 4 scales, v1b
 * shortcuts, every Inf-Net module) at a quarter of the backbone width, two blocks per layer, and a
 * narrower head, so training on two CPU cores is practical (≈ 2 M parameters; see complexity.ts).
 */
export const INFNET_VARIANTS: Record<BackboneName, InfNetVariant> = {
  res2net50: { backbone: res2net26w4s([32, 32, 64], [64, 128, 256, 512], [3, 4, 6, 3]), head: head(64, 256, 64) },
  lite: { backbone: res2net26w4s([16, 16, 32], [16, 32, 64, 128], [2, 2, 2, 2]), head: head(32, 64, 32) }
}
