/** Checks on DICOM objects a test fetched: dciodvfy's verdict, and items of an SR content tree. */
import { execFileSync, spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { NaturalDataset } from 'dcmjs'

export interface Validation {
  errors: string[]
  warnings: string[]
}

/** Runs dicom3tools' dciodvfy on the bytes; its findings, split into errors and warnings. */
export function dciodvfy(bytes: Uint8Array, dir: string, name: string): Validation {
  const file = join(dir, `${name}.dcm`)
  writeFileSync(file, bytes)
  const run = spawnSync('dciodvfy', [file], { encoding: 'utf8' })
  if (run.error) throw run.error
  const lines = `${run.stdout}\n${run.stderr}`.split('\n').map((l) => l.trim())
  return { errors: lines.filter((l) => l.startsWith('Error')), warnings: lines.filter((l) => l.startsWith('Warning')) }
}

/** pdftotext of PDF bytes. */
export function pdfText(bytes: Uint8Array, dir: string, name: string): string {
  const file = join(dir, `${name}.pdf`)
  writeFileSync(file, bytes)
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
}

const first = (v: unknown): NaturalDataset => (Array.isArray(v) ? v[0] : v) as NaturalDataset

/** Every content item of an SR, depth first, with the concept name's meaning. */
export function srItems(ds: NaturalDataset): Array<{ meaning: string; item: NaturalDataset }> {
  const out: Array<{ meaning: string; item: NaturalDataset }> = []
  const walk = (item: NaturalDataset): void => {
    const name = item.ConceptNameCodeSequence ? first(item.ConceptNameCodeSequence) : undefined
    out.push({ meaning: String(name?.CodeMeaning ?? ''), item })
    for (const child of (item.ContentSequence as NaturalDataset[] | undefined) ?? []) walk(child)
  }
  walk(ds)
  return out
}

export function srNumber(item: NaturalDataset): number {
  return Number(first(item.MeasuredValueSequence).NumericValue)
}
