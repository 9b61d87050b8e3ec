import { randomBytes } from 'node:crypto'
import os from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalStore } from '../../src-main/core/remote/targets/local-store.js'
import { takeObjectLock } from '../../src-main/core/remote/targets/object-lock.js'
import type { ObjectLockRequest } from '../../src-main/core/remote/targets/object-lock.js'
import type { ObjectStore } from '../../src-main/core/remote/targets/object-store.js'
import { S3Store } from '../../src-main/core/remote/targets/s3-store.js'
import { normalizeLocalTarget, normalizeS3Target } from '../../src-shared/input-rules.js'
import { startObjectStore } from '../support/object-store.js'
import type { ObjectStoreServer } from '../support/object-store.js'
import { makeTempDir, removeTempDir } from '../support/temp-dir.js'

/** A lock note as another workstation (or a dead process here) would have written it. */
function note(owner: { host: string; pid: number; since: Date }): Buffer {
  return Buffer.from(
    JSON.stringify({
      token: randomBytes(8).toString('hex'),
      host: owner.host,
      pid: owner.pid,
      user: 'ana',
      job: 'hello@1.2.0',
      since: owner.since.toISOString()
    })
  )
}

let rgw: ObjectStoreServer | undefined
let folder: string | undefined

beforeAll(async () => {
  folder = await makeTempDir('object-lock')
  rgw = await startObjectStore({ bucket: 'locks' })
})
afterAll(async () => {
  await rgw?.stop()
  if (folder !== undefined) await removeTempDir(folder)
})

describe.each([
  [
    'a local folder',
    async (): Promise<ObjectStore> => new LocalStore(normalizeLocalTarget({ root: folder!, publicUrl: 'http://127.0.0.1/' }))
  ],
  [
    'Ceph RGW over S3',
    async (): Promise<ObjectStore> =>
      S3Store.open(
        normalizeS3Target({ endpoint: rgw!.endpoint, region: rgw!.region, bucket: rgw!.bucket, publicUrl: `${rgw!.endpoint}/locks/` }),
        { accessKeyId: rgw!.accessKeyId, secretAccessKey: rgw!.secretAccessKey }
      )
  ]
])('the publish lock on %s', (_name, open) => {
  let store: ObjectStore
  let n = 0
  const request = (over: Partial<ObjectLockRequest> = {}): ObjectLockRequest => ({
    key: `p${n}/.wprm-lock`,
    slug: `p${n}`,
    where: 'the store',
    job: { id: `p${n}@1.0.0`, slug: `p${n}`, kind: 'publish', versions: ['1.0.0'] },
    now: () => new Date(),
    lockWaitMs: 20_000,
    pollMs: 20,
    ...over
  })
  beforeAll(async () => {
    store = await open()
  })
  afterAll(() => store?.close())

  it('lets one publish in at a time: 8 at once all finish, never two inside', async () => {
    n++
    let inside = 0
    let most = 0
    let done = 0
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const release = await takeObjectLock(store, request())
        inside++
        most = Math.max(most, inside)
        await new Promise((resolve) => setTimeout(resolve, 15))
        inside--
        done++
        await release()
      })
    )
    expect([most, done]).toEqual([1, 8])
    expect(await store.head(request().key)).toBeNull()
  })

  it('waits for a live lock from elsewhere, names its owner, and breaks it only when stale and asked', async () => {
    n++
    const since = new Date(Date.now() - 20 * 60_000)
    await store.put(
      request().key,
      { kind: 'bytes', bytes: note({ host: 'ana-laptop', pid: 4242, since }) },
      {
        cacheControl: 'no-store',
        contentType: 'application/json',
        sha256: ''
      }
    )
    await expect(takeObjectLock(store, request({ lockWaitMs: 100 }))).rejects.toMatchObject({
      kind: 'remote-locked',
      message: `Another publish of p${n} holds the lock in the store: ana@ana-laptop (pid 4242, hello@1.2.0) since ${since.toISOString()}.`
    })
    const release = await takeObjectLock(store, request({ breakStaleLock: true, lockWaitMs: 100 }))
    expect(JSON.parse((await store.get(request().key))!.bytes.toString()).host).toBe(os.hostname())
    await release()
    expect(await store.head(request().key)).toBeNull()
  })

  it('takes over at once a lock left by a dead process on this host, and never deletes one that is no longer its own', async () => {
    n++
    await store.put(
      request().key,
      { kind: 'bytes', bytes: note({ host: os.hostname(), pid: 2 ** 22 + 7, since: new Date() }) },
      {
        cacheControl: 'no-store',
        contentType: 'application/json',
        sha256: ''
      }
    )
    const release = await takeObjectLock(store, request({ lockWaitMs: 0 }))
    // Our lock broken as stale and taken by another workstation meanwhile: releasing must leave theirs.
    const seen = (await store.head(request().key))!
    const theirs = note({ host: 'ben-desktop', pid: 1, since: new Date() })
    await store.put(
      request().key,
      { kind: 'bytes', bytes: theirs },
      {
        cacheControl: 'no-store',
        contentType: 'application/json',
        sha256: '',
        condition: { kind: 'replace', etag: seen.etag }
      }
    )
    await release()
    expect((await store.get(request().key))?.bytes.equals(theirs)).toBe(true)
  })
})
