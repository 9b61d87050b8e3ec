import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// The real-WordPress suite: slow start-ups (MariaDB + a 60 MB copy), so one file at a time with generous limits.
// Run from the repository root: npx vitest run -c test/wordpress/vitest.config.ts
export default defineConfig({
  test: {
    // Vitest's root defaults to the working directory; pin it so the include means the same from anywhere.
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/wordpress/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 1
  }
})
