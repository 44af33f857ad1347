/**
 * Import benchmark: imports N distinct studies in a row into a fresh data folder, in one process (as
 * the workstation would), and prints the memory after every 10 and the peak, as one JSON line:
 *   {"source","studies","slicesPerStudy","samples":[{"studies","rssMb","heapUsedMb","externalMb","arrayBuffersMb"}],
 *    "peakRssMb","firstRssMb","lastRssMb","msPerStudy"}
 *
 *   npx jiti scripts/bench-imports.ts [--source lungmask|p002] [--count 50]
 *
 * Each study is a copy of a real series (../shared/data: the lungmask slices, or COVID-CT-MD P002
 * with its 133 JPEG-lossless slices) whose study, series, instance and frame-of-reference UIDs and
 * patient id are rewritten with dcmjs, so every import creates a new study rather than finding the
 * previous one. Copies are written to a temporary folder just before their import and removed after.
 */
import dcmjs from 'dcmjs'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { PulmoService } from '../src/main/services'

const { values } = parseArgs({ options: { source: { type: 'string', default: 'lungmask' }, count: { type: 'string', default: '50' } } })
const sharedData = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../shared/data')
const sources: Record<string, string> = {
  lungmask: join(sharedData, 'dicom/lungmask-slices'),
  p002: join(sharedData, 'dicom/covid-ct-md/P002')
}
const sourceDir = sources[values.source!]
if (!sourceDir) throw new Error(`--source must be one of ${Object.keys(sources).join(', ')}`)
const count = Number(values.count)

/** Tags whose UIDs are replaced (same old UID → same new UID within one copy). */
const UID_TAGS = ['0020000D', '0020000E', '00080018', '00200052']
const newUid = (): string => `2.25.${BigInt('0x' + randomBytes(15).toString('hex')).toString()}`

function copyStudy(from: string, to: string, index: number): number {
  mkdirSync(to, { recursive: true })
  const uids = new Map<string, string>()
  const mapped = (old: string): string => {
    if (!uids.has(old)) uids.set(old, newUid())
    return uids.get(old)!
  }
  let files = 0
  for (const name of readdirSync(from)) {
    const bytes = readFileSync(join(from, name))
    const dicom = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
    for (const tag of UID_TAGS) {
      const element = dicom.dict[tag]
      if (element?.Value?.[0]) element.Value[0] = mapped(String(element.Value[0]))
    }
    const sop = dicom.dict['00080018']?.Value?.[0]
    if (sop && dicom.meta['00020003']) dicom.meta['00020003'].Value[0] = sop
    if (dicom.dict['00100020']) dicom.dict['00100020'].Value[0] = `BENCH-${index}`
    writeFileSync(join(to, name), Buffer.from(dicom.write()))
    files++
  }
  return files
}

const mb = (n: number): number => Math.round((n / 2 ** 20) * 10) / 10

const work = mkdtempSync(join(tmpdir(), 'pulmo-bench-imports-'))
const service = new PulmoService({ dataDir: join(work, 'data'), transport: 'ipc' })
let peakRss = process.memoryUsage.rss()
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 25)
const samples: Array<{ studies: number; rssMb: number; heapUsedMb: number; externalMb: number; arrayBuffersMb: number }> = []
const sample = (studies: number): void => {
  const m = process.memoryUsage()
  peakRss = Math.max(peakRss, m.rss)
  samples.push({ studies, rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), externalMb: mb(m.external), arrayBuffersMb: mb(m.arrayBuffers) })
}

let slicesPerStudy = 0
const started = Date.now()
try {
  sample(0)
  for (let i = 1; i <= count; i++) {
    const copy = join(work, `study-${i}`)
    copyStudy(sourceDir, copy, i)
    const result = await service.invoke('studies.import', { paths: [copy] })
    if (result.created.length !== 1) throw new Error(`study ${i}: expected one new series, got ${JSON.stringify(result)}`)
    slicesPerStudy = result.studies[0].series[0].slices
    rmSync(copy, { recursive: true, force: true })
    if (i % 10 === 0 || i === count) sample(i)
  }
  const studies = (await service.invoke('studies.list', {})).length
  if (studies !== count) throw new Error(`${studies} studies in the database, expected ${count}`)
} finally {
  clearInterval(sampler)
  service.close()
  rmSync(work, { recursive: true, force: true })
}
console.log(
  JSON.stringify({
    source: values.source,
    studies: count,
    slicesPerStudy,
    samples,
    peakRssMb: mb(peakRss),
    firstRssMb: samples[1]?.rssMb ?? null,
    lastRssMb: samples.at(-1)!.rssMb,
    msPerStudy: Math.round((Date.now() - started) / count)
  })
)
