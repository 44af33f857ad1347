import { describe, expect, it } from 'vitest'
import { lungVolumeWarning } from '../../../src/shared/lungVolumeChange'

describe('lungVolumeWarning', () => {
  it('stays quiet within the 25 % a different inspiration explains', () => {
    expect(lungVolumeWarning(4000, 4900)).toBeNull()
    expect(lungVolumeWarning(4000, 3000)).toBeNull()
  })
  it('flags a 44 % change with both volumes', () => {
    expect(lungVolumeWarning(3000, 4320)).toBe(
      'The lung volume grew by 44 % (3000 → 4320 mL), more than the 25 % a different depth of inspiration explains: check the inspiration, the scan range and that both studies are of this patient before reading the change.'
    )
    expect(lungVolumeWarning(4000, 2000)).toContain('fell by 50 %')
  })
  it('says nothing without an earlier volume', () => {
    expect(lungVolumeWarning(0, 100)).toBeNull()
  })
})
