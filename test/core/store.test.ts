import { readFile, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WprmError } from '../../src-main/core/errors.js'
import { acquireLock } from '../../src-main/core/fs/file-lock.js'
import { DATABASE_FILE, Store } from '../../src-main/core/db/store.js'
import { makeTempDir } from '../fixtures/plugin-folder.js'

let temp: { dir: string; cleanup: () => Promise<void> }
beforeEach(async () => {
  temp = await makeTempDir()
})
afterEach(async () => temp.cleanup())

const addMarker = (store: Store, name: string): Promise<void> =>
  store.transact('test', (db) => {
    db.activity.unshift({
      id: db.next_activity_id++,
      at: '',
      plugin: name,
      version: null,
      action: 'plugin.add',
      summary: name,
      changes: {}
    })
  })

describe('Store', () => {
  it('starts empty and writes through to disk, keeping the previous copy as backup', async () => {
    const store = new Store(temp.dir)
    expect((await store.read()).plugins).toEqual([])
    await addMarker(store, 'one')
    await addMarker(store, 'two')
    const onDisk = JSON.parse(await readFile(path.join(temp.dir, DATABASE_FILE), 'utf8'))
    expect(onDisk.activity.map((a: { plugin: string }) => a.plugin)).toEqual(['two', 'one'])
    const backup = JSON.parse(await readFile(path.join(temp.dir, `${DATABASE_FILE}.bak`), 'utf8'))
    expect(backup.activity.map((a: { plugin: string }) => a.plugin)).toEqual(['one'])
    // No temp files or lock left behind.
    expect((await readdir(temp.dir)).sort()).toEqual([DATABASE_FILE, `${DATABASE_FILE}.bak`])
  })

  it('writes nothing when a change throws', async () => {
    const store = new Store(temp.dir)
    await addMarker(store, 'kept')
    const before = await readFile(path.join(temp.dir, DATABASE_FILE), 'utf8')
    await expect(
      store.transact('failing', (db) => {
        db.plugins.push({ slug: 'half' } as never)
        throw new Error('boom')
      })
    ).rejects.toThrow('boom')
    expect(await readFile(path.join(temp.dir, DATABASE_FILE), 'utf8')).toBe(before)
  })

  it('runs changes from one process one after another, none lost', async () => {
    const store = new Store(temp.dir)
    await Promise.all(Array.from({ length: 20 }, (_, i) => addMarker(store, `m${i}`)))
    expect((await store.read()).activity).toHaveLength(20)
  })

  it.each([
    ['empty', ''],
    ['not JSON', '{"schema": 1, "plugins": ['],
    ['not ours', '{"hello": "world"}']
  ])('refuses a database that is %s, naming the file and the backup, and restores the backup on request', async (_what, content) => {
    const store = new Store(temp.dir)
    await addMarker(store, 'good')
    await addMarker(store, 'better')
    const dbPath = path.join(temp.dir, DATABASE_FILE)
    await writeFile(dbPath, content)
    const error = await store.read().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WprmError)
    expect((error as WprmError).kind).toBe('database-corrupt')
    expect((error as WprmError).message).toContain(dbPath)
    expect((error as WprmError).hint).toContain(`${dbPath}.bak`)
    expect((error as WprmError).hint).toContain('wprm db restore-backup')
    // A write is refused too: the damaged file is never replaced by an empty database.
    await expect(addMarker(store, 'lost?')).rejects.toThrow(/damaged/)
    expect(await readFile(dbPath, 'utf8')).toBe(content)

    const restored = await store.restoreBackup()
    expect(restored.damaged_copy).not.toBeNull()
    expect(await readFile(restored.damaged_copy!, 'utf8')).toBe(content)
    const db = await store.read()
    expect(db.activity.map((a) => a.plugin)).toEqual(['', 'good'])
    expect(db.activity[0]!.action).toBe('database.restore')
  })
})

describe('acquireLock', () => {
  it('makes a second holder wait, then names the owner when it gives up', async () => {
    const lock = path.join(temp.dir, 'x.lock')
    const release = await acquireLock(lock, { purpose: 'first', waitMs: 0 })
    const error = await acquireLock(lock, { purpose: 'second', waitMs: 100 }).catch((e: unknown) => e as WprmError)
    expect((error as WprmError).kind).toBe('database-locked')
    expect((error as WprmError).message).toContain(`pid ${process.pid}`)
    expect((error as WprmError).message).toContain('"first"')
    const waiting = acquireLock(lock, { purpose: 'third', waitMs: 5000 })
    setTimeout(() => void release(), 100)
    await (
      await waiting
    )()
  })

  it('takes over a lock whose process is gone', async () => {
    const lock = path.join(temp.dir, 'x.lock')
    await writeFile(lock, JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), since: '', purpose: 'dead' }))
    const release = await acquireLock(lock, { purpose: 'alive', waitMs: 0 })
    expect(JSON.parse(await readFile(lock, 'utf8')).pid).toBe(process.pid)
    await release()
  })
})
