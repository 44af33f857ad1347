import { describe, expect, it } from 'vitest'
import { bodyMask2d, fillLimit } from '../../../src/renderer/src/annotation/fillLimit'
import { floodFill } from '../../../src/renderer/src/annotation/paint'
import { readVolumes } from '../../../src/main/volume'
import { lungmaskSlices } from '../../helpers/paths'

/** A 12 × 8 slice: air around a body (0 HU) holding two air-filled lungs (−900 HU). */
function phantom(): { values: Int16Array; lungs: Uint8Array; nx: number; ny: number } {
  const nx = 12
  const ny = 8
  const values = new Int16Array(nx * ny).fill(-1000)
  const lungs = new Uint8Array(nx * ny)
  for (let y = 1; y < 7; y++) for (let x = 1; x < 11; x++) values[x + y * nx] = 0
  for (let y = 2; y < 6; y++) {
    for (const [x, side] of [
      [2, 1],
      [3, 1],
      [4, 1],
      [7, 2],
      [8, 2],
      [9, 2]
    ]) {
      values[x + y * nx] = -900
      lungs[x + y * nx] = side
    }
  }
  return { values, lungs, nx, ny }
}

function fillFrom(
  x: number,
  y: number,
  lungs: Uint8Array | null
): { filled: number; slice: Uint8Array; message?: string } {
  const { values, nx, ny } = phantom()
  const slice = new Uint8Array(nx * ny)
  const limit = fillLimit({ nx, ny, seed: x + y * nx, lungs, values, airBelow: -500, constraint: null })
  if ('refused' in limit) return { filled: 0, slice, message: limit.refused }
  const filled = floodFill({ nx, ny, slice, paintable: limit.inside }, { x: x + 0.5, y: y + 0.5 }, 1)
  return { filled, slice, message: limit.region }
}

describe('fill limits', () => {
  it('the body is everything but the air connected to the border', () => {
    const { values, nx, ny } = phantom()
    const body = bodyMask2d(values, nx, ny, -500)
    expect(body.reduce((a, b) => a + b, 0)).toBe(10 * 6) // the lungs are inside the body
    expect(body[0]).toBe(0)
  })

  it('a click in a lung fills that lung only; in the body, the body outside the lungs; outside, nothing', () => {
    const { lungs } = phantom()
    const right = fillFrom(3, 3, lungs)
    expect([right.filled, right.message]).toEqual([12, 'the right lung'])
    expect(right.slice[8 + 3 * 12]).toBe(0) // the left lung is untouched
    const body = fillFrom(1, 1, lungs)
    expect([body.filled, body.message]).toEqual([60 - 24, 'the body outside the lungs'])
    const air = fillFrom(0, 0, lungs)
    expect(air.filled).toBe(0)
    expect(air.message).toMatch(/outside the body/)
    // before any analysis (no lung mask) a click in the body still stays in it
    expect(fillFrom(3, 3, null).filled).toBe(60)
  })

  it('the active constraint bounds the fill instead', () => {
    const { values, lungs, nx, ny } = phantom()
    const limit = fillLimit({
      nx,
      ny,
      seed: 0,
      lungs,
      values,
      airBelow: -500,
      constraint: { inside: () => true, region: 'the HU range' }
    })
    expect('refused' in limit ? limit.refused : limit.region).toBe('the HU range')
  })

  it('on a real CT slice the body is the patient, not the air around it', async () => {
    const [volume] = await readVolumes([lungmaskSlices])
    const [nx, ny] = volume.dimensions
    const body = bodyMask2d(volume.data.subarray(0, nx * ny), nx, ny, -500)
    const area = body.reduce((a, b) => a + b, 0) * volume.spacing[0] * volume.spacing[1]
    expect(body[0]).toBe(0)
    expect(body[256 + 256 * nx]).toBe(1) // the middle of the chest
    // an adult chest cross-section: a few hundred square centimetres, far less than the field of view
    expect(area / 100).toBeGreaterThan(300)
    expect(area / 100).toBeLessThan((0.8 * (nx * ny * volume.spacing[0] * volume.spacing[1])) / 100)
  })
})
