import { describe, expect, it } from 'vitest'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { projectRoot } from '../../helpers/paths'
import { CTSS_MAX, LOBAR_MAX } from '../../../src/shared/severityScoring'

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? sources(p) : /\.(ts|vue)$/.test(n) ? [p] : []
  })
}

describe('the scoring maxima', () => {
  it('are written once, in src/shared/severityScoring.ts', () => {
    expect([CTSS_MAX, LOBAR_MAX]).toEqual([40, 25])
    const src = join(projectRoot, 'src')
    const literal = new RegExp(`/\\s*(${CTSS_MAX}|${LOBAR_MAX})\\b`)
    const offenders = sources(src)
      .filter((f) => !f.endsWith('severityScoring.ts'))
      .flatMap((f) => readFileSync(f, 'utf8').split('\n').map((line, n) => ({ at: `${relative(src, f)}:${n + 1}`, line })))
      .filter(({ line }) => literal.test(line))
      .map(({ at, line }) => `${at}: ${line.trim()}`)
    expect(offenders).toEqual([])
  })
})
