import type { VolumeHeader } from '../../../shared/api'

export type VoxelArray = Int16Array | Uint8Array

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/**
 * Views the `series.voxels` payload (little endian, x fastest, then y, then slice) as typed values.
 * The payload is copied only when a typed view is impossible (odd offset, big-endian host).
 */
export function decodeVoxels(bytes: Uint8Array, header: VolumeHeader): VoxelArray {
  const [nx, ny, nz] = header.dimensions
  const count = nx * ny * nz
  const bytesPerVoxel = header.voxelType === 'int16' ? 2 : 1
  if (bytes.byteLength !== count * bytesPerVoxel) {
    throw new Error(
      `The server sent ${bytes.byteLength} bytes of voxels; ${nx}×${ny}×${nz} ${header.voxelType} needs ${count * bytesPerVoxel}.`
    )
  }
  if (header.voxelType === 'uint8') return bytes
  if (littleEndianHost && bytes.byteOffset % 2 === 0) return new Int16Array(bytes.buffer, bytes.byteOffset, count)
  const values = new Int16Array(count)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let i = 0; i < count; i++) values[i] = view.getInt16(2 * i, true)
  return values
}
