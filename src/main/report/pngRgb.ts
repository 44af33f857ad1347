import { encodePng } from '../volume/png'

/** PNG bytes of an 8-bit RGB image (`rgb`: row-major, 3 bytes a pixel, row 0 at the top), for the report's figures. */
export function encodePngRgb(rgb: Uint8Array, width: number, height: number): Buffer {
  return encodePng(rgb, width, height, 3)
}
