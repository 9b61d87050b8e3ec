import { createHash, randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WprmError } from '../../src-main/core/errors.js'
import { IMMUTABLE_CACHE_CONTROL, mutableCacheControl } from '../../src-main/core/remote/targets/object-store.js'
import { S3Store, s3CredentialsFromEnvironment } from '../../src-main/core/remote/targets/s3-store.js'
import { testS3Target } from '../../src-main/core/remote/targets/s3-target-test.js'
import type { S3Credentials } from '../../src-main/core/remote/targets/s3-store.js'
import { normalizeS3Target } from '../../src-shared/input-rules.js'
import type { S3Target } from '../../src-shared/model.js'
import { freePort } from '../support/free-port.js'
import { startObjectStore } from '../support/object-store.js'
import type { ObjectStoreServer } from '../support/object-store.js'
import { refusal } from '../support/refusal.js'
import { makeTempDir, removeTempDir } from '../support/temp-dir.js'

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')

describe('the S3 store adapter against a real Ceph RADOS Gateway', () => {
  let rgw: ObjectStoreServer
  let target: S3Target
  let credentials: S3Credentials
  let store: S3Store
  let dir: string

  beforeAll(async () => {
    rgw = await startObjectStore({ bucket: 'updates' })
    await rgw.allowPublicRead()
    target = normalizeS3Target({
      endpoint: rgw.endpoint,
      region: rgw.region,
      bucket: rgw.bucket,
      keyPrefix: 'plugins',
      publicUrl: `${rgw.endpoint}/${rgw.bucket}/plugins/`
    })
    credentials = { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey }
    // Parts of 5 MiB (S3's smallest) above 6 MiB, so that a 13 MiB file goes up in three parts.
    store = await S3Store.open(target, credentials, { multipartThreshold: 6 * 2 ** 20, partSize: 5 * 2 ** 20 })
    dir = await makeTempDir('s3-store')
  })
  afterAll(async () => {
    store?.close()
    await rgw?.stop()
    await removeTempDir(dir)
  })

  it('puts, reads, lists and deletes under the key prefix, with the checksum and caching read back', async () => {
    const manifest = Buffer.from('{"manifest_version":1}\n')
    const zip = randomBytes(64 * 1024)
    await store.put(
      'hello/info.json',
      { kind: 'bytes', bytes: manifest },
      {
        cacheControl: mutableCacheControl(target.mutable_max_age),
        contentType: 'application/json',
        sha256: sha256(manifest)
      }
    )
    const zipPath = join(dir, 'hello-v1.0.0.zip')
    await writeFile(zipPath, zip)
    const put = await store.put(
      'hello/hello-v1.0.0.zip',
      { kind: 'file', path: zipPath },
      {
        cacheControl: IMMUTABLE_CACHE_CONTROL,
        contentType: 'application/zip',
        sha256: sha256(zip)
      }
    )
    expect(put.etag).toBe(createHash('md5').update(zip).digest('hex'))

    expect(await store.head('hello/hello-v1.0.0.zip')).toEqual({
      key: 'hello/hello-v1.0.0.zip',
      size: zip.length,
      etag: put.etag,
      sha256: sha256(zip),
      cacheControl: 'public, max-age=31536000, immutable',
      contentType: 'application/zip'
    })
    const got = await store.get('hello/info.json')
    expect(got?.bytes.equals(manifest)).toBe(true)
    expect(got?.head).toMatchObject({ sha256: sha256(manifest), cacheControl: 'public, max-age=60', contentType: 'application/json' })
    expect((await store.list('hello/')).map((o) => [o.key, o.size])).toEqual([
      ['hello/hello-v1.0.0.zip', zip.length],
      ['hello/info.json', manifest.length]
    ])

    // Sites read through the public URL, anonymously: the bytes and the caching as set.
    const served = await fetch(store.publicUrl('hello/hello-v1.0.0.zip'))
    expect(served.status).toBe(200)
    expect(served.headers.get('cache-control')).toBe(IMMUTABLE_CACHE_CONTROL)
    expect(sha256(Buffer.from(await served.arrayBuffer()))).toBe(sha256(zip))

    await store.delete('hello/info.json')
    await store.delete('hello/info.json')
    expect(await store.get('hello/info.json')).toBeNull()
    expect(await store.head('hello/info.json')).toBeNull()
    expect((await store.list('hello/')).map((o) => o.key)).toEqual(['hello/hello-v1.0.0.zip'])
  })

  it('sends a large ZIP in parts and copies it to -latest.zip inside the store, with its own caching', async () => {
    const big = randomBytes(13 * 2 ** 20)
    const path = join(dir, 'big-v2.0.0.zip')
    await writeFile(path, big)
    const progress: number[] = []
    await store.put(
      'big/big-v2.0.0.zip',
      { kind: 'file', path },
      {
        cacheControl: IMMUTABLE_CACHE_CONTROL,
        contentType: 'application/zip',
        sha256: sha256(big),
        onProgress: (done) => progress.push(done)
      }
    )
    expect(progress.at(-1)).toBe(big.length)
    const head = await store.head('big/big-v2.0.0.zip')
    expect(head).toMatchObject({ size: big.length, sha256: sha256(big), cacheControl: IMMUTABLE_CACHE_CONTROL })
    // Ceph 16 answers CompleteMultipartUpload without an ETag, but HEAD has the multipart one (`<hex>-<parts>`).
    expect(head?.etag).toMatch(/^[0-9a-f]{32}-3$/)

    await store.copy('big/big-v2.0.0.zip', 'big/big-latest.zip', { cacheControl: mutableCacheControl(60) })
    expect(await store.head('big/big-latest.zip')).toMatchObject({
      size: big.length,
      sha256: sha256(big),
      cacheControl: 'public, max-age=60',
      contentType: 'application/zip'
    })
    const served = await fetch(store.publicUrl('big/big-latest.zip'))
    expect(served.headers.get('cache-control')).toBe('public, max-age=60')
    expect(sha256(Buffer.from(await served.arrayBuffer()))).toBe(sha256(big))
    expect((await refusal(() => store.copy('big/none.zip', 'big/x.zip', { cacheControl: IMMUTABLE_CACHE_CONTROL }))).kind).toBe(
      'remote-not-found'
    )
  })

  it('finds which conditional writes this store honours, and refuses a lost race with remote-conflict', async () => {
    // Ceph 16 honours both, but matches If-Match only against the bare ETag (RFC 9110 wants it quoted).
    expect(await store.probeConditionalWrites()).toEqual({ create: true, replace: true, etagForm: 'bare' })
    expect((await store.list('')).filter((o) => o.key.startsWith('.wprm-probe'))).toEqual([])

    const options = (text: string): Parameters<S3Store['put']>[2] => ({
      cacheControl: 'no-store',
      contentType: 'application/json',
      sha256: sha256(Buffer.from(text))
    })
    const bytes = (text: string) => ({ kind: 'bytes', bytes: Buffer.from(text) }) as const

    // The lock: of 20 creates at once, exactly one wins.
    const racers = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        store.put('race/.wprm-lock', bytes(`owner ${i}`), { ...options(`owner ${i}`), condition: { kind: 'create' } })
      )
    )
    expect(racers.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const lost = racers.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(lost.map((r) => (r.reason as WprmError).kind)).toEqual(Array(19).fill('remote-conflict'))

    // The ledger's compare-and-swap: a replace against a stale ETag loses, the current one wins.
    const first = await store.put('race/ledger.json', bytes('v1'), { ...options('v1'), condition: { kind: 'create' } })
    const second = await store.put('race/ledger.json', bytes('v2'), { ...options('v2'), condition: { kind: 'replace', etag: first.etag } })
    const stale = await refusal(() =>
      store.put('race/ledger.json', bytes('v3'), { ...options('v3'), condition: { kind: 'replace', etag: first.etag } })
    )
    expect(stale.kind).toBe('remote-conflict')
    expect((await store.get('race/ledger.json'))?.bytes.toString()).toBe('v2')
    await store.put('race/ledger.json', bytes('v3'), { ...options('v3'), condition: { kind: 'replace', etag: second.etag } })
    expect((await store.get('race/ledger.json'))?.bytes.toString()).toBe('v3')
    // A replace of an object deleted meanwhile (Ceph 16 answers 404 NoSuchKey, not 412) is a conflict too.
    const third = (await store.head('race/ledger.json'))!.etag
    await store.delete('race/ledger.json')
    await expect(
      store.put('race/ledger.json', bytes('v4'), { ...options('v4'), condition: { kind: 'replace', etag: third } })
    ).rejects.toMatchObject({ kind: 'remote-conflict' })
    // A replace where nothing ever was is a conflict too, not a create.
    await expect(
      store.put('race/none.json', bytes('x'), { ...options('x'), condition: { kind: 'replace', etag: second.etag } })
    ).rejects.toMatchObject({ kind: 'remote-conflict' })
  })

  it('says which key is wrong, which bucket is missing, and when the store cannot be reached', async () => {
    const put = (s: S3Store) =>
      s.put(
        'x/info.json',
        { kind: 'bytes', bytes: Buffer.from('{}') },
        { cacheControl: 'no-store', contentType: 'application/json', sha256: sha256(Buffer.from('{}')) }
      )
    const withStore = async (t: S3Target, c: S3Credentials, run: (s: S3Store) => Promise<unknown>): Promise<WprmError> => {
      const s = await S3Store.open(t, c, { maxAttempts: 1 })
      try {
        return await refusal(() => run(s))
      } finally {
        s.close()
      }
    }

    const wrongSecret = await withStore(target, { ...credentials, secretAccessKey: 'not-the-secret' }, put)
    expect(wrongSecret.kind).toBe('auth-failed')
    expect(wrongSecret.message).toBe(`${rgw.endpoint} refused the keys while writing x/info.json (SignatureDoesNotMatch).`)
    expect(wrongSecret.hint).toContain('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY')
    const unknownKey = await withStore(target, { ...credentials, accessKeyId: 'NOSUCHKEY' }, (s) => s.list(''))
    expect([unknownKey.kind, unknownKey.message]).toEqual([
      'auth-failed',
      `${rgw.endpoint} refused the keys while listing the bucket (InvalidAccessKeyId).`
    ])
    const headWrongKey = await withStore(target, { ...credentials, accessKeyId: 'NOSUCHKEY' }, (s) => s.head('x/info.json'))
    expect([headWrongKey.kind, headWrongKey.message]).toEqual([
      'auth-failed',
      `${rgw.endpoint} refused the request while looking up x/info.json (HTTP 403).`
    ])
    // Nothing of the secret in what the user sees.
    for (const e of [wrongSecret, unknownKey, headWrongKey]) expect(`${e.message} ${e.hint}`).not.toContain(rgw.secretAccessKey)

    const missing = await withStore({ ...target, bucket: 'no-such-bucket' }, credentials, put)
    expect([missing.kind, missing.message]).toEqual(['remote-not-found', `The bucket "no-such-bucket" does not exist on ${rgw.endpoint}.`])

    const closed = `http://127.0.0.1:${await freePort()}`
    const unreachable = await withStore({ ...target, endpoint: closed }, credentials, put)
    expect([unreachable.kind, unreachable.message]).toEqual([
      'connection-failed',
      `Could not reach ${closed} while writing x/info.json (ECONNREFUSED).`
    ])
  })

  it('reads the key pair from the variables the profile names, and names the one that is missing', () => {
    const named = { ...target, access_key_env: 'WPRM_S3_KEY', secret_key_env: 'WPRM_S3_SECRET' }
    expect(s3CredentialsFromEnvironment(named, { WPRM_S3_KEY: ' AK ', WPRM_S3_SECRET: 'SK' })).toEqual({
      accessKeyId: 'AK',
      secretAccessKey: 'SK'
    })
    const error = (() => {
      try {
        s3CredentialsFromEnvironment(named, { WPRM_S3_KEY: 'AK', WPRM_S3_SECRET: '' })
      } catch (e) {
        return e as WprmError
      }
      throw new Error('expected a refusal')
    })()
    expect([error.kind, error.message]).toEqual([
      'auth-failed',
      'No S3 secret access key for the bucket "updates": the environment variable WPRM_S3_SECRET is empty or not set.'
    ])
  })

  it('tests a target as `server test` will: write, read back, anonymous GET, conditional writes, delete', async () => {
    const passed = await testS3Target('rgw', target, store)
    expect(passed.checks.map((c) => [c.title, c.ok])).toEqual([
      ['Write to s3://updates/plugins/', true],
      ['Read it back from s3://updates/plugins/', true],
      [`Serve ${rgw.endpoint}/updates/plugins/ to anyone`, true],
      ['Conditional writes (lock and ledger)', true],
      ['Delete from s3://updates/plugins/', true]
    ])
    expect(passed.ok).toBe(true)
    expect(passed.checks[2]!.detail).toContain('Cache-Control "public, max-age=60"')
    expect((await store.list('')).filter((o) => o.key.startsWith('.wprm-probe'))).toEqual([])

    // A bucket nobody made public: the keys work, sites could not download.
    await rgw.createBucket('private-updates')
    const closedTarget = { ...target, bucket: 'private-updates', public_url: `${rgw.endpoint}/private-updates/plugins/` }
    const closedStore = await S3Store.open(closedTarget, credentials)
    try {
      const failed = await testS3Target('rgw-private', closedTarget, closedStore)
      expect(failed.ok).toBe(false)
      expect(failed.checks.map((c) => c.ok)).toEqual([true, true, false, true, true])
      expect(failed.checks[2]!.detail).toContain('HTTP 403 without credentials: sites could not download. Allow public reads')
    } finally {
      closedStore.close()
    }
  })
})
