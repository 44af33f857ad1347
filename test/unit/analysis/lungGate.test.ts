import { describe, expect, it } from 'vitest'
import { gateProbabilities, lungGateSlice } from '../../../src/main/analysis/lungGate'

describe('lungGateSlice / gateProbabilities (the analysis lung gate, one slice)', () => {
  // 9 × 7, one lung pixel at (4, 3); pixels 1 mm wide and 2 mm high
  const width = 9
  const height = 7
  const lung = new Uint8Array(width * height)
  lung[3 * width + 4] = 255

  it('keeps the pixels within the margin in mm, with anisotropic pixels', () => {
    const gate = new Uint8Array(width * height)
    expect(lungGateSlice(lung, width, height, 2, [1, 2], gate)).toBe(true)
    const kept: string[] = []
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (gate[y * width + x]) kept.push(`${x},${y}`)
    // within 2 mm: ±2 px along x on the lung's row, the pixel itself one row (2 mm) above and below
    expect(kept).toEqual(['4,2', '2,3', '3,3', '4,3', '5,3', '6,3', '4,4'])
  })

  it('keeps only the lung itself with no margin, nothing on a slice without lung', () => {
    const gate = new Uint8Array(width * height).fill(1)
    lungGateSlice(lung, width, height, 0, [1, 1], gate)
    expect(gate.reduce((a, b) => a + b, 0)).toBe(1)
    expect(gate[3 * width + 4]).toBe(1)
    const none = new Uint8Array(width * height).fill(1)
    expect(lungGateSlice(new Uint8Array(width * height), width, height, 5, [1, 1], none)).toBe(false)
    expect(none.every((v) => v === 0)).toBe(true)
  })

  it('zeroes a map outside the gate and refuses masks of another size', () => {
    const gate = new Uint8Array(width * height)
    lungGateSlice(lung, width, height, 1, [1, 1], gate)
    const map = new Float32Array(width * height).fill(0.75)
    const gated = gateProbabilities(map, gate)
    expect(gated.reduce((a, b) => a + b, 0)).toBeCloseTo(5 * 0.75, 6) // the pixel and its 4 neighbours at 1 mm
    expect(gated[3 * width + 5]).toBe(0.75)
    expect(gated[0]).toBe(0)
    expect(map[0]).toBe(0.75) // the input is not touched
    expect(() => lungGateSlice(new Uint8Array(10), width, height, 1, [1, 1], gate)).toThrow('not 9×7')
    expect(() => gateProbabilities(new Float32Array(3), gate)).toThrow('3 pixels')
  })
})
