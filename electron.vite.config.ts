import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'
import type { Plugin } from 'vite'
import { CONTENT_SECURITY_POLICY_META } from './src/shared/contentSecurityPolicy'

/** Writes the workstation's one Content-Security-Policy into index.html's meta element. */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'pulmo-content-security-policy',
    transformIndexHtml: (html) => {
      if (!html.includes('%PULMO_CSP%')) throw new Error('index.html lost its %PULMO_CSP% placeholder')
      return html.replace('%PULMO_CSP%', CONTENT_SECURITY_POLICY_META)
    }
  }
}

// One build for every process. The main-side bundle has several entries because the same
// services run under Electron (index), from the command line (cli) and in the compute child
// process (compute); dependencies stay external so native modules and wasm files resolve at run time.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          cli: resolve(__dirname, 'src/main/cli.ts'),
          compute: resolve(__dirname, 'src/main/compute/compute.ts')
        }
      }
    }
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot be an ES module.
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: 'src/renderer',
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } }
    },
    plugins: [vue(), contentSecurityPolicy()]
  }
})
