/**
 * The native image kernels of the analysis (native/dnnl/imaging.hpp: the fissure filter's
 * separable smoothing, the exact distance transform, the lungs' per-slice closing and hole
 * filling), bit for bit the TypeScript ones but
 * spread over the cores. The engine installs them when it loads the native addon, so they only
 * ever run where the oneDNN kernels do (the compute process and the CLI, never the workstation's
 * main process); everywhere else, and with PULMO_BACKEND=wasm, the TypeScript runs.
 */
export interface NativeImaging {
  /** b = a convolved along one axis (length n, stride) with kernel[2·radius + 1], ends clamped. */
  smoothAxis(a: Float32Array, b: Float32Array, kernel: Float32Array, params: Float64Array): void
  /**
   * out = squared distance (mm²) to the nearest voxel equal to feature; params [nx, ny, nz, feature,
   * sx, sy, sz, frame, inPlane]; inPlane 1: each slice's own 2D distance (no pass along z).
   */
  squaredDistance3d(volume: Uint8Array, out: Float32Array, params: Float64Array): void
  /**
   * closeAndFillLungsPerSlice in place on labels; params [nx, ny, nz, marginX, marginY, closing (0/1),
   * reach, lung labels…], halfWidth: diskHalfWidths' table for the closing disk.
   */
  closeAndFillSlices(labels: Uint8Array, halfWidth: Int32Array, params: Float64Array): void
  /**
   * JPEG lossless grey slices to HU (jpegLossless.ts and dicomPixels.ts's conversion), over the
   * cores: params per slice [offset, length, width, height, bitsStored, pixelRepresentation, slope,
   * intercept] of its stream in frames; slice k at target + k·width·height; status[k] 1 decoded,
   * 0 refused (the TypeScript decoder then takes the slice).
   */
  decodeJpegLosslessSlices(frames: Uint8Array, params: Float64Array, target: Int16Array, status: Uint8Array): void
  /**
   * The runs of every row of a mask (nx · rows values) above a threshold: params [nx, rows, above];
   * row r's runs are runStart/runEnd[rowFirstRun[r] … rowFirstRun[r + 1]), in x order.
   */
  maskRuns(mask: Uint8Array, params: Float64Array): { rowFirstRun: Int32Array; runStart: Int32Array; runEnd: Int32Array }
  /** The lung separation's breadth-first growing of the markers through the mask into labels (zeros); params [nx, ny, nz]. */
  growMarkers(mask: Uint8Array, markers: Uint8Array, labels: Uint8Array, params: Float64Array): void
}

let active: NativeImaging | undefined

export function setNativeImaging(kernels: NativeImaging | undefined): void {
  active = kernels
}

export function nativeImaging(): NativeImaging | undefined {
  return active
}

let pending: Promise<unknown> | undefined

/** The engine's start while it is under way (initEngine sets it, and clears it once settled). */
export function setNativeImagingPending(start: Promise<unknown> | undefined): void {
  pending = start
}

/**
 * Resolves once no engine start is under way, whatever its outcome: then nativeImaging() says for
 * good whether the native kernels are in. Immediate where no engine starts (the workstation's main process).
 */
export async function nativeImagingSettled(): Promise<void> {
  if (pending !== undefined) await pending.catch(() => undefined)
}
