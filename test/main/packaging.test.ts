import { execFile } from 'node:child_process'
import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir } from '../fixtures/plugin-folder.js'

const run = promisify(execFile)
const root = path.resolve(import.meta.dirname, '../..')
const bin = (name: string): string => path.join(root, 'node_modules', '.bin', name)

let temp: { dir: string; cleanup: () => Promise<void> }
let listing: string[]
let unpacked: string

// Electron's binary cannot be downloaded here, so the package is made with a stand-in binary: what this
// checks is the packaging config (what goes into app.asar and beside it), not a runnable app.
beforeAll(async () => {
  temp = await makeTempDir('wprm-pack-')
  await run(bin('electron-vite'), ['build'], { cwd: root })
  const fakeElectron = path.join(temp.dir, 'electron-dist')
  await mkdir(fakeElectron)
  await copyFile('/bin/true', path.join(fakeElectron, 'electron'))
  await chmod(path.join(fakeElectron, 'electron'), 0o755)
  const pkg = JSON.parse(await readFile(path.join(root, 'node_modules/electron/package.json'), 'utf8')) as { version: string }
  await writeFile(path.join(fakeElectron, 'version'), pkg.version)
  const out = path.join(temp.dir, 'release')
  await run(
    bin('electron-builder'),
    ['--linux', 'dir', `-c.electronDist=${fakeElectron}`, '-c.npmRebuild=false', `-c.directories.output=${out}`],
    { cwd: root }
  )
  unpacked = path.join(out, 'linux-unpacked')
  listing = (await run(bin('asar'), ['list', path.join(unpacked, 'resources', 'app.asar')], { maxBuffer: 64 * 1024 * 1024 })).stdout.split(
    '\n'
  )
}, 240_000)
afterAll(async () => temp?.cleanup())

describe('the packaged app (electron-builder)', () => {
  it('holds the built main, preload and renderer, and the runtime dependencies only', () => {
    for (const file of ['/out/main/index.js', '/out/preload/index.cjs', '/out/renderer/index.html', '/package.json'])
      expect(listing).toContain(file)
    for (const dependency of ['lowdb', 'jszip', 'semver', 'ssh2', 'ssh2-sftp-client', 'ignore'])
      expect(listing).toContain(`/node_modules/${dependency}`)
    for (const devOnly of ['vitest', 'electron', 'typescript', 'playwright-core', 'react'])
      expect(listing).not.toContain(`/node_modules/${devOnly}`)
    expect(listing.filter((f) => f.endsWith('.map'))).toEqual([])
  })

  it('ships the PHP updater beside app.asar, where `updater install` looks for it', async () => {
    const shipped = await readFile(path.join(unpacked, 'resources', 'resources', 'wordpress', 'wprm-updater.php'), 'utf8')
    expect(shipped).toBe(await readFile(path.join(root, 'resources', 'wordpress', 'wprm-updater.php'), 'utf8'))
  })
})
