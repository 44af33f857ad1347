import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { DEFAULT_HELD_OUT_GROUPS, unlabeledGroup, zenodoGroups } from '../../../src/main/training/trainingSources'
import { sharedData } from '../../helpers/paths'

describe('training sources', () => {
  it('groups the zenodo slices by volume: 20 volumes, 1614 slices, three coronacases volumes held out', () => {
    const groups = zenodoGroups(join(sharedData, 'zenodo-covid19-ct-seg'))
    expect(groups.size).toBe(16) // 10 coronacases + 6 Radiopaedia groups (a group may hold more than one patient)
    expect([...groups.values()].reduce((a, f) => a + f.length, 0)).toBe(1614)
    expect(DEFAULT_HELD_OUT_GROUPS.map((g) => groups.get(g)?.length)).toEqual([120, 116, 181])
  })

  it('tells which coronacases volume an unlabelled slice comes from, and none for Radiopaedia names', () => {
    expect(unlabeledGroup('Data-1_coronacases_org_004_12')).toBe('coronacases-04')
    expect(unlabeledGroup('Data-1_coronacases_org_010_1')).toBe('coronacases-10')
    expect(unlabeledGroup('Data-1_radiopaedia_org_covid-19-pneumonia-10_85902_1-dcm_3')).toBeUndefined()
  })
})
