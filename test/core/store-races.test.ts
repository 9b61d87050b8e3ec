import { randomBytes } from 'node:crypto'
import os from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalStore } from '../../src-main/core/remote/targets/local-store.js'
import { takeObjectLock } from '../../src-main/core/remote/targets/object-lock.js'
import { readStoreTruth, writeStoreLedger } from '../../src-main/core/remote/targets/store-ledger.js'
import { nextLedger } from '../../src-shared/ledger.js'
import type { PluginVersionRecord } from '../../src-shared/model.js'
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
])('the publish lock and the ledger swap on %s', (_name, open) => {
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

  it('20 racing publishes of one plugin, each under the lock with the ledger swapped on its ETag: strictly +1, no version lost', async () => {
    n++
    const slug = `p${n}`
    const record = (version: string): PluginVersionRecord => ({
      plugin: slug,
      allowed_files: [],
      version,
      status: 'released',
      changelog: `Changes in ${version}`,
      version_code: 0,
      min_api_version: null,
      min_platform_version: null,
      min_php_version: null,
      force_update: false,
      file_path: `/dist/${slug}-v${version}.zip`,
      file_size: 100,
      checksum: 'a'.repeat(64),
      checksum_md5: 'b'.repeat(32),
      released_at: '2026-12-01T00:00:00.000Z',
      revoked_at: null,
      created_at: '2026-12-01T00:00:00.000Z',
      updated_at: '2026-12-01T00:00:00.000Z'
    })
    const numbers: number[] = []
    const publish = async (i: number): Promise<void> => {
      const release = await takeObjectLock(store, request({ lockWaitMs: 60_000 }))
      try {
        const truth = await readStoreTruth(store, slug)
        expect(truth.problem).toBeNull()
        const manifestVersion = truth.manifest_version + 1
        const ledger = nextLedger({
          slug,
          plugin: { name: 'P', main_file: 'p.php', version_constant: null },
          versions: [record(`1.0.${i}`)],
          onServer: new Set([`1.0.${i}`]),
          base: truth.state,
          manifestVersion,
          by: { user: `ws${i}`, host: `ws${i}`, workstation: `ws${i}` },
          at: new Date().toISOString(),
          zipName: (v) => `${slug}-v${v}.zip`
        })
        await writeStoreLedger(store, ledger, truth.ledgerEtag, 60)
        // The manifest last: the commit point.
        const manifest = Buffer.from(JSON.stringify({ manifest_version: manifestVersion }))
        await store.put(
          `${slug}/info.json`,
          { kind: 'bytes', bytes: manifest },
          { cacheControl: 'public, max-age=60', contentType: 'application/json', sha256: '' }
        )
        numbers.push(manifestVersion)
      } finally {
        await release()
      }
    }
    await Promise.all(Array.from({ length: 20 }, (_, i) => publish(i)))
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    const truth = await readStoreTruth(store, slug)
    expect(truth.manifest_version).toBe(20)
    expect(truth.state?.versions.map((v) => v.version).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `1.0.${i}`).sort())

    // Without the lock (one broken as stale while its publish still ran), the swap is what keeps a version:
    // of two publishes that read the same ledger, the second write loses and changes nothing.
    const base = await readStoreTruth(store, slug)
    const next = (version: string) =>
      nextLedger({
        slug,
        plugin: { name: 'P', main_file: 'p.php', version_constant: null },
        versions: [record(version)],
        onServer: new Set([version]),
        base: base.state,
        manifestVersion: 21,
        by: { user: 'x', host: 'x', workstation: 'x' },
        at: new Date().toISOString(),
        zipName: (v) => `${slug}-v${v}.zip`
      })
    await writeStoreLedger(store, next('2.0.0'), base.ledgerEtag, 60)
    await expect(writeStoreLedger(store, next('2.0.1'), base.ledgerEtag, 60)).rejects.toMatchObject({ kind: 'remote-conflict' })
    expect((await readStoreTruth(store, slug)).ledger?.versions.map((v) => v.version)).toContain('2.0.0')
    expect((await readStoreTruth(store, slug)).ledger?.versions.map((v) => v.version)).not.toContain('2.0.1')
  })
})
