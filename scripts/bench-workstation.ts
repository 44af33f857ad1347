/**
 * The workstation's Analyze against the CLI on the same series: prints one JSON line per path for
 * P002 (COVID-CT-MD, 133 slices) — `pulmo score DICOM_FOLDER --json` (the built CLI, end to end),
 * and the service the workstation calls (import, then analysis.start until its task-ended event),
 * with the compute process's own analysis time beside the wall time, so the gap between them (what
 * the service adds: reading the stored volume back, storing masks, scoring the report) shows.
 *
 *   npx electron-vite build && npx jiti scripts/bench-workstation.ts
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ComputeProcess } from '../src/main/compute/computeProcess'
import { PulmoService } from '../src/main/services'

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..')
const series = resolve(root, '../shared/data/dicom/covid-ct-md/P002')
const work = mkdtempSync(join(tmpdir(), 'pulmo-bench-workstation-'))

function cli(): void {
  const started = performance.now()
  const r = spawnSync(process.execPath, [join(root, 'bin/pulmo.js'), 'score', series, '--json', '--data-dir', join(work, 'cli')], { encoding: 'utf8', maxBuffer: 1 << 26 })
  if (r.status !== 0) throw new Error(`pulmo score failed: ${r.stderr}`)
  const seconds = (performance.now() - started) / 1000
  const s = JSON.parse(r.stdout) as { backend?: string; timing?: Record<string, number>; scores?: { ctss?: number; percentInfected?: { total: number } } }
  console.log(JSON.stringify({ path: 'cli: pulmo score', series: 'P002', wallSeconds: Number(seconds.toFixed(1)), backend: s.backend, timing: s.timing, ctss: s.scores?.ctss, percentInfected: s.scores?.percentInfected?.total }))
}

async function workstation(): Promise<void> {
  const service = new PulmoService({ dataDir: join(work, 'workstation'), transport: 'websocket' })
  try {
    const importStarted = performance.now()
    const seriesId = (await service.invoke('studies.import', { paths: [series] })).created[0]
    const importSeconds = (performance.now() - importStarted) / 1000
    const marks: Array<{ label: string; at: number }> = []
    const started = performance.now()
    const ended = new Promise<string>((done) => {
      service.onEvent((e) => {
        if (e.type === 'progress' && marks.at(-1)?.label !== e.label) marks.push({ label: e.label, at: (performance.now() - started) / 1000 })
        if (e.type === 'task-ended' && e.seriesId === seriesId) done(e.message)
      })
    })
    await service.invoke('analysis.start', { seriesId })
    const message = await ended
    const wallSeconds = (performance.now() - started) / 1000
    const computeSeconds = Number(/\((\d+) s\)/.exec(message)?.[1] ?? NaN)
    const report = (await service.invoke('reports.get', { seriesId }))!
    // The same job on the same stored volume straight in a compute process: its backend and where its time goes.
    const row = service.store.studies.series(seriesId)!
    const compute = new ComputeProcess({ backend: 'auto' })
    const backend = await compute.start()
    const jobStarted = performance.now()
    const models = service.analysis.models()
    const job = compute.run(
      { kind: 'analyze', volumePath: join(work, 'workstation', row.voxelPath), modality: row.modality, modelDir: models.infection.dir, ...(models.multiclass ? { multiclassModelDir: models.multiclass.dir } : {}), outDir: join(work, 'job') },
      () => {}
    )
    const result = await job.done
    const jobSeconds = (performance.now() - jobStarted) / 1000
    await compute.stop()
    const t = result.timing
    console.log(
      JSON.stringify({
        path: 'compute process alone (the job analysis.start sends)',
        backend,
        wallSeconds: Number(jobSeconds.toFixed(1)),
        timing: { totalSeconds: t.totalMs / 1000, lungsSeconds: t.lungsMs / 1000, inferenceSeconds: t.inferenceMs / 1000, scoringSeconds: t.scoringMs / 1000 }
      })
    )
    console.log(
      JSON.stringify({
        path: 'workstation: analysis.start',
        series: 'P002',
        importSeconds: Number(importSeconds.toFixed(1)),
        wallSeconds: Number(wallSeconds.toFixed(1)),
        computeAnalysisSeconds: computeSeconds,
        stages: marks.map((m) => `${m.label} @ ${m.at.toFixed(1)} s`),
        ctss: report.ctss.automatic,
        percentInfected: report.percentInfected.total
      })
    )
  } finally {
    await service.shutdown()
  }
}

try {
  cli()
  await workstation()
} finally {
  rmSync(work, { recursive: true, force: true })
}
