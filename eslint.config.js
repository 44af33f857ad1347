import { builtinModules } from 'node:module'
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import vue from 'eslint-plugin-vue'

/*
 * Layering: imports run downward (renderer → contract; services → volume/db/ml/…; shared → nothing).
 * Each rule below names the folders a layer may not reach, as regexes over relative import paths, so
 * an upward import fails `npm run lint` instead of waiting for a reviewer to notice it.
 * Flat config replaces (does not merge) a rule's options per file, so each folder's list is complete.
 */
const relative = (folders) => `^\\.{1,2}/(.*/)?(${folders.join('|')})(/|$)`
/** Node's built-in modules by their exact names (a gitignore-style group would also match ./api/events). */
const nodeModules = `^(node:.*|(${builtinModules.filter((m) => !m.startsWith('_')).join('|')})(/.*)?)$`
const servicesRule = { regex: relative(['services']), message: 'Only main/index.ts, main/server.ts and main/cli import services.' }
/** Both the old severity/ and training/ rooms and the new ones they move into. */
const computeFolders = ['ml', 'training', 'compute', 'severity', 'morphology', 'lungs', 'regions', 'scores', 'pattern', 'analysis', 'report']
const restricted = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] })

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'resources/**', 'runs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/essential'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } }
  },
  {
    rules: {
      // TypeScript already resolves every identifier; no-undef only misfires on DOM and Node globals.
      'no-undef': 'off',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off'
    }
  },
  {
    // The renderer runs sandboxed: it must reach the workstation only through the contract.
    files: ['src/renderer/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', 'fs', 'path', 'child_process', 'electron', '**/main/**'] }]
    }
  },
  {
    // The contract is shared by both processes: no Node, no Electron, no DOM, nothing of main or the renderer.
    files: ['src/shared/**'],
    rules: {
      ...restricted([
        { regex: nodeModules, message: 'src/shared runs in both processes: no Node modules.' },
        { group: ['electron', 'better-sqlite3', 'vue', 'pinia'], message: 'src/shared runs in both processes: no Electron or DOM modules.' },
        { regex: relative(['main', 'renderer']), message: 'src/shared imports nothing from main or the renderer.' }
      ]),
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'HTMLElement', 'process', 'Buffer']
    }
  },
  {
    // Services are the top of main: only the entry points (the Electron main, the HTTP server, the CLI) use them.
    files: ['src/main/**'],
    ignores: ['src/main/index.ts', 'src/main/server.ts', 'src/main/cli.ts', 'src/main/cli/**', 'src/main/services/**'],
    rules: restricted([servicesRule])
  },
  {
    // SQL lives in the repositories: a service reaching for the connection would write it again.
    files: ['src/main/services/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[property.name='db'][object.property.name='store']", message: 'Services go through the repositories (store.transaction for a transaction), not store.db.' },
        { selector: "MemberExpression[property.name='db'][object.name='store']", message: 'Services go through the repositories (store.transaction for a transaction), not store.db.' }
      ]
    }
  },
  {
    // One typed module reads the environment, so every variable Pulmo reads is documented in one place.
    files: ['src/main/**'],
    ignores: ['src/main/env.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read the environment through src/main/env.ts.' }]
    }
  },
  {
    // Volumes and the database sit at the bottom: they know nothing of models, training, scores or reports.
    files: ['src/main/volume/**', 'src/main/db/**'],
    rules: restricted([
      servicesRule,
      { regex: relative(computeFolders), message: 'volume/ and db/ import nothing from ml, training, compute, severity (and its successors) or report.' }
    ])
  }
)
