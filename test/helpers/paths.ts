import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

/** The project's real data, beside the project; tests read it and never modify it. */
export const sharedData = resolve(__dirname, '../../../shared/data')
export const projectRoot = resolve(__dirname, '../..')
export const p002 = join(sharedData, 'dicom/covid-ct-md/P002')
export const normal002 = join(sharedData, 'dicom/covid-ct-md/normal002')
export const lungmaskSlices = join(sharedData, 'dicom/lungmask-slices')
export const semisegTrain = join(sharedData, 'covid-semiseg/train')

export function tempDir(prefix = 'pulmo-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}
