import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Result, WprmApi } from '../../src-preload/api.js'
import { createApi } from '../../src-main/api.js'
import { pluginLockPath } from '../../src-main/core/db/plugin-lock.js'
import type { Database } from '../../src-main/core/db/store.js'
import { acquireLock } from '../../src-main/core/fs/file-lock.js'
import { changesSince } from '../../src-main/core/ops/plugin-change.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.kind}: ${result.error.message}`)
  return result.value
}

function failure<T>(result: Result<T>): { kind: string; message: string; hint: string } {
  if (result.ok) throw new Error('expected a failure')
  return result.error
}

let temp: { dir: string; cleanup: () => Promise<void> }
let dataDir: string
let api: WprmApi
/** What was locked at each build phase: [phase, database lock held, plugin lock held]. */
let seen: [string, boolean, boolean][]

beforeEach(async () => {
  temp = await makeTempDir()
  dataDir = path.join(temp.dir, 'data')
  seen = []
  api = createApi({
    dataDir,
    remoteLockWaitMs: 300,
    onEvent: (name, payload) => {
      if (name !== 'progress') return
      const event = payload as { phase: string }
      seen.push([event.phase, existsSync(path.join(dataDir, 'wprm.lock')), existsSync(pluginLockPath(dataDir, 'hello-wprm'))])
    }
  })
  value(await api.addPlugin({ sourceDir: await writePluginFolder(path.join(temp.dir, 'hello-wprm')) }))
  value(await api.addPlugin({ sourceDir: await writePluginFolder(path.join(temp.dir, 'other'), {}, 'other') }))
})
afterEach(async () => temp.cleanup())

describe('the plugin lock and the database lock', () => {
  it('builds under the plugin lock only: the database lock is not held while the ZIP is written', async () => {
    value(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'x', status: 'released' }))
    expect(seen.map(([phase]) => phase)).toEqual(expect.arrayContaining(['scan', 'zip', 'hash']))
    for (const [phase, database, plugin] of seen) expect({ phase, database, plugin }).toEqual({ phase, database: false, plugin: true })
    // Both are gone once the command is done.
    expect(existsSync(path.join(dataDir, 'wprm.lock'))).toBe(false)
    expect(existsSync(pluginLockPath(dataDir, 'hello-wprm'))).toBe(false)
  })

  it('makes a second command on the same plugin wait and then name the holder; other plugins and readers go on', async () => {
    const lock = pluginLockPath(dataDir, 'hello-wprm')
    await mkdir(path.dirname(lock), { recursive: true })
    const release = await acquireLock(lock, { purpose: 'released hello-wprm 1.0.0', waitMs: 0 })
    try {
      const error = failure(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'x' }))
      expect(error.kind).toBe('database-locked')
      expect(error.message).toBe(
        `hello-wprm is being changed by wprm (pid ${process.pid} on ${os.hostname()}, "released hello-wprm 1.0.0", since ${(JSON.parse(await readFile(lock, 'utf8')) as { since: string }).since}).`
      )
      expect(error.hint).toContain(lock)
      expect(failure(await api.rollback({ slug: 'hello-wprm', to: '1.0.0' })).kind).toBe('database-locked')
      expect(failure(await api.pruneZips({ slug: 'hello-wprm' })).kind).toBe('database-locked')
      value(await api.addVersion({ slug: 'other', version: '1.0.0', changelog: 'y', status: 'released' }))
      expect(value(await api.getPlugin({ slug: 'hello-wprm' })).versions).toEqual([])
    } finally {
      await release()
    }
    value(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'x' }))
  })

  it('takes over a plugin lock left by a process that is gone, and never makes a lock for an unknown plugin', async () => {
    const lock = pluginLockPath(dataDir, 'hello-wprm')
    await mkdir(path.dirname(lock), { recursive: true })
    await writeFile(lock, JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), since: '', purpose: 'dead' }))
    value(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'x' }))
    expect(existsSync(lock)).toBe(false)
    expect(failure(await api.addVersion({ slug: '../escape', version: '1.0.0', changelog: 'x' })).kind).toBe('not-found')
    expect(existsSync(path.join(dataDir, 'escape.lock'))).toBe(false)
  })
})

describe('changesSince', () => {
  const plugin = { slug: 'hello', server: 'prod' } as Database['plugins'][number]
  const v = (version: string, status: string) => ({ plugin: 'hello', version, status }) as unknown as Database['versions'][number]
  const db = (plugins: Database['plugins'], versions: Database['versions']): Database => ({
    schema: 1,
    next_activity_id: 1,
    plugins,
    versions,
    servers: [],
    signing_keys: [],
    activity: []
  })

  it('names what moved for one plugin, and nothing for another plugin’s changes', () => {
    const before = db([plugin], [v('1.0.0', 'released'), v('1.1.0', 'draft')])
    expect(
      changesSince(
        before,
        db([plugin], [v('1.1.0', 'draft'), v('1.0.0', 'released'), { ...v('1.0.0', 'draft'), plugin: 'other' }]),
        'hello'
      )
    ).toEqual([])
    expect(
      changesSince(
        before,
        db([{ ...plugin, server: null }], [v('1.0.0', 'released'), v('1.1.0', 'released'), v('1.2.0', 'draft')]),
        'hello'
      )
    ).toEqual(['its server is now none (was prod)', '1.2.0 was added', '1.1.0 was changed (now released)'])
    expect(changesSince(before, db([plugin], [v('1.1.0', 'draft')]), 'hello')).toEqual(['1.0.0 was removed'])
    expect(changesSince(before, db([], []), 'hello')).toEqual(['hello was removed'])
  })
})
