/**
 * The contract's zod schemas are built when src/shared/api.ts loads. Zod probes `new Function` while
 * building object schemas (for its compiled fast path), which this page's CSP (script-src 'self',
 * no 'unsafe-eval') reports as a violation. Jitless mode skips the probe; it must run before any
 * schema is built, so main.ts imports this module first.
 */
import { config } from 'zod'

config({ jitless: true })
