/// <reference types="vite/client" />

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}

interface Window {
  /** The typed client the Electron preload exposes; absent when the page is served to a browser. */
  readonly pulmo?: import('../../shared/api').PulmoClient & {
    /** Desktop only: the native folder/file picker. */
    pickPaths?(): Promise<string[] | null>
  }
}
