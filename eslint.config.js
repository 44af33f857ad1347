import { builtinModules } from 'node:module'
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import vue from 'eslint-plugin-vue'
import { layersPlugin } from './eslint/layers.js'

/*
 * Layering: imports run downward (renderer → contract; shared → nothing). Inside src/main and the
 * renderer the ordered layer tables of eslint/layers.js decide (rule pulmo/layers), so an upward import
 * fails `npm run lint` instead of waiting for a reviewer to notice it. The rules here keep Node out of the
 * renderer and of src/shared.
 */
const relative = (folders) => `^\\.{1,2}/(.*/)?(${folders.join('|')})(/|$)`
/** Node's built-in modules by their exact names (a gitignore-style group would also match ./api/events). */
const nodeModules = `^(node:.*|(${builtinModules.filter((m) => !m.startsWith('_')).join('|')})(/.*)?)$`
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
    // Each layer of main and of the renderer imports only the layers below it (eslint/layers.js).
    files: ['src/main/**/*.ts', 'src/renderer/src/**/*.{ts,vue}'],
    plugins: { pulmo: layersPlugin },
    rules: { 'pulmo/layers': 'error' }
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
  }
)
