/**
 * JPEG lossless (ITU-T T.81 process 14, Annex H: Huffman-coded differences from a predictor), the
 * compression of most archived CT series (transfer syntaxes 1.2.840.10008.1.2.4.57 and .70). One
 * grey component, 2–16 bits, predictors 1–7, point transform and restart intervals. Anything else
 * (several components, arithmetic coding, a hierarchical or DCT process) is refused with a
 * JpegLosslessError, and the caller hands the frame to the general decoder (ITK/GDCM in wasm), which
 * is slower: it rereads every file and has a fixed start-up cost.
 */

export class JpegLosslessError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'JpegLosslessError'
  }
}

export interface LosslessImage {
  width: number
  height: number
  /** bits per sample (P) */
  precision: number
  /** row by row, unsigned P-bit samples (the point transform undone) */
  samples: Uint16Array
}

/** A Huffman table as a 16-bit look-ahead: entry = symbol | code length << 8 (0: no such code). */
type HuffmanLookup = Uint16Array

function huffmanLookup(counts: Uint8Array, symbols: Uint8Array): HuffmanLookup {
  const table = new Uint16Array(1 << 16)
  let code = 0
  let k = 0
  for (let length = 1; length <= 16; length++) {
    for (let n = 0; n < counts[length - 1]; n++) {
      if (code >= 1 << length) throw new JpegLosslessError('invalid Huffman table')
      const first = code << (16 - length)
      const last = first + (1 << (16 - length))
      table.fill(symbols[k++] | (length << 8), first, last)
      code++
    }
    code <<= 1
  }
  return table
}

const MARKER = {
  SOI: 0xd8,
  EOI: 0xd9,
  SOF3: 0xc3,
  DHT: 0xc4,
  SOS: 0xda,
  DRI: 0xdd
} as const

/** `expected`: the size the container says; another size is refused before anything is allocated. */
export function decodeJpegLossless(bytes: Uint8Array, expected?: { width: number; height: number }): LosslessImage {
  if (bytes[0] !== 0xff || bytes[1] !== MARKER.SOI) throw new JpegLosslessError('not a JPEG stream (no SOI marker)')
  const tables: (HuffmanLookup | undefined)[] = []
  let pos = 2
  let frame: { precision: number; height: number; width: number; id: number } | undefined
  let restartInterval = 0
  const u16 = (at: number): number => (bytes[at] << 8) | bytes[at + 1]
  while (pos + 4 <= bytes.length) {
    if (bytes[pos] !== 0xff) throw new JpegLosslessError(`expected a marker at byte ${pos}`)
    const marker = bytes[pos + 1]
    if (marker === 0xff) {
      pos++
      continue
    }
    const length = u16(pos + 2)
    const body = pos + 4
    const end = pos + 2 + length
    if (end > bytes.length) throw new JpegLosslessError('truncated marker segment')
    if (marker === MARKER.SOF3) {
      if (bytes[body + 5] !== 1)
        throw new JpegLosslessError(`${bytes[body + 5]} components (one grey component is supported)`)
      frame = { precision: bytes[body], height: u16(body + 1), width: u16(body + 3), id: bytes[body + 6] }
      if (frame.precision < 2 || frame.precision > 16) throw new JpegLosslessError(`precision ${frame.precision}`)
    } else if (marker >= 0xc0 && marker <= 0xcf && marker !== MARKER.DHT && marker !== 0xc8 && marker !== 0xcc) {
      throw new JpegLosslessError(`frame type 0x${marker.toString(16)} (only lossless Huffman, SOF3)`)
    } else if (marker === MARKER.DHT) {
      for (let p = body; p < end;) {
        const id = bytes[p] & 0x0f
        const counts = bytes.subarray(p + 1, p + 17)
        const total = counts.reduce((s, c) => s + c, 0)
        tables[id] = huffmanLookup(counts, bytes.subarray(p + 17, p + 17 + total))
        p += 17 + total
      }
    } else if (marker === MARKER.DRI) {
      restartInterval = u16(body)
    } else if (marker === MARKER.SOS) {
      if (!frame) throw new JpegLosslessError('scan before frame header')
      if (expected && (frame.width !== expected.width || frame.height !== expected.height)) {
        throw new JpegLosslessError(
          `the frame is ${frame.width}×${frame.height}, ${expected.width}×${expected.height} expected`
        )
      }
      if (frame.width === 0 || frame.height === 0) throw new JpegLosslessError('an empty frame')
      if (bytes[body] !== 1) throw new JpegLosslessError('a scan of several components')
      const table = tables[bytes[body + 2] >> 4]
      if (!table) throw new JpegLosslessError('scan names an undefined Huffman table')
      const predictor = bytes[body + 3]
      const pointTransform = bytes[body + 5] & 0x0f
      if (predictor < 1 || predictor > 7) throw new JpegLosslessError(`predictor ${predictor}`)
      const samples = decodeScan(bytes, end, frame, table, predictor, pointTransform, restartInterval)
      return { width: frame.width, height: frame.height, precision: frame.precision, samples }
    } else if (marker === MARKER.EOI) {
      break
    }
    pos = end
  }
  throw new JpegLosslessError('no scan in the stream')
}

function decodeScan(
  bytes: Uint8Array,
  start: number,
  frame: { precision: number; height: number; width: number },
  table: HuffmanLookup,
  predictor: number,
  pointTransform: number,
  restartInterval: number
): Uint16Array {
  const { width, height, precision } = frame
  if (restartInterval % width !== 0)
    throw new JpegLosslessError(`a restart interval of ${restartInterval} samples, not whole rows of ${width}`)
  const restartRows = restartInterval / width
  const out = new Uint16Array(width * height)
  const diffs = new Int32Array(width)
  const initial = 1 << (precision - pointTransform - 1)
  // The bit reader, in locals: up to 32 bits in `buffer`, `count` of them valid, filled a byte at a
  // time with the zero stuffed after 0xFF skipped; at a marker it feeds zeros.
  let pos = start
  let buffer = 0
  let count = 0
  let atMarker = false
  let restarts = 0
  for (let y = 0; y < height; y++) {
    // the first row of the scan or of a restart interval predicts from the left only
    let firstRow = y === 0
    if (restartRows > 0 && y > 0 && y % restartRows === 0) {
      // realign after the RSTm marker
      while (pos + 1 < bytes.length && !(bytes[pos] === 0xff && bytes[pos + 1] >= 0xd0 && bytes[pos + 1] <= 0xd7)) pos++
      if (pos + 1 >= bytes.length || bytes[pos + 1] !== 0xd0 + (restarts++ % 8))
        throw new JpegLosslessError(`restart marker missing before row ${y}`)
      pos += 2
      buffer = 0
      count = 0
      atMarker = false
      firstRow = true
    }
    // 1. the row's differences
    for (let x = 0; x < width; x++) {
      while (count <= 24) {
        let byte = 0
        if (!atMarker && pos < bytes.length) {
          byte = bytes[pos]
          if (byte !== 0xff) pos++
          else if (bytes[pos + 1] === 0) pos += 2
          else {
            atMarker = true
            byte = 0
          }
        }
        buffer = (buffer << 8) | byte
        count += 8
      }
      const entry = table[(buffer >>> (count - 16)) & 0xffff]
      if (entry === 0) throw new JpegLosslessError(`invalid Huffman code at row ${y}, column ${x}`)
      count -= entry >> 8
      const size = entry & 0xff
      if (size === 0) diffs[x] = 0
      else if (size === 16) diffs[x] = 32768
      else {
        if (count < size) {
          // at most 15 more bits: one more fill
          while (count <= 24) {
            let byte = 0
            if (!atMarker && pos < bytes.length) {
              byte = bytes[pos]
              if (byte !== 0xff) pos++
              else if (bytes[pos + 1] === 0) pos += 2
              else {
                atMarker = true
                byte = 0
              }
            }
            buffer = (buffer << 8) | byte
            count += 8
          }
        }
        count -= size
        const v = (buffer >>> count) & ((1 << size) - 1)
        diffs[x] = v < 1 << (size - 1) ? v - (1 << size) + 1 : v
      }
    }
    // 2. the samples: prediction + difference, modulo 2¹⁶
    const row = y * width
    const up = row - width
    if (firstRow) {
      let left = initial
      for (let x = 0; x < width; x++) left = out[row + x] = (left + diffs[x]) & 0xffff
      continue
    }
    out[row] = (out[up] + diffs[0]) & 0xffff
    switch (predictor) {
      case 1:
        for (let x = 1; x < width; x++) out[row + x] = (out[row + x - 1] + diffs[x]) & 0xffff
        break
      case 2:
        for (let x = 1; x < width; x++) out[row + x] = (out[up + x] + diffs[x]) & 0xffff
        break
      case 3:
        for (let x = 1; x < width; x++) out[row + x] = (out[up + x - 1] + diffs[x]) & 0xffff
        break
      case 4:
        for (let x = 1; x < width; x++)
          out[row + x] = (out[row + x - 1] + out[up + x] - out[up + x - 1] + diffs[x]) & 0xffff
        break
      case 5:
        for (let x = 1; x < width; x++)
          out[row + x] = (out[row + x - 1] + ((out[up + x] - out[up + x - 1]) >> 1) + diffs[x]) & 0xffff
        break
      case 6:
        for (let x = 1; x < width; x++)
          out[row + x] = (out[up + x] + ((out[row + x - 1] - out[up + x - 1]) >> 1) + diffs[x]) & 0xffff
        break
      default:
        for (let x = 1; x < width; x++) out[row + x] = (((out[row + x - 1] + out[up + x]) >> 1) + diffs[x]) & 0xffff
    }
  }
  if (pointTransform > 0) for (let i = 0; i < out.length; i++) out[i] = (out[i] << pointTransform) & 0xffff
  return out
}
