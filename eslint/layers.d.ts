/** The layer tables of eslint/layers.js (rows from the top layer down) and its stale-entry check. */
export declare const MAIN_LAYERS: string[][]
export declare const RENDERER_LAYERS: string[][]
export declare function missingLayerEntries(): string[]
export declare const layersPlugin: { rules: Record<string, unknown> }
