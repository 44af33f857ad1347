import { describe, expect, it } from 'vitest'
import { applyWindow, int16WindowTable, LUNG_WINDOW, MEDIASTINUM_WINDOW, WINDOW_PRESETS } from '../../../src/main/volume/window'

describe('applyWindow', () => {
  it('has the lung (−600/1500) and mediastinum (40/400) presets', () => {
    expect(LUNG_WINDOW).toEqual({ center: -600, width: 1500 })
    expect(MEDIASTINUM_WINDOW).toEqual({ center: 40, width: 400 })
    expect(WINDOW_PRESETS.lung).toBe(LUNG_WINDOW)
  })

  it('maps the lung window −1350…150 HU linearly onto 0…255 and clamps outside', () => {
    const hu = Int16Array.from([-3024, -1350, -600, 150, 3000, -975])
    // −600 is the centre: 127.5 rounds to 128; −975 is a quarter: 63.75 → 64.
    expect(Array.from(applyWindow(hu, -600, 1500))).toEqual([0, 0, 128, 255, 255, 64])
  })

  it('maps the mediastinum window −160…240 HU', () => {
    const hu = Int16Array.from([-161, -160, 40, 240, 241, 140])
    expect(Array.from(applyWindow(hu, MEDIASTINUM_WINDOW.center, MEDIASTINUM_WINDOW.width))).toEqual([0, 0, 128, 255, 255, 191])
  })

  it('gives the same result through the lookup table (int16) and the direct path (float)', () => {
    const values = Array.from({ length: 4001 }, (_, i) => i - 2000)
    const viaTable = applyWindow(Int16Array.from(values), -600, 1500)
    const direct = applyWindow(Float32Array.from(values), -600, 1500)
    expect(Buffer.from(viaTable).equals(Buffer.from(direct))).toBe(true)
    expect(Array.from(applyWindow(Int16Array.from([-32768, 32767]), 0, 100))).toEqual([0, 255])
  })

  it("keeps each window's int16 table: the model window's −1050 / 350 HU ends, the same table on a second call", () => {
    const table = int16WindowTable(-350, 1400)
    expect([table[-1050 + 32768], table[-350 + 32768], table[350 + 32768], table[-2000 + 32768]]).toEqual([0, 128, 255, 0])
    expect(int16WindowTable(-350, 1400)).toBe(table)
    expect(int16WindowTable(-600, 1500)).not.toBe(table)
    expect(() => int16WindowTable(0, -1)).toThrow(/positive/)
  })

  it('refuses a non-positive width', () => {
    expect(() => applyWindow(new Int16Array(1), 0, 0)).toThrow(/positive/)
  })
})
