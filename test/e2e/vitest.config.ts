import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// The browser walk: real sshd + nginx, the real API bound into Chromium. One file, one worker, generous
// limits for a 2-core machine. Run from the repository root: npx vitest run -c test/e2e/vitest.config.ts
export default defineConfig({
  test: {
    // Vitest's root defaults to the working directory; pin it so the include means the same from anywhere.
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false
  }
})
