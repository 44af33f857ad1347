/**
 * The infection recipe's learning curve as a picture: held-out zenodo Dice (mean over the 256
 * thresholds) and max Dice against the epochs over the pool, from runs/infection/*\/result.json
 * (the coach pool is the 1-epoch point, curve-eN the others), and the 5-fold COVID-SemiSeg Dice of
 * each point's fine-tune where its folds have run. Drawn as SVG, rendered to PNG by Debian's
 * Chromium (playwright-core), written to docs/images/learning-curve.png; prints the points as JSON.
 *
 *   npx jiti scripts/plot-learning-curve.ts [--runs runs/infection] [--out docs/images/learning-curve.png]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { chromium } from 'playwright-core'

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..')
const { values } = parseArgs({ options: { runs: { type: 'string' }, out: { type: 'string' } } })
const runs = resolve(values.runs ?? join(root, 'runs/infection'))
const out = resolve(values.out ?? join(root, 'docs/images/learning-curve.png'))

interface Result {
  name: string
  seconds: number
  heldOut?: { dice: number; maxDice: number }
  semiseg?: { dice: number }
}
const read = (name: string): Result | undefined => {
  const file = join(runs, name, 'result.json')
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Result) : undefined
}
const recipe = JSON.parse(readFileSync(join(root, 'experiments/infection.json'), 'utf8')) as {
  curve?: { from: string; fromEpochs: number; replay?: { name?: string } }
  replay?: { name?: string }
}
// the points' folds: the curve's replay (infectionRecipe.ts curveReplay), stages NAME-fold-N-from-curve-eN
const replayName = recipe.curve?.replay?.name ?? recipe.replay?.name ?? 'replay'
const from = recipe.curve?.from ?? 'pool'
const points: Array<{
  stage: string
  epochs: number
  dice: number
  maxDice: number
  cv5?: number
  folds: number
  hours: number
}> = []
const stages = [{ stage: from, epochs: recipe.curve?.fromEpochs ?? 1 }].concat(
  readdirSync(runs)
    .filter((d) => /^curve-e\d+$/.test(d))
    .map((d) => ({ stage: d, epochs: Number(d.slice('curve-e'.length)) }))
    .sort((a, b) => a.epochs - b.epochs)
)
let hours = 0
for (const { stage, epochs } of stages) {
  const r = read(stage)
  if (!r?.heldOut) continue
  hours += r.seconds / 3600
  const folds = [0, 1, 2, 3, 4]
    .map((f) => read(`${replayName}-fold-${f}-from-${stage}`)?.semiseg?.dice)
    .filter((d): d is number => d !== undefined)
  points.push({
    stage,
    epochs,
    dice: r.heldOut.dice,
    maxDice: r.heldOut.maxDice,
    ...(folds.length === 5 ? { cv5: folds.reduce((s, d) => s + d, 0) / 5 } : {}),
    folds: folds.length,
    hours: Math.round(hours * 100) / 100
  })
}
for (const p of points) console.log(JSON.stringify(p))
if (points.length === 0) throw new Error(`no learning-curve results in ${runs}`)

// the picture: epochs on a log axis (1 … the last point), Dice 0.3–0.8
const W = 720
const H = 420
const left = 70
const right = 190
const top = 30
const bottom = 60
const maxEpochs = Math.max(16, ...points.map((p) => p.epochs))
const x = (e: number): number => left + (Math.log(e) / Math.log(maxEpochs)) * (W - left - right)
const y = (d: number): number => top + ((0.8 - d) / 0.5) * (H - top - bottom)
const series = [
  { key: 'maxDice' as const, label: 'held-out zenodo max Dice', colour: '#9ecae1' },
  { key: 'dice' as const, label: 'held-out zenodo Dice', colour: '#08519c' },
  { key: 'cv5' as const, label: '5-fold COVID-SemiSeg Dice', colour: '#d94801' }
]
const lines = series.map((s) => {
  const pts = points.filter((p) => p[s.key] !== undefined).map((p) => [x(p.epochs), y(p[s.key] as number)])
  return (
    (pts.length > 1
      ? `<polyline fill="none" stroke="${s.colour}" stroke-width="2.5" points="${pts.map((p) => p.join(',')).join(' ')}"/>`
      : '') + pts.map(([px, py]) => `<circle cx="${px}" cy="${py}" r="4.5" fill="${s.colour}"/>`).join('')
  )
})
const ticksX = [1, 2, 3, 6, 10, 16, 32, 64, 100].filter((e) => e <= maxEpochs)
const ticksY = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, sans-serif" font-size="13">
<rect width="${W}" height="${H}" fill="white"/>
${ticksY.map((t) => `<line x1="${left}" x2="${W - right}" y1="${y(t)}" y2="${y(t)}" stroke="${t === 0.7 ? '#e34a33' : '#ddd'}" stroke-dasharray="${t === 0.7 ? '6 4' : ''}"/><text x="${left - 8}" y="${y(t) + 4}" text-anchor="end">${t.toFixed(1)}</text>`).join('')}
<text x="${W - right + 6}" y="${y(0.7) + 4}" fill="#e34a33">target 0.70</text>
${ticksX.map((t) => `<line x1="${x(t)}" x2="${x(t)}" y1="${H - bottom}" y2="${H - bottom + 5}" stroke="#333"/><text x="${x(t)}" y="${H - bottom + 20}" text-anchor="middle">${t}</text>`).join('')}
<line x1="${left}" x2="${W - right}" y1="${H - bottom}" y2="${H - bottom}" stroke="#333"/>
<line x1="${left}" x2="${left}" y1="${top}" y2="${H - bottom}" stroke="#333"/>
<text x="${(left + W - right) / 2}" y="${H - 18}" text-anchor="middle">epochs over the 2454-slice pool (log scale)</text>
<text transform="translate(18 ${(top + H - bottom) / 2}) rotate(-90)" text-anchor="middle">Dice</text>
${lines.join('\n')}
${series.map((s, i) => `<rect x="${W - right + 10}" y="${top + 170 + i * 22}" width="14" height="4" fill="${s.colour}"/><text x="${W - right + 30}" y="${top + 176 + i * 22}" font-size="11">${s.label}</text>`).join('')}
${points.map((p) => `<text x="${x(p.epochs)}" y="${y(p.dice) + 20}" text-anchor="middle" font-size="11" fill="#08519c">${p.dice.toFixed(3)}</text>`).join('')}
</svg>`

const browser = await chromium.launch({
  executablePath: process.env.PULMO_CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync'
  ]
})
try {
  const page = await browser.newPage({ viewport: { width: W, height: H } })
  await page.setContent(`<html><body style="margin:0">${svg}</body></html>`)
  await page.screenshot({ path: out, clip: { x: 0, y: 0, width: W, height: H } })
  console.log(`wrote ${out}`)
} finally {
  await browser.close()
}
