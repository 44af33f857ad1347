/**
 * Bad inputs (issue 7): every broken file of the corpus is refused by the real import service with
 * a message that names the file and says what is wrong, within a few seconds (each test has its
 * own timeout), leaving the database rows and the data folder exactly as they were. A few cases go
 * through the built CLI to show the exit code and stderr. Inputs that are odd but valid (a folder
 * of two series, a non-image object beside a series, unicode paths) are imported.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { copyFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { basename, join, relative } from 'node:path'
import { PulmoService, toApiError } from '../../src/main/services'
import { writeNifti } from '../../src/main/volume/nifti'
import { encodePng } from '../../src/main/volume/png'
import { MAX_VOXELS } from '../../src/main/volume/limits'
import type { Volume } from '../../src/main/volume/volume'
import * as broken from '../helpers/brokenFiles'
import { photographs } from '../helpers/chestCt'
import { projectRoot, tempDir } from '../helpers/paths'

/** Generous for a 2-core machine shared with other work, yet far below "hangs". */
const QUICK = 15_000
const CLI = 60_000

function filesUnder(root: string): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name)
      if (e.isDirectory()) walk(p)
      // The SQLite files are compared through their rows, which is what matters.
      else if (!e.name.startsWith('pulmo.sqlite')) out.push(`${relative(root, p)} ${statSync(p).size}`)
    }
  }
  walk(root)
  return out.sort()
}

/** Every row of every table and every file of the data folder (with its size). */
function snapshot(service: PulmoService): string {
  const { db } = service.store
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as Array<{ name: string }>
  const rows = tables.map((t) => [t.name, db.prepare(`SELECT * FROM "${t.name}"`).all()])
  return JSON.stringify({ rows, files: filesUnder(service.dataDir) })
}

describe('bad inputs are refused clearly and change nothing', () => {
  const dir = tempDir('pulmo-bad-inputs-')
  const corpus = broken.folder(dir.path, 'corpus')
  let service: PulmoService
  let small: Volume

  /** Imports `paths`, expecting a bad-input refusal matching `reason` and naming `file`. */
  async function refused(paths: string[], file: string, reason: RegExp): Promise<string> {
    const before = snapshot(service)
    let error: unknown
    try {
      await service.invoke('studies.import', { paths })
    } catch (e) {
      error = e
    }
    expect(error, `importing ${paths.join(', ')} must be refused`).toBeInstanceOf(Error)
    const api = toApiError(error)
    expect(api.code).toBe('bad-input')
    expect(api.message).toContain(file)
    expect(api.message).toMatch(reason)
    expect(snapshot(service)).toBe(before)
    // The service is still up and answers.
    expect((await service.invoke('studies.list', {})).length).toBeGreaterThan(0)
    return api.message
  }

  beforeAll(async () => {
    service = new PulmoService({ dataDir: join(dir.path, 'data'), transport: 'websocket' })
    small = await broken.smallCtVolume()
    // A study already in the database, so "unchanged" compares real rows and a real voxel file.
    const baseline = join(dir.path, 'baseline.nii.gz')
    await writeNifti(baseline, small)
    const r = await service.invoke('studies.import', { paths: [baseline] })
    expect(r.created).toHaveLength(1)
  })
  afterAll(() => {
    service.close()
    dir.remove()
  })

  describe('DICOM', () => {
    it(
      'truncated uncompressed slice (cut inside its pixel data)',
      async () => {
        const file = broken.truncatedDicom(corpus)
        await refused(
          [file],
          file,
          /file is truncated \(element \(7FE0,0010\) at byte \d+ runs past the end, 515198 bytes\)/
        )
      },
      QUICK
    )

    it(
      'truncated JPEG-lossless slice (cut inside its encapsulated frame)',
      async () => {
        const file = broken.truncatedCompressedDicom(corpus)
        await refused([file], file, /file is truncated/)
      },
      QUICK
    )

    it(
      'bit-flipped PixelData length (claims 1 GiB more than the file holds)',
      async () => {
        const file = broken.bitFlippedLengthDicom(corpus)
        await refused([file], file, /element \(7FE0,0010\) at byte \d+ runs past the end/)
      },
      QUICK
    )

    it(
      'bit-flipped "DICM" marker in a file named .dcm',
      async () => {
        const file = broken.bitFlippedMagicDicom(corpus)
        await refused([file], file, /not a DICOM file \(no "DICM" marker at byte 128\)/)
      },
      QUICK
    )

    it(
      'image header without pixel data',
      async () => {
        const file = broken.dicomWithoutPixels(corpus)
        await refused([file], file, /missing pixel data \(no PixelData element\)/)
      },
      QUICK
    )

    it(
      'slices of different sizes in one series',
      async () => {
        const [series, smallSlice] = broken.mismatchedSizes(corpus)
        await refused([series], smallSlice, /slice size 256×256 differs from 512×512 of .*0\.dcm in the same series/)
      },
      QUICK
    )

    it(
      'duplicated slice (the same file twice, same SOPInstanceUID) is refused, not silently dropped',
      async () => {
        const series = broken.duplicatedSlices(corpus)
        const message = await refused(
          [series],
          series,
          /duplicated slice position .*same as .*; both are the same image, SOPInstanceUID [\d.]+\)/
        )
        expect(message).toMatch(/0( copy)?\.dcm/)
      },
      QUICK
    )

    it(
      'missing slice (a 4 mm gap in 2 mm spacing) is refused, naming the slices either side',
      async () => {
        const series = broken.missingSlice(corpus)
        await refused(
          [series],
          join(series, 'IM0003.dcm'),
          /missing slices: a gap of 4 mm before this slice \(after .*IM0005\.dcm\) where slices are 2 mm apart/
        )
      },
      QUICK
    )

    it(
      'absurd dimensions (Rows = Columns = 1 000 000) are refused before any allocation',
      async () => {
        const file = broken.absurdDicom(corpus)
        await refused(
          [file],
          file,
          new RegExp(
            `series size \\(columns × rows × slices\\) 1000000 × 1000000 × 1 claimed by the header is beyond Pulmo's limits \\(16384 per side, ${MAX_VOXELS} voxels in all\\)`
          )
        )
      },
      QUICK
    )

    it(
      'non-CT modalities are refused naming the modality (MR, SEG)',
      async () => {
        const mr = broken.otherModality(corpus, 'MR')
        await refused([mr], mr, /not a CT image \(modality MR\); Pulmo reads CT series only/)
        const seg = broken.otherModality(corpus, 'SEG')
        await refused([seg], seg, /not a CT image \(modality SEG\)/)
      },
      QUICK
    )

    it(
      'a structured report alone (no image) is refused; beside a broken series the series is what is reported',
      async () => {
        const lone = broken.folder(corpus, 'sr-alone')
        const sr = broken.structuredReport(lone)
        await refused([sr], sr, /no DICOM images found \(only non-image DICOM objects\)/)

        const withSeries = broken.folder(corpus, 'sr-beside-series')
        broken.structuredReport(withSeries)
        const [folderOfSeries] = broken.mismatchedSizes(withSeries)
        // The series beside it is itself broken here: the refusal must be about the series, not the SR.
        await refused([withSeries], join(folderOfSeries, '1.dcm'), /slice size 256×256 differs/)
      },
      QUICK
    )

    it('a folder of mixed series (and a structured report) imports one series per SeriesInstanceUID', async () => {
      const before = (await service.invoke('studies.list', {})).flatMap((s) => s.series).length
      const r = await service.invoke('studies.import', { paths: [broken.mixedSeriesFolder(corpus)] })
      expect(r.created).toHaveLength(2)
      const series = (await service.invoke('studies.list', {}))
        .flatMap((s) => s.series)
        .filter((s) => r.created.includes(s.id))
      expect(series.map((s) => [s.modality, s.columns, s.rows, s.slices]).sort()).toEqual([
        ['CT', 512, 512, 2],
        ['CT', 512, 512, 3]
      ])
      expect((await service.invoke('studies.list', {})).flatMap((s) => s.series)).toHaveLength(before + 2)
    }, 60_000)
  })

  describe('NIfTI and NRRD', () => {
    it(
      'wrong header length (sizeof_hdr 1234)',
      async () => {
        const file = broken.niftiWrongHeaderLength(corpus, small)
        await refused([file], file, /not a NIfTI-1 file \(sizeof_hdr is 1234, not 348\)/)
      },
      QUICK
    )

    it(
      'gzip error (a corrupted byte in the deflate stream)',
      async () => {
        const file = broken.niftiGzipCorrupt(corpus, small)
        await refused([file], file, /file is truncated or corrupt \(gzip data does not decompress\): \w/)
      },
      QUICK
    )

    it(
      'truncated .nii.gz',
      async () => {
        const file = broken.niftiGzipTruncated(corpus, small)
        await refused(
          [file],
          file,
          /file is truncated or corrupt \(gzip data does not decompress\): unexpected end of file/
        )
      },
      QUICK
    )

    it(
      'absurd dimensions (32767³ voxels claimed over 16 KB of data)',
      async () => {
        const file = broken.niftiAbsurdDimensions(corpus, small)
        await refused([file], file, /volume size 32767 × 32767 × 32767 claimed by the header is beyond Pulmo's limits/)
      },
      QUICK
    )

    it(
      'a gzip bomb (16 KB of voxels followed by 4 GiB of zeros) is stopped at the size its header describes',
      async () => {
        const { path, inflatedBytes } = broken.niftiZipBomb(corpus, small)
        expect(statSync(path).size).toBeLessThan(inflatedBytes / 500)
        const headerBytes = 352 + 64 * 64 * 2 * 2
        const message = await refused(
          [path],
          path,
          /gzip data decompresses to more than the (\d+) bytes its NIfTI header describes \(a damaged file or a decompression bomb\)/
        )
        const described = Number(/more than the (\d+) bytes/.exec(message)?.[1])
        expect(described).toBeGreaterThan(headerBytes) // header, Pulmo's extension, the voxels
        expect(described).toBeLessThan(headerBytes + 4096)
      },
      QUICK
    )

    it(
      'a NRRD header claiming 10⁶ × 10⁶ × 10⁶ voxels',
      async () => {
        const file = broken.nrrdAbsurdDimensions(corpus)
        await refused(
          [file],
          file,
          /NRRD image size 1000000 × 1000000 × 1000000 claimed by the header is beyond Pulmo's limits/
        )
      },
      QUICK
    )
  })

  describe('PNG and JPEG', () => {
    it(
      'garbage named .png and .jpg',
      async () => {
        const png = broken.pngGarbage(corpus)
        await refused(
          [png],
          png,
          /not a readable PNG or JPEG image \(its first bytes are neither the PNG nor the JPEG signature\)/
        )
        const jpg = broken.jpegGarbage(corpus)
        await refused([jpg], jpg, /not a readable PNG or JPEG image \(its first bytes are neither/)
      },
      QUICK
    )

    it(
      'truncated PNG and JPEG (a decoder would fill a cut JPEG with grey)',
      async () => {
        const png = broken.pngTruncated(corpus)
        await refused([png], png, /PNG file is truncated \(chunk "IDAT" at byte \d+ runs past the end, \d+ bytes\)/)
        const jpg = broken.jpegTruncated(corpus)
        await refused([jpg], jpg, /JPEG file is truncated \(no end-of-image marker after the image data\)/)
      },
      QUICK
    )

    it(
      'a bit flipped in PNG image data fails the chunk CRC',
      async () => {
        const png = broken.pngBitFlipped(corpus)
        await refused([png], png, /PNG file is damaged \(chunk "IDAT" at byte \d+ fails its CRC check\)/)
      },
      QUICK
    )

    it(
      'absurd dimensions (PNG 10⁶ × 10⁶, JPEG 65000 × 65000)',
      async () => {
        const png = broken.pngAbsurdDimensions(corpus)
        await refused([png], png, /PNG image size 1000000 × 1000000 claimed by the header is beyond Pulmo's limits/)
        const jpg = broken.jpegAbsurdDimensions(corpus)
        await refused([jpg], jpg, /JPEG image size 65000 × 65000 claimed by the header is beyond Pulmo's limits/)
      },
      QUICK
    )

    it(
      'a colour photograph, alone or among grey slices, is refused at import naming the reason',
      async () => {
        const photo = join(photographs, 'circuit-board.jpg')
        await refused([photo], 'Not imported: circuit-board.jpg is not a chest CT', /the image is a colour photograph \(modality XC\), not a CT/)
        const stack = broken.folder(corpus, 'grey-and-colour')
        copyFileSync(broken.semisegJpeg, join(stack, '1.jpg'))
        const [width, height] = [273, 369]
        const rgb = new Uint8Array(width * height * 3).map((_, i) => (i % 3 === 1 ? 200 : 40))
        writeFileSync(join(stack, '2.png'), encodePng(rgb, width, height, 3))
        await refused([stack], 'Not imported: grey-and-colour is not a chest CT', /colour photograph \(modality XC\)/)
      },
      QUICK
    )

    it(
      'a folder of good slices with one bad image refuses the whole stack',
      async () => {
        const stack = broken.folder(corpus, 'stack')
        const good = broken.semisegJpeg
        copyFileSync(good, join(stack, '1.jpg'))
        const bad = join(stack, '2.jpg')
        copyFileSync(broken.jpegTruncated(broken.folder(corpus, 'stack-source')), bad)
        await refused([stack], bad, /JPEG file is truncated/)
      },
      QUICK
    )
  })

  describe('paths with unicode and spaces', () => {
    it(
      'a series in such a folder imports, with the files named in its metadata',
      async () => {
        const series = broken.unicodePathSeries(broken.folder(dir.path, 'unicode'))
        const fresh = new PulmoService({ dataDir: join(dir.path, 'data-unicode'), transport: 'websocket' })
        try {
          const r = await fresh.invoke('studies.import', { paths: [series] })
          expect(r.created).toHaveLength(1)
          expect(r.studies[0].series[0]).toMatchObject({ modality: 'CT', rows: 512, columns: 512, slices: 2 })
          const volume = await fresh.studies.volume(r.created[0])
          expect(volume.dimensions).toEqual([512, 512, 2])
        } finally {
          fresh.close()
        }
      },
      QUICK
    )

    it(
      'a broken file in such a folder is named exactly in the error',
      async () => {
        const where = broken.folder(corpus, ...broken.UNICODE_FOLDER)
        const file = broken.truncatedDicom(where)
        const message = await refused([file], file, /file is truncated/)
        expect(message).toContain('Patiënt Ünïcødé 李雷 (copy)/série 1 — axial/cut-in-pixels.dcm')
      },
      QUICK
    )
  })
})

describe('the built CLI refuses bad inputs with a non-zero exit code and the reason on stderr', () => {
  const dir = tempDir('pulmo-bad-inputs-cli-')
  const dataDir = join(dir.path, 'data')
  const corpus = broken.folder(dir.path, ...broken.UNICODE_FOLDER)
  const pulmo = (...args: string[]) =>
    spawnSync(process.execPath, [join(projectRoot, 'bin/pulmo.js'), ...args, '--data-dir', dataDir], {
      encoding: 'utf8',
      timeout: CLI
    })
  afterAll(() => dir.remove())

  function storedNothing(): void {
    const service = new PulmoService({ dataDir, transport: 'websocket' })
    try {
      expect(service.store.db.prepare('SELECT COUNT(*) AS n FROM series').get()).toEqual({ n: 0 })
      expect(service.store.db.prepare('SELECT COUNT(*) AS n FROM studies').get()).toEqual({ n: 0 })
      expect(filesUnder(dataDir)).toEqual([])
    } finally {
      service.close()
    }
  }

  it(
    'a truncated DICOM in a unicode folder',
    () => {
      const file = broken.truncatedDicom(corpus)
      const r = pulmo('import', file)
      expect(r.error).toBeUndefined()
      expect(r.status).toBe(1)
      expect(r.stderr).toContain(file)
      expect(r.stderr).toMatch(/file is truncated \(element \(7FE0,0010\)/)
      expect(r.stdout).not.toMatch(/Created/)
      storedNothing()
    },
    CLI
  )

  it(
    'a gzip bomb',
    async () => {
      const { path } = broken.niftiZipBomb(corpus, await broken.smallCtVolume())
      const r = pulmo('import', path)
      expect(r.error).toBeUndefined()
      expect(r.status).toBe(1)
      expect(r.stderr).toContain(basename(path))
      expect(r.stderr).toMatch(/decompression bomb/)
      storedNothing()
    },
    CLI
  )

  it(
    'a header claiming 10⁶ × 10⁶ pixels',
    () => {
      const file = broken.pngAbsurdDimensions(corpus)
      const r = pulmo('import', file)
      expect(r.status).toBe(1)
      expect(r.stderr).toContain(file)
      expect(r.stderr).toMatch(/1000000 × 1000000 claimed by the header is beyond Pulmo's limits/)
      storedNothing()
    },
    CLI
  )
})
