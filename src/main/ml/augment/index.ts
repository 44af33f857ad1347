export { AugmentConfig, augmentSample, drawTransform, eraseRectangle, warpPlane } from './augment'
export type { AugmentTransform, Interpolation, SamplePlane } from './augment'
