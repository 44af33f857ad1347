import { afterAll, describe, expect, it } from 'vitest'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import dcmjs, { type DicomDict } from 'dcmjs'
import { readDicomSeries } from '../../../src/main/volume/dicom'
import { VolumeReadError } from '../../../src/main/volume/errors'
import { lungmaskSlices, p002, tempDir } from '../../helpers/paths'

const dir = tempDir('pulmo-volume-errors-')
afterAll(() => dir.remove())

function folder(name: string): string {
  const path = join(dir.path, name)
  mkdirSync(path)
  return path
}

/** A real file re-written by dcmjs after `edit` changed its data set. */
function rewrite(source: string, target: string, edit: (d: DicomDict) => void): string {
  const bytes = readFileSync(source)
  const d = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
  edit(d)
  writeFileSync(target, Buffer.from(d.write()))
  return target
}

async function refusal(paths: string | string[]): Promise<VolumeReadError> {
  try {
    await readDicomSeries(paths)
  } catch (error) {
    expect(error).toBeInstanceOf(VolumeReadError)
    return error as VolumeReadError
  }
  throw new Error('expected the read to be refused')
}

describe('readDicomSeries refuses bad input with a VolumeReadError naming the file', () => {
  it('a truncated file (first 1000 bytes of a slice)', async () => {
    const file = join(folder('truncated'), 'cut.dcm')
    writeFileSync(file, readFileSync(join(p002, 'IM0001.dcm')).subarray(0, 1000))
    const e = await refusal(file)
    expect(e.file).toBe(file)
    expect(e.message).toContain('cut.dcm')
    expect(e.message).toMatch(/truncated/)
  })

  it('a file cut inside its pixel data', async () => {
    const file = join(folder('truncated-pixels'), 'cut.dcm')
    const whole = readFileSync(join(lungmaskSlices, '0.dcm'))
    writeFileSync(file, whole.subarray(0, whole.length - 10))
    expect((await refusal(file)).message).toMatch(/cut\.dcm.*truncated/)
  })

  it('a text file named .dcm, also inside a folder beside a good slice', async () => {
    const mixed = folder('text')
    const file = join(mixed, 'x.dcm')
    writeFileSync(file, 'This is a radiology note, not an image.\n')
    expect((await refusal(file)).message).toMatch(/x\.dcm.*not a DICOM file/)
    copyFileSync(join(lungmaskSlices, '0.dcm'), join(mixed, '0.dcm'))
    expect((await refusal(mixed)).file).toBe(file)
  })

  it('a non-CT modality, saying which', async () => {
    const file = rewrite(join(p002, 'IM0001.dcm'), join(folder('mr'), 'mr.dcm'), (d) => {
      d.dict['00080060'].Value = ['MR']
    })
    const e = await refusal(file)
    expect(e.file).toBe(file)
    expect(e.message).toMatch(/not a CT image \(modality MR\)/)
  })

  it('a secondary capture tagged CT (a screenshot of a CT screen), named as such', async () => {
    const file = rewrite(join(p002, 'IM0001.dcm'), join(folder('sc'), 'capture.dcm'), (d) => {
      d.dict['00080016'].Value = ['1.2.840.10008.5.1.4.1.1.7']
      d.meta['00020002'].Value = ['1.2.840.10008.5.1.4.1.1.7']
    })
    const e = await refusal(file)
    expect(e.file).toBe(file)
    expect(e.message).toMatch(/not a CT image \(modality SC\)/)
  })

  it('an image without pixel data', async () => {
    const file = rewrite(join(lungmaskSlices, '0.dcm'), join(folder('nopixels'), 'empty.dcm'), (d) => {
      delete d.dict['7FE00010']
    })
    expect((await refusal(file)).message).toMatch(/empty\.dcm.*missing pixel data/)
  })

  it('slices of different sizes in one series', async () => {
    const mixed = folder('sizes')
    copyFileSync(join(lungmaskSlices, '0.dcm'), join(mixed, '0.dcm'))
    const small = rewrite(join(lungmaskSlices, '1.dcm'), join(mixed, '1.dcm'), (d) => {
      d.dict['00280010'].Value = [256]
      d.dict['00280011'].Value = [256]
      d.dict['7FE00010'].Value = [new ArrayBuffer(256 * 256 * 2)]
    })
    const e = await refusal(mixed)
    expect(e.file).toBe(small)
    expect(e.message).toMatch(/slice size 256×256 differs from 512×512/)
  })

  it('duplicated slice positions', async () => {
    const dup = folder('duplicates')
    copyFileSync(join(p002, 'IM0001.dcm'), join(dup, 'a.dcm'))
    copyFileSync(join(p002, 'IM0001.dcm'), join(dup, 'b.dcm'))
    copyFileSync(join(p002, 'IM0002.dcm'), join(dup, 'c.dcm'))
    expect((await refusal(dup)).message).toMatch(/duplicated slice position/)
  })

  it('missing slices (IM0005 dropped from IM0001–IM0010)', async () => {
    const gap = folder('gap')
    for (let i = 1; i <= 10; i++) {
      if (i === 5) continue
      const name = `IM${String(i).padStart(4, '0')}.dcm`
      copyFileSync(join(p002, name), join(gap, name))
    }
    const e = await refusal(gap)
    // Sorted by increasing z (IM0010 first), the gap lies between IM0006 and IM0004.
    expect(e.file).toBe(join(gap, 'IM0004.dcm'))
    expect(e.message).toMatch(/missing slices: a gap of 4 mm .*IM0006\.dcm.* 2 mm apart/)
  })

  it('a folder without DICOM files', async () => {
    const empty = folder('nodicom')
    writeFileSync(join(empty, 'README'), 'nothing here')
    const e = await refusal(empty)
    expect(e.file).toBe(empty)
    expect(e.message).toMatch(/no DICOM files found/)
  })

  it('a path that does not exist', async () => {
    expect((await refusal(join(dir.path, 'nowhere'))).message).toMatch(/nowhere.*does not exist/)
  })
})
