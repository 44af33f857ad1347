import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { importGraph } from '../../../helpers/importGraph'
import { projectRoot } from '../../../helpers/paths'

/**
 * The native kernels may crash a process (a bug in oneDNN, a bad build): they must only ever load
 * where that ends a compute process or a CLI command, never the workstation's main process (its
 * window, its database, its server). The addon is loaded by the engine alone, so nothing the
 * Electron entry or the server loads may reach the engine (type-only imports load nothing).
 */
function reachable(graph: Map<string, string[]>, from: string): Set<string> {
  const seen = new Set<string>()
  const todo = [from]
  while (todo.length > 0) {
    const file = todo.pop() as string
    if (seen.has(file)) continue
    seen.add(file)
    todo.push(...(graph.get(file) ?? []))
  }
  return seen
}

describe('where the native kernels can load', () => {
  const graph = importGraph(join(projectRoot, 'src'), { runtimeOnly: true })
  const engine = 'main/ml/engine.ts'
  const addon = 'main/ml/kernels/nativeAddon.ts'

  it('the engine loads the addon, and the compute process the engine', () => {
    expect(reachable(graph, engine).has(addon)).toBe(true)
    expect(reachable(graph, 'main/compute/compute.ts').has(engine)).toBe(true)
  })

  for (const entry of ['main/index.ts', 'main/server.ts', 'main/services/index.ts']) {
    it(`${entry} never reaches the engine or the addon`, () => {
      const seen = reachable(graph, entry)
      expect(seen.size).toBeGreaterThan(20)
      expect(seen.has(engine)).toBe(false)
      expect(seen.has(addon)).toBe(false)
    })
  }
})
