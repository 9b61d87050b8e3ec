import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiError } from '../../src-preload/api.js'
import { runCli } from '../cli/run-cli.js'
import type { CliRun } from '../cli/run-cli.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'
import { startTcpProxy } from '../support/tcp-proxy.js'
import type { Tmpfs } from '../support/tmpfs.js'
import { mountTmpfs } from '../support/tmpfs.js'
import type { UpdateServer } from '../support/update-server.js'
import { startUpdateServer } from '../support/update-server.js'
import { SLUG, checkDatabase, checkLeftovers, checkSites, makeWorld } from './campaign.js'

let server: UpdateServer
let temp: { dir: string; cleanup: () => Promise<void> }
const mounts: Tmpfs[] = []
beforeAll(async () => {
  server = await startUpdateServer()
  temp = await makeTempDir('wprm-faults-disks-')
})
afterAll(async () => {
  for (const mount of mounts) await mount.unmount()
  await server?.stop()
  await temp?.cleanup()
})

async function mount(where: string, sizeBytes: number): Promise<Tmpfs> {
  const tmpfs = await mountTmpfs(where, sizeBytes)
  mounts.push(tmpfs)
  return tmpfs
}

/** Fills a disk to the last byte with a file at `file` (ENOSPC ends it). */
async function fill(file: string): Promise<void> {
  await writeFile(file, Buffer.alloc(64 * 1024 * 1024)).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error
  })
}

/** The one line of a failed run and its error, which must be a named one, never a bug report. */
function failed(run: CliRun): { line: string; error: ApiError } {
  expect(run.code, run.stderr).toBe(1)
  const lines = run.stderr.trim().split('\n')
  expect(lines, run.stderr).toHaveLength(1)
  const error = (JSON.parse(run.stdout) as { error: ApiError }).error
  expect(error.kind).not.toBe('internal')
  return { line: lines[0]!, error }
}

describe('a full disk on the server', () => {
  it('fails an upload that does not fit with remote-io naming the ZIP; sites keep the release; freeing space is all it takes', async () => {
    // 1.0.0 (about 100 KB) fits; 1.1.0 does not.
    const disk = await mount(path.join(server.sshd.root, 'full-upload'), 180 * 1024)
    const proxy = await startTcpProxy(server.sshd.port)
    try {
      const world = await makeWorld(server, 'full-upload', proxy.port)
      const api = world.api()
      const run = await api.changeStatus({ slug: SLUG, versions: ['1.1.0'], status: 'released' })
      expect(run.ok).toBe(false)
      const error = (run as { error: ApiError }).error
      expect(error.kind).toBe('remote-io')
      expect(error.message).toMatch(
        new RegExp(
          `^Uploading ${world.remoteDir}/hello-wprm-v1\\.1\\.0\\.zip on 127\\.0\\.0\\.1 failed: the server's disk is full \\(\\d+ bytes free, \\d+ needed\\)\\.$`
        )
      )
      expect(error.hint).toContain(`Free space on 127.0.0.1 (the disk of ${world.remoteDir})`)
      expect((await checkSites(world, ['1.0.0'])).broke).toEqual([])
      expect(await checkLeftovers(world)).toEqual([])
      expect(await checkDatabase(world)).toEqual([])
      expect((await api.getVersion({ slug: SLUG, version: '1.1.0' })) as unknown).toMatchObject({ ok: true, value: { status: 'draft' } })
      await disk.remount({ sizeBytes: 4 * 1024 * 1024 })
      expect((await api.changeStatus({ slug: SLUG, versions: ['1.1.0'], status: 'released' })).ok).toBe(true)
      expect((await checkSites(world, ['1.1.0'])).broke).toEqual([])
      expect(await checkLeftovers(world)).toEqual([])
    } finally {
      await proxy.close()
    }
  })

  it('fails at the lock note when the disk is full to the last byte, leaving no lock; the next publish goes in at once', async () => {
    await mount(path.join(server.sshd.root, 'full-lock'), 1024 * 1024)
    const proxy = await startTcpProxy(server.sshd.port)
    try {
      const world = await makeWorld(server, 'full-lock', proxy.port)
      const filler = path.join(server.sshd.root, 'full-lock', 'filler')
      await fill(filler)
      const api = world.api()
      const run = await api.publish({ slug: SLUG })
      expect(run.ok).toBe(false)
      const error = (run as { error: ApiError }).error
      expect(error.kind).toBe('remote-io')
      expect(error.message).toMatch(
        /^Writing .*\/\.wprm-lock\.[0-9a-f]{12}\.part\/owner\.json on 127\.0\.0\.1 failed: the server's disk is full/
      )
      expect(await checkLeftovers(world)).toEqual([])
      expect((await checkSites(world, ['1.0.0'])).broke).toEqual([])
      await rm(filler)
      const started = Date.now()
      expect((await api.publish({ slug: SLUG })).ok).toBe(true)
      expect(Date.now() - started).toBeLessThan(4000)
    } finally {
      await proxy.close()
    }
  })
})

describe('the data folder', () => {
  /** A data folder on a tmpfs of its own, with hello-wprm added and 1.0.0 built (no server). */
  async function dataOnTmpfs(name: string, sizeBytes: number) {
    const dataDir = path.join(temp.dir, name, 'data')
    const disk = await mount(dataDir, sizeBytes)
    const source = await writePluginFolder(path.join(temp.dir, name, SLUG), { 'assets/noise.bin': randomBytes(300 * 1024) })
    const wprm = (...args: string[]) => runCli(['--json', ...args], { dataDir })
    expect((await wprm('plugin', 'add', source)).code).toBe(0)
    expect((await wprm('version', 'add', SLUG, '1.0.0', '--changelog', 'First', '--status', 'released')).code).toBe(0)
    const locksLeft = async () => [
      ...(await readdir(dataDir)).filter((f) => f.endsWith('.lock') || f.endsWith('.tmp')),
      ...(existsSync(path.join(dataDir, 'locks')) ? await readdir(path.join(dataDir, 'locks')) : [])
    ]
    return { dataDir, disk, wprm, locksLeft }
  }

  it('names the ZIP being written when the disk fills up during a build, and the database when it is full; nothing is left', async () => {
    const { dataDir, wprm, locksLeft } = await dataOnTmpfs('full-data', 900 * 1024)
    const filler = path.join(dataDir, 'filler')
    // Room for the database, not for another ZIP of about 300 KB.
    await writeFile(filler, Buffer.alloc(400 * 1024))
    const zip = path.join(dataDir, 'dist', SLUG, 'hello-wprm-v1.1.0.zip')
    const build = failed(await wprm('version', 'add', SLUG, '1.1.0', '--changelog', 'Second', '--status', 'released'))
    expect(build.error.kind).toBe('io')
    expect(build.line).toBe(
      `wprm: Could not write ${zip}: no space is left on the disk (ENOSPC). Free space on the disk of ${zip}, then run the same command again.`
    )
    expect(await readdir(path.join(dataDir, 'dist', SLUG))).toEqual(['hello-wprm-latest.zip', 'hello-wprm-v1.0.0.zip'])
    // Full to the last page: the lock note does not fit.
    await rm(filler)
    const spacer = path.join(dataDir, 'spacer')
    // Two pages: the notes of the plugin lock and of the database lock.
    await writeFile(spacer, Buffer.alloc(8192))
    await fill(filler)
    const locked = failed(await wprm('version', 'add', SLUG, '1.1.0', '--changelog', 'Second'))
    expect(locked.error.message).toBe(
      `Could not write ${path.join(dataDir, 'locks', `${SLUG}.lock`)}: no space is left on the disk (ENOSPC).`
    )
    expect(await locksLeft()).toEqual([])
    // Room for the lock notes, not for the new database.
    await rm(spacer)
    const full = failed(await wprm('version', 'add', SLUG, '1.1.0', '--changelog', 'Second'))
    expect(full.error.message).toBe(`Could not write ${path.join(dataDir, 'wprm.json')}: no space is left on the disk (ENOSPC).`)
    expect(await locksLeft()).toEqual([])
    const list = await wprm('list', SLUG)
    expect(list.code, list.stderr).toBe(0)
    expect((JSON.parse(list.stdout) as { versions: { version: string }[] }).versions.map((v) => v.version)).toEqual(['1.0.0'])
    await rm(filler)
    expect((await wprm('version', 'add', SLUG, '1.1.0', '--changelog', 'Second', '--status', 'released')).code).toBe(0)
    expect(await locksLeft()).toEqual([])
  })

  it('refuses changes in a read-only data folder with io naming the path; reads go on; writable again, the command works', async () => {
    const { dataDir, disk, wprm, locksLeft } = await dataOnTmpfs('read-only', 4 * 1024 * 1024)
    await disk.remount({ readOnly: true })
    const change = failed(await wprm('version', 'add', SLUG, '1.1.0', '--changelog', 'Second'))
    expect(change.error).toEqual({
      kind: 'io',
      message: `Could not open ${path.join(dataDir, 'locks', `${SLUG}.lock`)}: the file system is read-only (EROFS).`,
      hint: 'The folder is read-only: choose a writable --data-dir (or --dist-dir for ZIPs), or mount the disk read-write.'
    })
    expect((await wprm('list', SLUG)).code).toBe(0)
    await disk.remount({ readOnly: false })
    expect(await locksLeft()).toEqual([])
    expect((await wprm('version', 'add', SLUG, '1.1.0', '--changelog', 'Second', '--status', 'released')).code).toBe(0)
  })
})
