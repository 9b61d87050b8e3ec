import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'

// Our folders are not electron-vite's defaults (src/main, src/preload, src/renderer): each part names its entry.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      lib: { entry: resolve(__dirname, 'src-main/index.ts') }
    }
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // CommonJS, so that the preload runs in a sandboxed renderer.
      lib: { entry: resolve(__dirname, 'src-preload/index.ts'), formats: ['cjs'] }
    }
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rolldownOptions: { input: resolve(__dirname, 'src-renderer/index.html') }
    }
  }
})
