import { z } from 'zod'

/**
 * Training augmentation as in the method: horizontal and vertical flips, a random crop resized back
 * to the training size, a rotation, and a random cutout whose area is a fixed fraction of the
 * image. The geometric part is one inverse mapping applied identically to every plane of a sample
 * (image, mask, edge map, class labels), so labels never drift from the pixels they describe.
 */
export const AugmentConfig = z.object({
  /** Probability of a left–right flip. */
  flipHorizontal: z.number().min(0).max(1).default(0.5),
  /** Probability of an up–down flip. */
  flipVertical: z.number().min(0).max(1).default(0.5),
  /** The crop's side is drawn from [cropScale, 1] of the image side; 1 disables cropping. */
  cropScale: z.number().min(0.3).max(1).default(0.8),
  /** Rotation angle drawn uniformly from ±rotationDegrees. */
  rotationDegrees: z.number().min(0).max(180).default(15),
  /** Fraction of the image area erased by one random rectangle (0 = no cutout; the paper compares 0.2, 0.4, 0.5). */
  cutout: z.number().min(0).max(0.9).default(0)
})
export type AugmentConfig = z.infer<typeof AugmentConfig>

/** How a plane is resampled: bilinear for images and soft masks, nearest for class labels. */
export type Interpolation = 'bilinear' | 'nearest'

/** One drawn transform; the same one is applied to every plane of a sample. */
export interface AugmentTransform {
  flipHorizontal: boolean
  flipVertical: boolean
  /** Crop side as a fraction of the image side, and its top-left corner in pixels. */
  crop: { scale: number; x: number; y: number }
  /** Radians, counter-clockwise in image coordinates, about the crop's centre. */
  angle: number
  /** The erased rectangle in output pixels (width 0 = none). */
  cutout: { x: number; y: number; width: number; height: number }
}

/** Draws a transform for a size×size sample from `rand` (uniform in [0, 1)). */
export function drawTransform(config: AugmentConfig, size: number, rand: () => number): AugmentTransform {
  const flipHorizontal = rand() < config.flipHorizontal
  const flipVertical = rand() < config.flipVertical
  const scale = config.cropScale + (1 - config.cropScale) * rand()
  const side = scale * size
  const crop = { scale, x: rand() * (size - side), y: rand() * (size - side) }
  const angle = ((2 * rand() - 1) * config.rotationDegrees * Math.PI) / 180
  let cutout = { x: 0, y: 0, width: 0, height: 0 }
  if (config.cutout > 0) {
    // A rectangle of the requested area with an aspect ratio in [1/2, 2], placed fully inside.
    const area = config.cutout * size * size
    const aspect = Math.exp((2 * rand() - 1) * Math.log(2))
    const width = Math.min(size, Math.max(1, Math.round(Math.sqrt(area * aspect))))
    const height = Math.min(size, Math.max(1, Math.round(area / width)))
    cutout = { x: Math.floor(rand() * (size - width + 1)), y: Math.floor(rand() * (size - height + 1)), width, height }
  }
  return { flipHorizontal, flipVertical, crop, angle, cutout }
}

/**
 * Applies the geometric part of `t` to one size×size plane (row-major). Output pixel (u, v) takes
 * the source point found by undoing, in order, the flips, the resize of the crop to the full size,
 * and the rotation about the crop's centre. Points outside the source take `fill`.
 */
export function warpPlane(plane: Float32Array, size: number, t: AugmentTransform, interpolation: Interpolation, fill = 0): Float32Array {
  const out = new Float32Array(size * size)
  const cos = Math.cos(t.angle)
  const sin = Math.sin(t.angle)
  const half = (t.crop.scale * size) / 2
  const cx = t.crop.x + half
  const cy = t.crop.y + half
  const k = t.crop.scale
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      // pixel centres: output (u, v) → normalised crop coordinates (dx, dy) around the centre
      const ou = t.flipHorizontal ? size - 1 - u : u
      const ov = t.flipVertical ? size - 1 - v : v
      const dx = (ou + 0.5) * k - half
      const dy = (ov + 0.5) * k - half
      const sx = cx + cos * dx - sin * dy - 0.5
      const sy = cy + sin * dx + cos * dy - 0.5
      out[v * size + u] = sample(plane, size, sx, sy, interpolation, fill)
    }
  }
  return out
}

function sample(plane: Float32Array, size: number, x: number, y: number, interpolation: Interpolation, fill: number): number {
  if (interpolation === 'nearest') {
    const xi = Math.round(x)
    const yi = Math.round(y)
    return xi < 0 || yi < 0 || xi >= size || yi >= size ? fill : plane[yi * size + xi]
  }
  if (x < -0.5 || y < -0.5 || x > size - 0.5 || y > size - 0.5) return fill
  const xc = Math.min(Math.max(x, 0), size - 1)
  const yc = Math.min(Math.max(y, 0), size - 1)
  const x0 = Math.floor(xc)
  const y0 = Math.floor(yc)
  const x1 = Math.min(x0 + 1, size - 1)
  const y1 = Math.min(y0 + 1, size - 1)
  const fx = xc - x0
  const fy = yc - y0
  const top = plane[y0 * size + x0] * (1 - fx) + plane[y0 * size + x1] * fx
  const bottom = plane[y1 * size + x0] * (1 - fx) + plane[y1 * size + x1] * fx
  return top * (1 - fy) + bottom * fy
}

/** Sets the cutout rectangle of a plane to `value` in place. */
export function eraseRectangle(plane: Float32Array, size: number, rect: AugmentTransform['cutout'], value: number): void {
  for (let y = rect.y; y < rect.y + rect.height; y++) plane.fill(value, y * size + rect.x, y * size + rect.x + rect.width)
}

/** A plane of a sample and how it is treated. */
export interface SamplePlane {
  data: Float32Array
  interpolation: Interpolation
  /** Value outside the image after a rotation or crop. */
  fill: number
  /**
   * The value the cutout rectangle is set to, or false to leave the plane alone there: cutout
   * erases only the image, and labels keep describing the anatomy that was hidden.
   */
  cutout: number | false
}

/** Augments the planes of one size×size sample with one drawn transform; returns new planes. */
export function augmentSample(planes: SamplePlane[], size: number, config: AugmentConfig, rand: () => number): Float32Array[] {
  const t = drawTransform(config, size, rand)
  return planes.map((p) => {
    const warped = warpPlane(p.data, size, t, p.interpolation, p.fill)
    if (p.cutout !== false && t.cutout.width > 0) eraseRectangle(warped, size, t.cutout, p.cutout)
    return warped
  })
}
