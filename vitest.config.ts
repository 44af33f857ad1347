import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Tests share two cores with wasm-heavy work; running files one at a time keeps figures stable.
    fileParallelism: false,
    pool: 'forks'
  }
})
