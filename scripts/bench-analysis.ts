/**
 * Analysis benchmark and whole-volume behaviour: runs `pulmo score SERIES --json` (the built CLI,
 * end to end: DICOM read, lungs, infection, lobes, regions, scores) on the two real COVID-CT-MD series and
 * prints one JSON line per series: wall seconds, the lobe step's seconds and fissure-fit distances, the model, percent infected (total, left, right),
 * infected mL (ground glass, consolidation), infection outside the lungs, CT-SS, lobar score and its
 * lobes, severity and "infection present"; for P002 also the slice-level agreement with the readers'
 * labels (P002-labels.csv: row r is InstanceNumber r + 1, volume index 132 − r) in slices.
 *
 *   npm run bench:analysis            (build first: npm run build)
 *   npm run bench:analysis -- --model DIR
 *   npm run bench:analysis -- --flip on|off   test-time flip forced on or off (pulmo score --flip; by default the model card's)
 *   npm run bench:analysis -- --record   also writes the figures into the measured models' cards
 *
 * `--record` puts a `wholeVolume` block (the figures, the date, and the versions of both models
 * that produced them: `pulmo score` uses the infection model and the multi-class model together)
 * into card.json of the infection model (resources/models/infnet-lite or --model DIR) and of the
 * bundled multi-class model. `npm run install:infection` writes new cards without it: re-record.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { readNifti } from '../src/main/volume'

const { values } = parseArgs({
  options: { model: { type: 'string' }, record: { type: 'boolean', default: false }, flip: { type: 'string' } }
})
const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..')
const shared = resolve(root, '../shared/data/dicom/covid-ct-md')
const work = mkdtempSync(join(tmpdir(), 'pulmo-bench-analysis-'))
// the cards record what `pulmo score` does by default
if (values.record && values.flip !== undefined) throw new Error('--record records the default analysis: not with --flip')
const model = [...(values.model ? ['--model', resolve(values.model)] : []), ...(values.flip !== undefined ? ['--flip', values.flip] : [])]

interface Scores {
  percentInfected: { total: number; left: number; right: number }
  ggoVolumeMl: number
  consolidationVolumeMl: number
  infectionOutsideLungsMl: number
  lungVolumeMl: number
  ctss: { total: number }
  lobar: { total: number; lobes: Array<{ id: string; percent: number; score: number }> }
  severity: string
  infectionPresent: boolean
  model?: { name?: string; version?: string }
  timing?: { lobesSeconds?: number }
  lobeSegmentation?: { fissures: Array<{ id: string; evidenceColumns: number; meanDistanceMm: number | null }> }
}

function pulmo(args: string[]): { seconds: number; stdout: string } {
  const started = performance.now()
  const r = spawnSync(process.execPath, [join(root, 'bin/pulmo.js'), ...args, '--data-dir', join(work, 'data')], { encoding: 'utf8', maxBuffer: 1 << 26 })
  if (r.status !== 0) throw new Error(`pulmo ${args[0]} failed: ${r.stderr}`)
  return { seconds: (performance.now() - started) / 1000, stdout: r.stdout }
}

const lines: Array<Record<string, unknown>> = []
try {
  for (const series of ['P002', 'normal002']) {
    const { seconds, stdout } = pulmo(['score', join(shared, series), '--json', ...model])
    const s = JSON.parse(stdout) as Scores
    const line: Record<string, unknown> = {
      series,
      seconds: Math.round(seconds * 10) / 10,
      // the anatomical lobes' share of it: the fissure fit and the regions within the lobes
      lobesSeconds: s.timing?.lobesSeconds ?? null,
      fissureFitMm: Object.fromEntries((s.lobeSegmentation?.fissures ?? []).map((f) => [f.id, f.meanDistanceMm])),
      model: s.model ?? null,
      lungVolumeMl: Math.round(s.lungVolumeMl),
      percentInfected: s.percentInfected,
      ggoMl: Math.round(s.ggoVolumeMl * 10) / 10,
      consolidationMl: Math.round(s.consolidationVolumeMl * 10) / 10,
      outsideLungsMl: Math.round(s.infectionOutsideLungsMl * 10) / 10,
      ctss: s.ctss.total,
      lobar: s.lobar.total,
      lobes: Object.fromEntries(s.lobar.lobes.map((l) => [l.id, Math.round(l.percent * 100) / 100])),
      severity: s.severity,
      infectionPresent: s.infectionPresent
    }
    if (series === 'P002') {
      const out = join(work, 'p002')
      pulmo(['segment', join(shared, series), '--out', out, ...model])
      const infection = (await readNifti(join(out, 'infection.nii.gz'), { unit: 'label' })).data as Uint8Array
      const rows = readFileSync(join(shared, 'P002-labels.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number))
      const sliceSize = 512 * 512
      let agree = 0
      const missed: number[] = []
      const falselyMarked: number[] = []
      for (const [r, row] of rows.entries()) {
        const k = rows.length - 1 - r
        let n = 0
        for (let i = k * sliceSize; i < (k + 1) * sliceSize; i++) n += infection[i]
        const marked = n * 0.6035 * 0.6035 * 2 > 100
        if (marked === (row[1] === 1)) agree++
        else (marked ? falselyMarked : missed).push(r)
      }
      line.sliceAgreement = `${agree}/${rows.length}`
      // the label rows (row r is InstanceNumber r + 1) the readers marked and Pulmo did not, and the reverse
      line.sliceDisagreement = { missed, falselyMarked }
    }
    console.log(JSON.stringify(line))
    lines.push(line)
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}

if (values.record) {
  const infectionDir = values.model ? resolve(values.model) : join(root, 'resources/models/infnet-lite')
  const cards = [join(infectionDir, 'card.json'), join(root, 'resources/models/infnet-multiclass/card.json')]
  const version = (f: string) => {
    const c = JSON.parse(readFileSync(f, 'utf8')) as { name: string; version: string }
    return `${c.name} ${c.version}`
  }
  const wholeVolume = {
    command: 'npm run bench:analysis -- --record',
    measured: new Date().toISOString().slice(0, 10),
    models: cards.map(version),
    series: Object.fromEntries(lines.map(({ series, model: _model, ...figures }) => [series as string, figures]))
  }
  for (const f of cards) {
    const card = JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>
    writeFileSync(f, JSON.stringify({ ...card, wholeVolume }, null, 2) + '\n')
    console.log(`Recorded the whole-volume figures in ${f}`)
  }
}
