import { describe, expect, it } from 'vitest'
import { ESLint } from 'eslint'
import { join } from 'node:path'
import { projectRoot } from '../../helpers/paths'
import { MAIN_LAYERS, missingLayerEntries } from '../../../eslint/layers.js'

/** The layering rule of eslint.config.js, run on code placed (virtually) in a given file of the tree. */
async function layeringErrors(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: projectRoot })
  const [result] = await eslint.lintText(code, { filePath: join(projectRoot, file) })
  return result.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-globals' || m.ruleId === 'no-restricted-syntax' || m.ruleId === 'no-restricted-properties' || m.ruleId === 'pulmo/layers')
    .map((m) => m.message)
}

describe('the layering lint rule', () => {
  it('keeps Node, main and the renderer out of src/shared', async () => {
    const errors = await layeringErrors(
      'src/shared/example.ts',
      "import { readFileSync } from 'node:fs'\nimport { join } from 'path'\nimport { PulmoService } from '../main/services'\nimport x from '../renderer/src/App.vue'\nexport const used = [readFileSync, join, PulmoService, x, process.env]\n"
    )
    expect(errors).toHaveLength(5)
    expect(errors[0]).toMatch(/no Node modules/)
    expect(errors[2]).toMatch(/nothing from main or the renderer/)
    expect(errors[4]).toMatch(/process/)
    // a module of src/shared named like a Node module is not one
    expect(await layeringErrors('src/shared/example.ts', "import { ApiEvent } from './api/events'\nexport type Used = ApiEvent\n")).toEqual([])
  })

  it('lets only the entry points import services, and only through its index', async () => {
    const code = "import { PulmoService } from '../services'\nexport const used = PulmoService\n"
    expect(await layeringErrors('src/main/ml/example.ts', code)).toEqual([expect.stringMatching(/main\/ml may not import main\/services/)])
    expect(await layeringErrors('src/main/report/example.ts', code)).toHaveLength(1)
    expect(await layeringErrors('src/main/server.ts', "import { toApiError } from './services'\nexport const used = toApiError\n")).toEqual([])
    expect(await layeringErrors('src/main/cli/example.ts', code)).toEqual([])
    expect(await layeringErrors('src/main/cli/example.ts', "import { selectModels } from '../services/modelSelection'\nexport const used = selectModels\n")).toEqual([
      expect.stringMatching(/public API \('..\/services'\)/)
    ])
  })

  it('rejects an upward import anywhere in the main layer table, and a peer in the same row', async () => {
    const upward: [string, string][] = [
      ['src/main/ml/engine2.ts', '../training/folds'],
      ['src/main/lungs/example.ts', '../analysis/volumeAnalysis'],
      ['src/main/morphology/example.ts', '../report'],
      ['src/main/scores/example.ts', '../analysis/volumeAnalysis'],
      ['src/main/regions/example.ts', '../scores/scores'],
      ['src/main/compute/example.ts', '../services'],
      ['src/main/volume/example.ts', '../ml/engine'],
      ['src/main/db/example.ts', '../volume'],
      ['src/main/ml/inference/example.ts', '../../pacs'],
      ['src/main/env.ts', './paths']
    ]
    for (const [file, from] of upward) {
      const code = `import * as upper from '${from}'\nexport const used = upper\n`
      expect(await layeringErrors(file, code), `${file} → ${from}`).toEqual([expect.stringMatching(/may not import/)])
    }
    const downward: [string, string][] = [
      ['src/main/analysis/example.ts', '../scores/scores'],
      ['src/main/cli/example.ts', '../ml/engine'],
      ['src/main/lungs/example.ts', '../../shared/scores'],
      ['src/main/ml/inference/example.ts', '../../volume'],
      ['src/main/services/example.ts', '../db']
    ]
    for (const [file, from] of downward) {
      expect(await layeringErrors(file, `import * as lower from '${from}'\nexport const used = lower\n`), `${file} → ${from}`).toEqual([])
    }
  })

  it('rejects an upward import between renderer folders', async () => {
    const code = "import StudyBrowser from '../components/StudyBrowser.vue'\nexport const used = StudyBrowser\n"
    expect(await layeringErrors('src/renderer/src/stores/example.ts', code)).toEqual([expect.stringMatching(/renderer\/stores may not import renderer\/components/)])
    expect(await layeringErrors('src/renderer/src/imaging/example.ts', "import { useViewerStore } from '../stores/viewer'\nexport const used = useViewerStore\n")).toHaveLength(1)
    expect(await layeringErrors('src/renderer/src/views/example.ts', code)).toEqual([])
  })

  it('names every folder of main and the renderer, and only folders that exist', async () => {
    expect(missingLayerEntries()).toEqual([])
    expect(await layeringErrors('src/main/services/example.ts', "import * as n from '../newFolder/thing'\nexport const used = n\n")).toEqual([
      expect.stringMatching(/main\/newFolder is not in the layer table/)
    ])
    const { readdirSync } = await import('node:fs')
    const folders = readdirSync(join(projectRoot, 'src/main')).map((n) => n.replace(/\.ts$/, ''))
    expect(folders.filter((n) => !MAIN_LAYERS.flat().includes(n))).toEqual([])
  })

  it('keeps volume/ and db/ below models, scores and reports', async () => {
    for (const from of ['../ml/engine', '../lungs/lungMask', '../scores', '../compute/computeProtocol', '../report', '../training/folds']) {
      const code = `import * as upper from '${from}'\nexport const used = upper\n`
      expect(await layeringErrors('src/main/volume/example.ts', code), from).toHaveLength(1)
      expect(await layeringErrors('src/main/db/example.ts', code), from).toHaveLength(1)
    }
    expect(await layeringErrors('src/main/db/example.ts', "import { ApiError } from '../../shared/api'\nexport const used = ApiError\n")).toEqual([])
    expect(await layeringErrors('src/main/services/example.ts', "import * as s from '../scores/scores'\nexport const used = s\n")).toEqual([])
  })

  it('keeps SQL out of services: no store.db there', async () => {
    const code = "export const n = (ctx: { store: { db: { prepare(s: string): unknown } } }) => ctx.store.db.prepare('SELECT 1')\n"
    expect(await layeringErrors('src/main/services/example.ts', code)).toEqual([expect.stringMatching(/through the repositories/)])
    expect(await layeringErrors('src/main/db/example.ts', code)).toEqual([])
  })

  it('reads the environment only in src/main/env.ts', async () => {
    const code = 'export const dir = process.env.PULMO_DATA_DIR\n'
    expect(await layeringErrors('src/main/compute/example.ts', code)).toEqual([expect.stringMatching(/through src\/main\/env.ts/)])
    expect(await layeringErrors('src/main/env.ts', code)).toEqual([])
  })
})
