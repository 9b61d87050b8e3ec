// `npm start`: run the desktop app where Electron's binary is installed, and say how to get it where not.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const require = createRequire(import.meta.url)
const electronDir = path.dirname(require.resolve('electron/package.json'))
const pathFile = path.join(electronDir, 'path.txt')
const binary = existsSync(pathFile) ? path.join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()) : null
if (binary === null || !existsSync(binary)) {
  console.error(
    "wprm: Electron's binary is not installed on this machine, so the window cannot open. " +
      'Run `node node_modules/electron/install.js` where GitHub is reachable (or set ELECTRON_MIRROR), then `npm start` again. ' +
      'Everything the app does is also available without it: `npx wprm --help`.'
  )
  process.exit(1)
}
const result = spawnSync('npx', ['electron-vite', 'preview'], { stdio: 'inherit' })
process.exit(result.status ?? 1)
