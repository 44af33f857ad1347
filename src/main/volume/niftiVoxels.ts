/**
 * NIfTI voxel payloads ↔ typed arrays. Values are kept in their stored type when no scaling
 * applies, so a Pulmo-written int16 volume reads back bit-identical; scl_slope/scl_inter produce
 * the smallest integer type that holds the result when both are integers (the common
 * "uint16 + intercept −1024" CT export becomes int16 HU), float32 otherwise.
 */
import { VolumeReadError } from './errors'
import { DATATYPE_BYTES, NiftiType, type NiftiHeader } from './niftiHeader'
import { valueRange, type VoxelArray } from './volume'

type StoredArray = VoxelArray | Int8Array | Uint32Array | Float64Array

function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a]
      bytes[a] = bytes[b]
      bytes[b] = t
    }
  }
}

function view(datatype: number, buffer: ArrayBuffer): StoredArray {
  switch (datatype) {
    case NiftiType.Uint8:
      return new Uint8Array(buffer)
    case NiftiType.Int16:
      return new Int16Array(buffer)
    case NiftiType.Int32:
      return new Int32Array(buffer)
    case NiftiType.Float32:
      return new Float32Array(buffer)
    case NiftiType.Float64:
      return new Float64Array(buffer)
    case NiftiType.Int8:
      return new Int8Array(buffer)
    case NiftiType.Uint16:
      return new Uint16Array(buffer)
    default:
      return new Uint32Array(buffer)
  }
}

/** An integer array of the smallest signed type holding [min, max], or float32. */
function fitting(min: number, max: number, length: number): VoxelArray {
  if (min >= -32768 && max <= 32767) return new Int16Array(length)
  if (min >= -2147483648 && max <= 2147483647) return new Int32Array(length)
  return new Float32Array(length)
}

function scaled(stored: StoredArray, slope: number, inter: number): VoxelArray {
  const integral =
    Number.isInteger(slope) &&
    Number.isInteger(inter) &&
    !(stored instanceof Float32Array || stored instanceof Float64Array)
  const [lo, hi] = valueRange(stored)
  const ends = [lo * slope + inter, hi * slope + inter]
  const out = integral ? fitting(Math.min(...ends), Math.max(...ends), stored.length) : new Float32Array(stored.length)
  for (let i = 0; i < stored.length; i++) out[i] = stored[i] * slope + inter
  return out
}

/** Stored types a Volume cannot hold as such, widened (int8, uint32) or narrowed (float64). */
function asVoxelArray(stored: StoredArray): VoxelArray {
  if (stored instanceof Int8Array) return Int16Array.from(stored)
  if (stored instanceof Float64Array) return Float32Array.from(stored)
  if (stored instanceof Uint32Array) {
    const [lo, hi] = valueRange(stored)
    const out = fitting(lo, hi, stored.length)
    out.set(stored)
    return out
  }
  return stored
}

export function decodeVoxels(h: NiftiHeader, payload: Uint8Array, count: number, file: string): VoxelArray {
  const size = DATATYPE_BYTES.get(h.datatype)
  if (size === undefined)
    throw new VolumeReadError(file, `NIfTI datatype ${h.datatype} is not supported (scalar integer or float only)`)
  const needed = count * size
  if (h.voxOffset + needed > payload.length) {
    throw new VolumeReadError(
      file,
      `file is truncated: ${count} voxels need ${needed} bytes after offset ${h.voxOffset}, ${Math.max(0, payload.length - h.voxOffset)} present`
    )
  }
  // A copy: aligned for the typed array, and free to byte-swap or to hand over as the volume.
  // (payload may be a Buffer, whose slice() is a view, hence the explicit copy.)
  const bytes = new Uint8Array(needed)
  bytes.set(payload.subarray(h.voxOffset, h.voxOffset + needed))
  if (!h.littleEndian && size > 1) swapBytes(bytes, size)
  const stored = view(h.datatype, bytes.buffer)
  if (stored instanceof Float32Array || stored instanceof Float64Array) {
    // NaN or infinite voxels break every measurement downstream; a CT never holds them.
    for (let i = 0; i < stored.length; i++) {
      if (!Number.isFinite(stored[i]))
        throw new VolumeReadError(file, `voxel ${i} is ${stored[i]}; a volume's values must be finite numbers`)
    }
  }
  const slope = h.sclSlope
  // scl_slope 0 (or NaN) means "no scaling" (nifti1.h); 1/0 is the identity.
  if (!Number.isFinite(slope) || slope === 0 || (slope === 1 && h.sclInter === 0) || !Number.isFinite(h.sclInter))
    return asVoxelArray(stored)
  return scaled(stored, slope, h.sclInter)
}

export function datatypeOf(data: VoxelArray): number {
  if (data instanceof Int16Array) return NiftiType.Int16
  if (data instanceof Uint8Array) return NiftiType.Uint8
  if (data instanceof Uint16Array) return NiftiType.Uint16
  if (data instanceof Int32Array) return NiftiType.Int32
  return NiftiType.Float32
}

/** The voxel bytes as stored (little endian, the host order of every supported platform). */
export function voxelBytes(data: VoxelArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}
