import { createHash, randomBytes } from 'node:crypto'
import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WprmError } from '../../src-main/core/errors.js'
import { LocalStore } from '../../src-main/core/remote/targets/local-store.js'
import { IMMUTABLE_CACHE_CONTROL } from '../../src-main/core/remote/targets/object-store.js'
import type { PutOptions } from '../../src-main/core/remote/targets/object-store.js'
import { normalizeLocalTarget } from '../../src-shared/input-rules.js'
import { startNginx } from '../support/nginx.js'
import type { NginxServer } from '../support/nginx.js'
import { makePublicDir, makeTempDir, removeTempDir } from '../support/temp-dir.js'

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')
const options = (bytes: Buffer, condition?: PutOptions['condition']): PutOptions => ({
  cacheControl: IMMUTABLE_CACHE_CONTROL,
  contentType: 'application/json',
  sha256: sha256(bytes),
  ...(condition === undefined ? {} : { condition })
})
const bytes = (text: string) => ({ kind: 'bytes', bytes: Buffer.from(text) }) as const

describe('the local folder store, served by nginx', () => {
  let root: string
  let scratch: string
  let nginx: NginxServer
  let store: LocalStore

  beforeAll(async () => {
    root = await makeTempDir('local-target')
    await makePublicDir(root)
    scratch = await makeTempDir('local-target-src')
    nginx = await startNginx({ root })
    store = new LocalStore(normalizeLocalTarget({ root, publicUrl: nginx.baseUrl }))
  })
  afterAll(async () => {
    await nginx?.stop()
    await Promise.all([removeTempDir(root), removeTempDir(scratch)])
  })

  it('puts, reads, lists, copies and deletes files that the web server serves', async () => {
    const zip = randomBytes(200 * 1024)
    const zipPath = join(scratch, 'hello-v1.0.0.zip')
    await writeFile(zipPath, zip)
    await store.put('hello/hello-v1.0.0.zip', { kind: 'file', path: zipPath }, options(zip))
    await store.put('hello/info.json', bytes('{"v":1}'), options(Buffer.from('{"v":1}')))
    await store.copy('hello/hello-v1.0.0.zip', 'hello/hello-latest.zip', { cacheControl: 'public, max-age=60' })

    expect((await store.list('hello/')).map((o) => [o.key, o.size])).toEqual([
      ['hello/hello-latest.zip', zip.length],
      ['hello/hello-v1.0.0.zip', zip.length],
      ['hello/info.json', 7]
    ])
    expect((await store.list('hello/info')).map((o) => o.key)).toEqual(['hello/info.json'])
    expect((await store.list('')).length).toBe(3)
    expect((await store.get('hello/info.json'))?.bytes.toString()).toBe('{"v":1}')
    expect(await store.head('hello/info.json')).toMatchObject({ size: 7, sha256: null, cacheControl: null })
    const served = await fetch(store.publicUrl('hello/hello-latest.zip'))
    expect(served.status).toBe(200)
    expect(sha256(Buffer.from(await served.arrayBuffer()))).toBe(sha256(zip))

    await store.delete('hello/hello-latest.zip')
    await store.delete('hello/hello-latest.zip')
    expect(await store.head('hello/hello-latest.zip')).toBeNull()
    expect(await store.get('hello/nothing.json')).toBeNull()
    // Nothing of ours is left beside the files: no temporary file, no lock.
    expect((await readdir(join(root, 'hello'))).sort()).toEqual(['hello-v1.0.0.zip', 'info.json'])
    await expect(store.head('../etc/passwd')).rejects.toThrow('not an object key')
  })

  it('creates only where nothing is, and replaces only the version it read: one winner of 20 at once', async () => {
    const created = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        store.put('race/.wprm-lock', bytes(`owner ${i}`), options(Buffer.from(`${i}`), { kind: 'create' }))
      )
    )
    expect(created.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect(created.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as WprmError).kind)).toEqual(
      Array(19).fill('remote-conflict')
    )

    const first = await store.put('race/ledger.json', bytes('v1'), options(Buffer.from('v1'), { kind: 'create' }))
    const replaced = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        store.put('race/ledger.json', bytes(`v2 by ${i}`), options(Buffer.from(`${i}`), { kind: 'replace', etag: first.etag }))
      )
    )
    const winners = replaced.filter((r): r is PromiseFulfilledResult<{ etag: string }> => r.status === 'fulfilled')
    expect(winners).toHaveLength(1)
    expect((await store.head('race/ledger.json'))?.etag).toBe(winners[0]!.value.etag)
    expect((await store.get('race/ledger.json'))?.bytes.toString()).toMatch(/^v2 by \d+$/)
    expect((await readdir(join(root, 'race'))).sort()).toEqual(['.wprm-lock', 'ledger.json'])
  })

  it('refuses a folder that does not exist rather than making the web root', async () => {
    const missing = new LocalStore(normalizeLocalTarget({ root: join(root, 'not-made'), publicUrl: nginx.baseUrl }))
    await expect(missing.put('a/info.json', bytes('{}'), options(Buffer.from('{}')))).rejects.toMatchObject({
      kind: 'remote-not-found',
      message: `The folder ${join(root, 'not-made')} does not exist.`
    })
  })
})
