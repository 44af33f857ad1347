import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { projectRoot } from '../../helpers/paths'
import { importCycles, importGraph } from '../../helpers/importGraph'

describe('the import graph of src', () => {
  it('has no cycle', () => {
    const graph = importGraph(join(projectRoot, 'src'))
    // the walker sees the tree: the renderer's entry reaches its stores, the CLI its services
    expect(graph.get('renderer/src/stores/masks.ts')).toContain('renderer/src/stores/viewer.ts')
    expect(graph.get('main/cli.ts')).toContain('main/services/index.ts')
    expect(graph.size).toBeGreaterThan(300)
    expect(importCycles(graph)).toEqual([])
  })

  it('finds a cycle when there is one', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts', 'd.ts']],
      ['d.ts', []],
      ['e.ts', ['e.ts']]
    ])
    expect(importCycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['e.ts']])
  })
})
