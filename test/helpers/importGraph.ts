import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

/** Static, re-exported and dynamic imports of relative modules (type-only imports included: a cycle of types is still a knot to untie). */
const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"](\.[^'"]*)['"]|import\(\s*['"](\.[^'"]*)['"]\s*\)|^\s*import\s*['"](\.[^'"]*)['"]/gm

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return /\.(ts|vue)$/.test(name) && !name.endsWith('.d.ts') ? [path] : []
  })
}

function resolveModule(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier)
  const candidates = [base, `${base}.ts`, `${base}.vue`, join(base, 'index.ts'), base.replace(/\.js$/, '.ts')]
  return candidates.find((c) => existsSync(c) && statSync(c).isFile())
}

/** `import type …` / `export type …`: erased by the compiler, never loaded at run time. */
const TYPE_ONLY = /^[\s;]*(?:import|export)\s+type\s/

/**
 * Each source file under root (relative path) → the source files under root it imports.
 * `runtimeOnly` leaves out type-only imports: the graph of what loading a module loads.
 */
export function importGraph(root: string, options: { runtimeOnly?: boolean } = {}): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  for (const file of sourceFiles(root)) {
    const targets = new Set<string>()
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      if (options.runtimeOnly && TYPE_ONLY.test(m[0])) continue
      const target = resolveModule(file, m[1] ?? m[2] ?? m[3])
      if (target && target.startsWith(root)) targets.add(relative(root, target))
    }
    graph.set(relative(root, file), [...targets])
  }
  return graph
}

/** The strongly connected components of more than one file (or a file importing itself): every import cycle. */
export function importCycles(graph: Map<string, string[]>): string[][] {
  // Tarjan's algorithm, iterative so a deep import chain cannot overflow the stack.
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: string[] = []
  const cycles: string[][] = []
  let next = 0
  const visit = (node: string): void => {
    index.set(node, next)
    low.set(node, next++)
    stack.push(node)
    onStack.add(node)
  }
  for (const start of graph.keys()) {
    if (index.has(start)) continue
    const work: { node: string; edge: number }[] = [{ node: start, edge: 0 }]
    visit(start)
    while (work.length) {
      const frame = work[work.length - 1]
      const edges = graph.get(frame.node) ?? []
      if (frame.edge < edges.length) {
        const to = edges[frame.edge++]
        if (!index.has(to)) {
          visit(to)
          work.push({ node: to, edge: 0 })
        } else if (onStack.has(to)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!))
        continue
      }
      work.pop()
      if (work.length) {
        const parent = work[work.length - 1].node
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!))
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = []
        let member: string
        do {
          member = stack.pop()!
          onStack.delete(member)
          component.push(member)
        } while (member !== frame.node)
        if (component.length > 1 || edges.includes(frame.node)) cycles.push(component.sort())
      }
    }
  }
  return cycles
}
