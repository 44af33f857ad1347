import { existsSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'

/*
 * The layer tables: each row may import only the rows below it (never a row above, never a peer in its own
 * row). A folder's name stands for the folder and for a file of that name beside it (cli.ts and cli/ are one
 * layer). To add a module, put its folder in the row that matches what it imports; a folder missing from the
 * table fails lint, so the table cannot silently fall behind the tree.
 */
export const MAIN_LAYERS = [
  ['cli'],
  ['index', 'server'],
  ['services'],
  ['compute'],
  ['report', 'training'],
  ['analysis'],
  ['pattern'],
  ['scores'],
  ['regions'],
  ['lungs'],
  ['morphology', 'ml', 'pacs', 'dicomResults', 'privacy'],
  ['db', 'volume'],
  ['env', 'nativeImaging', 'paths', 'windowSecurity']
]

export const RENDERER_LAYERS = [
  ['main'],
  ['App'],
  ['views'],
  ['components'],
  ['composables'],
  ['stores'],
  ['annotation'],
  ['tools'],
  ['api', 'charts', 'format', 'imaging', 'styles', 'zodWithoutEval', 'env.d']
]

const projectRoot = dirname(dirname(new URL(import.meta.url).pathname))
const TREES = [
  { name: 'main', root: join(projectRoot, 'src/main'), layers: MAIN_LAYERS },
  { name: 'renderer', root: join(projectRoot, 'src/renderer/src'), layers: RENDERER_LAYERS }
]

/** The tree, layer name and row of a file, or undefined for a file outside the layered trees. */
function placeOf(file) {
  for (const tree of TREES) {
    const path = relative(tree.root, file)
    if (path.startsWith('..') || path === '' || resolve(tree.root, path) !== file) continue
    const name = path.split(sep)[0].replace(/\.(ts|vue|js)$/, '')
    const row = tree.layers.findIndex((names) => names.includes(name))
    return { tree, name, row, path }
  }
  return undefined
}

const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports run down the layer table of eslint/layers.js; outside services only the services index is imported.' },
    schema: [],
    messages: {
      upward: '{{from}} may not import {{to}}: a layer imports only the rows below it (eslint/layers.js).',
      unplaced: '{{tree}}/{{name}} is not in the layer table of eslint/layers.js: add it to the row matching what it imports.',
      servicesInside: "Outside services, import the services' public API ('{{index}}'), not {{to}}."
    }
  },
  create(context) {
    const file = resolve(context.filename)
    const from = placeOf(file)
    if (!from) return {}
    const check = (node) => {
      const source = node.source
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string' || !source.value.startsWith('.')) return
      const target = resolve(dirname(file), source.value)
      const to = placeOf(target)
      if (!to || to.tree !== from.tree) return
      if (to.row === -1) {
        context.report({ node: source, messageId: 'unplaced', data: { tree: to.tree.name, name: to.name } })
        return
      }
      if (to.name === from.name) return
      if (to.row <= from.row) {
        context.report({ node: source, messageId: 'upward', data: { from: `${from.tree.name}/${from.name}`, to: `${to.tree.name}/${to.name}` } })
        return
      }
      // services/index.ts is the application's one door: the entry points never reach a sub-service by path.
      if (to.tree.name === 'main' && to.name === 'services' && !/^services(\/index(\.ts)?)?$/.test(to.path.split(sep).join('/'))) {
        context.report({ node: source, messageId: 'servicesInside', data: { index: relative(dirname(file), join(to.tree.root, 'services')), to: source.value } })
      }
    }
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check
    }
  }
}

/** Every name in a table is a folder or file that exists: a stale row fails the lint test. */
export function missingLayerEntries() {
  const missing = []
  for (const tree of TREES) {
    for (const name of tree.layers.flat()) {
      const candidates = [name, `${name}.ts`, `${name}.vue`]
      if (!candidates.some((c) => existsSync(join(tree.root, c)))) missing.push(`${tree.name}/${name}`)
    }
  }
  return missing
}

export const layersPlugin = { rules: { layers: layersRule } }
