import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { build } from 'vite'

/** The renderer's folder: the same index.html and sources electron-vite builds for the app. */
export const RENDERER_ROOT = fileURLToPath(new URL('../../../src-renderer', import.meta.url))

/**
 * Builds the renderer alone into `outDir` with Vite. Only the renderer: the browser walk does not
 * depend on the main process compiling, and out/ (the app's build) is left alone.
 */
export async function buildRenderer(outDir: string): Promise<void> {
  // Vitest sets NODE_ENV=test; Vite and the React plugin would then build React's development flavour.
  const nodeEnv = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  try {
    await buildProduction(outDir)
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = nodeEnv
  }
}

async function buildProduction(outDir: string): Promise<void> {
  await build({
    configFile: false,
    root: RENDERER_ROOT,
    // Relative asset URLs, as electron-vite builds them for file://; they work over HTTP as well.
    base: './',
    mode: 'production',
    logLevel: 'warn',
    plugins: [react()],
    build: { outDir, emptyOutDir: true, reportCompressedSize: false, sourcemap: false }
  })
}
