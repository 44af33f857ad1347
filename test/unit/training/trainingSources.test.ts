import { describe, expect, it } from 'vitest'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DEFAULT_HELD_OUT_GROUPS, sampleSlices, unlabeledGroup, zenodoGroups } from '../../../src/main/training/trainingSources'
import { sharedData, tempDir } from '../../helpers/paths'

/** A prepared folder NAME of `n` slices STEMi (image .jpg, mask and edge .png holding their own names); edges only for even i. */
function folder(root: string, name: string, stem: string, n: number): string {
  const dir = join(root, name)
  for (const sub of ['images', 'masks', 'edges']) mkdirSync(join(dir, sub), { recursive: true })
  for (let i = 0; i < n; i++) {
    writeFileSync(join(dir, 'images', `${stem}${i}.jpg`), `${stem}${i} image`)
    writeFileSync(join(dir, 'masks', `${stem}${i}.png`), `${stem}${i} mask`)
    if (i % 2 === 0) writeFileSync(join(dir, 'edges', `${stem}${i}.png`), `${stem}${i} edge`)
  }
  return dir
}

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

  it('samples prepared folders by a seed: per source with names kept, or over all of them named SOURCE-SLICE', () => {
    const t = tempDir()
    try {
      const a = folder(t.path, 'zenodo', 'z', 6)
      const b = folder(t.path, 'pseudo', 'p', 6)
      const names = (dir: string, sub: string): string[] => readdirSync(join(dir, sub)).sort()

      const replay = join(t.path, 'replay')
      sampleSlices([a, b], replay, { perSource: 2 }, 2020)
      const images = names(replay, 'images')
      expect(images).toEqual(['p0.jpg', 'p5.jpg', 'z0.jpg', 'z2.jpg'])
      expect(names(replay, 'masks')).toEqual(images.map((f) => f.replace('.jpg', '.png')))
      expect(existsSync(join(replay, 'done'))).toBe(true)
      // two folders holding the same names cannot be sampled per source into one folder
      expect(() => sampleSlices([a, folder(t.path, 'again', 'z', 6)], join(t.path, 'clash'), { perSource: 6 }, 2020)).toThrow(/two slices are named z0.jpg/)

      const row = join(t.path, 'row')
      sampleSlices([a, b], row, { total: 5 }, 2020)
      const rowImages = names(row, 'images')
      expect(rowImages).toEqual(['pseudo-p1.jpg', 'pseudo-p5.jpg', 'zenodo-z0.jpg', 'zenodo-z4.jpg', 'zenodo-z5.jpg'])
      // each mask is its own slice's, and an edge is copied only where the source has one
      for (const f of rowImages) {
        const [source, slice] = f.replace('.jpg', '').split('-')
        expect(readFileSync(join(row, 'masks', `${source}-${slice}.png`), 'utf8')).toBe(`${slice} mask`)
        expect(existsSync(join(row, 'edges', `${source}-${slice}.png`))).toBe(Number(slice.slice(1)) % 2 === 0)
      }
      // the same seed draws the same sample; another draws another (and a rerun replaces a partial folder)
      writeFileSync(join(row, 'images', 'left-over.jpg'), '')
      sampleSlices([a, b], row, { total: 5 }, 2020)
      expect(names(row, 'images')).toEqual(rowImages)
      sampleSlices([a, b], row, { total: 5 }, 7)
      expect(names(row, 'images')).not.toEqual(rowImages)
    } finally {
      t.remove()
    }
  })
})
