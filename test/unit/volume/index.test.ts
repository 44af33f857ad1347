import { afterAll, describe, expect, it } from 'vitest'
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeImageNode } from '@itk-wasm/image-io'
import { checksum, readMetaImage, readNrrd, readVolumes, VolumeReadError, writePng8, writeVolume, type Volume } from '../../../src/main/volume'
import { lungmaskSlices, semisegTrain, tempDir } from '../../helpers/paths'

const dir = tempDir('pulmo-volume-index-')
afterAll(() => dir.remove())

function folder(name: string): string {
  const path = join(dir.path, name)
  mkdirSync(path)
  return path
}

/** A small oblique int16 volume, rotated 30° about z and flipped in z. */
function oblique(): Volume {
  const c = Math.cos(Math.PI / 6)
  const s = Math.sin(Math.PI / 6)
  return {
    data: Int16Array.from({ length: 24 }, (_, i) => i * 11 - 100),
    dimensions: [4, 3, 2],
    spacing: [0.7, 0.8, 2.5],
    origin: [-10.5, 20.25, -437.7],
    direction: [c, -s, 0, s, c, 0, 0, 0, -1],
    modality: 'CT',
    unit: 'HU'
  }
}

async function writeWithItk(v: Volume, path: string): Promise<void> {
  await writeImageNode(
    {
      imageType: { dimension: 3, componentType: 'int16', pixelType: 'Scalar', components: 1 },
      name: 'test',
      origin: [...v.origin],
      spacing: [...v.spacing],
      direction: Float64Array.from(v.direction),
      size: [...v.dimensions],
      metadata: new Map(),
      data: v.data
    },
    path
  )
}

function expectSame(a: Volume, b: Volume): void {
  expect(a.dimensions).toEqual(b.dimensions)
  expect(Array.from(a.data)).toEqual(Array.from(b.data))
  for (let i = 0; i < 3; i++) {
    expect(a.spacing[i]).toBeCloseTo(b.spacing[i], 6)
    expect(a.origin[i]).toBeCloseTo(b.origin[i], 6)
  }
  a.direction.forEach((d, i) => expect(d).toBeCloseTo(b.direction[i], 6))
}

describe('readNrrd / readMetaImage (ITK)', () => {
  it('read .nrrd, .mha and .mhd + .raw with their LPS geometry', async () => {
    const v = oblique()
    const sub = folder('itk')
    for (const name of ['v.nrrd', 'v.mha', 'v.mhd']) await writeWithItk(v, join(sub, name))
    expect(readdirSync(sub).sort()).toEqual(['v.mha', 'v.mhd', 'v.nrrd', 'v.raw'])
    const nrrd = await readNrrd(join(sub, 'v.nrrd'))
    expectSame(nrrd, v)
    expect(nrrd.unit).toBe('HU')
    expectSame(await readMetaImage(join(sub, 'v.mha')), v)
    expectSame(await readMetaImage(join(sub, 'v.mhd')), v)
    // A folder of volume files: each read once (the .raw beside the .mhd is not a volume).
    expect(await readVolumes([sub])).toHaveLength(3)
  })
})

describe('readVolumes', () => {
  it('dispatches DICOM folders, NIfTI, NRRD and images, DICOM first', async () => {
    const sub = folder('mixed')
    const nii = join(sub, 'v.nii.gz')
    await writeVolume(nii, oblique())
    const nrrd = join(sub, 'v.nrrd')
    await writeWithItk(oblique(), nrrd)
    const jpg = join(semisegTrain, 'images/0.jpg')
    const volumes = await readVolumes([nii, jpg, lungmaskSlices, nrrd])
    expect(volumes.map((v) => [v.unit, v.dimensions.join('×')])).toEqual([
      ['HU', '512×512×2'],
      ['HU', '4×3×2'],
      ['grey', '273×369×1'],
      ['HU', '4×3×2']
    ])
    expectSame(volumes[1], oblique())
    expect(volumes[1].origin).toEqual(oblique().origin)
  })

  it('reads DICOM by content, whatever the file name', async () => {
    const sub = folder('noext')
    copyFileSync(join(lungmaskSlices, '0.dcm'), join(sub, 'IMAGE0'))
    copyFileSync(join(lungmaskSlices, '1.dcm'), join(sub, 'IMAGE1'))
    const [v] = await readVolumes([join(sub, 'IMAGE1'), join(sub, 'IMAGE0')])
    expect(v.dimensions).toEqual([512, 512, 2])
    expect((await readVolumes([sub]))[0].dimensions).toEqual([512, 512, 2])
  })

  it('reads a folder of images as a stack when it holds no DICOM', async () => {
    const sub = folder('pngs')
    await writePng8(join(sub, 'b.png'), Uint8Array.from([1, 2, 3, 4]), 2, 2)
    await writePng8(join(sub, 'a.png'), Uint8Array.from([5, 6, 7, 8]), 2, 2)
    const [v] = await readVolumes([sub])
    expect(v.dimensions).toEqual([2, 2, 2])
    expect(Array.from(v.data)).toEqual([5, 6, 7, 8, 1, 2, 3, 4])
  })

  it('refuses unknown files, empty folders and empty requests with a VolumeReadError', async () => {
    const txt = join(dir.path, 'notes.txt')
    writeFileSync(txt, 'nothing to see')
    await expect(readVolumes([txt])).rejects.toThrow(/notes\.txt: unsupported file format/)
    const empty = folder('empty')
    await expect(readVolumes([empty])).rejects.toThrow(/empty: no DICOM, NIfTI, NRRD, MetaImage, PNG or JPEG files found/)
    await expect(readVolumes([])).rejects.toBeInstanceOf(VolumeReadError)
  })
})

describe('writeVolume and checksum', () => {
  it('writes NIfTI only', async () => {
    await expect(writeVolume(join(dir.path, 'v.png'), oblique())).rejects.toThrow(/\.nii or \.nii\.gz/)
  })

  it('fingerprints the voxel bytes (SHA-256), not the geometry', () => {
    const a = oblique()
    expect(checksum(a)).toMatch(/^[0-9a-f]{64}$/)
    expect(checksum({ data: Int16Array.from(a.data) })).toBe(checksum(a))
    const b = Int16Array.from(a.data)
    b[5] += 1
    expect(checksum({ data: b })).not.toBe(checksum(a))
    // The bytes of a view, not of its whole buffer.
    const big = new Int16Array(100)
    big.set(a.data, 10)
    expect(checksum({ data: big.subarray(10, 34) })).toBe(checksum(a))
  })
})
