import { it } from 'vitest'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseDicomFile } from '../../../src/main/volume/dicomFile'
import { assembleSeries } from '../../../src/main/volume/dicomSeries'
import { decodeSeries } from '../../../src/main/volume/dicomPixels'
import { readDicomSeries } from '../../../src/main/volume/dicom'
import { p002 } from '../../helpers/paths'
it('profile', async () => {
  for (let rep = 0; rep < 2; rep++) {
    let t = performance.now()
    const files = readdirSync(p002).map((f) => join(p002, f))
    const bufs = files.map((f) => readFileSync(f))
    const t1 = performance.now()
    const slices = files.map((f, i) => parseDicomFile(f, bufs[i])!)
    const t2 = performance.now()
    const g = assembleSeries(slices)
    const t3 = performance.now()
    await decodeSeries(g.slices)
    const t4 = performance.now()
    console.info(`read ${(t1 - t).toFixed(0)} parse ${(t2 - t1).toFixed(0)} assemble ${(t3 - t2).toFixed(0)} decode ${(t4 - t3).toFixed(0)}`)
    t = performance.now()
    await readDicomSeries(p002)
    console.info(`whole ${(performance.now() - t).toFixed(0)}`)
  }
})
