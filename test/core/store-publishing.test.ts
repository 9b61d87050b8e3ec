import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Result, ServerProfile } from '../../src-preload/api.js'
import { createApi } from '../../src-main/api.js'
import { Store } from '../../src-main/core/db/store.js'
import type { Manifest } from '../../src-main/core/remote/manifest.js'
import { environmentSecrets } from '../../src-main/core/remote/secrets.js'
import { KEY_PASSPHRASE_VAR } from '../../src-main/core/signing/key-source.js'
import { IMMUTABLE_CACHE_CONTROL, mutableCacheControl } from '../../src-main/core/remote/targets/object-store.js'
import { normalizeLocalTarget, normalizeS3Target } from '../../src-shared/input-rules.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'
import type { NginxServer } from '../support/nginx.js'
import { startNginx } from '../support/nginx.js'
import type { ObjectStoreServer } from '../support/object-store.js'
import { startObjectStore } from '../support/object-store.js'
import { PLUGIN_SLUG, UPDATER_PATH, pluginMainFile } from '../wordpress/support/releases.js'

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.kind}: ${result.error.message} ${result.error.hint}`)
  return result.value
}

let rgw: ObjectStoreServer
let nginx: NginxServer
let temp: { dir: string; cleanup: () => Promise<void> }
let served: string
let counter = 0
const env = (): NodeJS.ProcessEnv => ({ WPRM_TEST_S3_ID: rgw.accessKeyId, WPRM_TEST_S3_SECRET: rgw.secretAccessKey })

beforeAll(async () => {
  temp = await makeTempDir('wprm-store-publish-')
  served = path.join(temp.dir, 'www')
  await mkdir(served, { recursive: true })
  ;[rgw, nginx] = await Promise.all([startObjectStore({ bucket: 'updates' }), startNginx({ root: served })])
  await rgw.allowPublicRead()
}, 120_000)
afterAll(async () => {
  await rgw?.stop()
  await nginx?.stop()
  await temp?.cleanup()
})

/** A server profile of the kind, stored as `server add` stores it. */
function profileOf(kind: 's3' | 'local', name: string): ServerProfile {
  const at = new Date().toISOString()
  const common = { name, access_logs: [], created_at: at, updated_at: at }
  if (kind === 'local')
    return { ...common, ...normalizeLocalTarget({ root: path.join(served, name), publicUrl: `${nginx.baseUrl}${name}/` }) }
  return {
    ...common,
    ...normalizeS3Target({
      endpoint: rgw.endpoint,
      region: rgw.region,
      bucket: rgw.bucket,
      keyPrefix: `${name}/plugins`,
      publicUrl: `${rgw.endpoint}/${rgw.bucket}/${name}/plugins/`,
      accessKeyEnv: 'WPRM_TEST_S3_ID',
      secretKeyEnv: 'WPRM_TEST_S3_SECRET',
      mutableMaxAge: '30'
    })
  }
}

/** A data folder with the plugin on a server of the kind. */
async function setup(kind: 's3' | 'local') {
  const name = `${kind}${++counter}`
  const dataDir = path.join(temp.dir, name, 'data')
  const api = createApi({ dataDir, secrets: environmentSecrets(env()), remoteLockWaitMs: 20_000 })
  const source = await writePluginFolder(path.join(temp.dir, name, 'hello-wprm'), {
    'includes/api.php': "<?php const API = 'https://api.example.com';"
  })
  value(await api.addPlugin({ sourceDir: source }))
  const profile = profileOf(kind, name)
  if (profile.kind === 'local') await mkdir(profile.root, { recursive: true })
  await new Store(dataDir).transact('add the test server', (db) => void db.servers.push(profile))
  value(await api.setPlugin({ slug: 'hello-wprm', server: name, expectedStrings: ['api.example.com'] }))
  const base = `${profile.public_url}hello-wprm/`
  const manifest = async (): Promise<Manifest | null> => {
    const response = await fetch(`${base}info.json`)
    return response.status === 200 ? ((await response.json()) as Manifest) : null
  }
  return { api, name, base, manifest, profile, dataDir }
}

describe.each(['s3', 'local'] as const)('publishing to a %s target', (kind) => {
  it('releases, verifies, marks update ready, rolls back and prunes, as over SFTP', async () => {
    const { api, base, manifest } = await setup(kind)
    const first = value(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'First release', status: 'released' }))
    expect(first.publish).toMatchObject({ manifest_version: 1, latest: '1.0.0', uploaded: ['1.0.0'] })
    const m1 = (await manifest())!
    expect(m1).toMatchObject({ slug: 'hello-wprm', version: '1.0.0', download_url: `${base}hello-wprm-v1.0.0.zip`, manifest_version: 1 })
    const zip = Buffer.from(await (await fetch(m1.download_url)).arrayBuffer())
    expect(zip.length).toBe(m1.size)
    const report = value(await api.verify({ slug: 'hello-wprm' }))
    expect(report.checks.filter((c) => !c.ok)).toEqual([])
    if (kind === 's3') {
      expect(report.checks[0]!.detail).toContain(`SHA-256 recorded at upload as released, Cache-Control: ${IMMUTABLE_CACHE_CONTROL}`)
      expect(report.checks[3]!.detail).toContain(`Cache-Control: ${mutableCacheControl(30)}`)
    }

    value(await api.addVersion({ slug: 'hello-wprm', version: '1.1.0', changelog: 'Second', status: 'released' }))
    const ready = value(await api.changeStatus({ slug: 'hello-wprm', versions: ['1.1.0'], status: 'update_ready' }))
    expect(ready.publish).toMatchObject({ manifest_version: 3, skipped: ['1.0.0', '1.1.0'], uploaded: [] })
    expect(await manifest()).toMatchObject({ version: '1.1.0', update_ready: true })
    const latest = Buffer.from(await (await fetch(`${base}hello-wprm-latest.zip`)).arrayBuffer())
    expect(latest.length).toBe(ready.builds?.[0]?.file_size ?? (await manifest())!.size)

    const back = value(await api.rollback({ slug: 'hello-wprm', to: '1.0.0' }))
    expect(back).toMatchObject({ live: '1.0.0', revoked: ['1.1.0'] })
    expect(back.verify?.ok).toBe(true)
    expect(await manifest()).toMatchObject({ version: '1.0.0', revoked: ['1.1.0'], manifest_version: 4 })

    for (const version of ['1.2.0', '1.3.0', '1.4.0'])
      value(await api.addVersion({ slug: 'hello-wprm', version, changelog: version, status: 'released' }))
    const pruned = value(await api.pruneZips({ slug: 'hello-wprm', keep: 3 }))
    expect(pruned.removed).toEqual(['1.1.0'])
    // Gone: a missing object is 403 to an anonymous reader of S3 (who may not list the bucket), 404 from a folder.
    expect([403, 404]).toContain((await fetch(`${base}hello-wprm-v1.1.0.zip`)).status)
    expect((await fetch(`${base}hello-wprm-v1.0.0.zip`)).status).toBe(200)
    expect(value(await api.verify({ slug: 'hello-wprm' })).ok).toBe(true)
  }, 120_000)
})

describe('S3 semantics', () => {
  it('sets immutable caching on versioned ZIPs and a short max-age on info.json, the ledger and -latest.zip', async () => {
    const { api, profile } = await setup('s3')
    value(await api.addVersion({ slug: 'hello-wprm', version: '2.0.0', changelog: 'x', status: 'released' }))
    const prefix = profile.kind === 's3' ? profile.key_prefix : ''
    const client = rgw.client()
    const cacheOf = async (name: string) =>
      (await client.send(new HeadObjectCommand({ Bucket: rgw.bucket, Key: `${prefix}hello-wprm/${name}` }))).CacheControl
    expect(await cacheOf('hello-wprm-v2.0.0.zip')).toBe(IMMUTABLE_CACHE_CONTROL)
    expect(await cacheOf('info.json')).toBe(mutableCacheControl(30))
    expect(await cacheOf('ledger.json')).toBe(mutableCacheControl(30))
    expect(await cacheOf('hello-wprm-latest.zip')).toBe(mutableCacheControl(30))
    // No lock is left behind.
    expect([403, 404]).toContain((await fetch(`${profile.public_url}hello-wprm/.wprm-lock`)).status)
  }, 60_000)

  it('fails verification at checks 1 and 3 when the ZIP in the bucket was replaced by other bytes of the same size', async () => {
    const { api, profile } = await setup('s3')
    const release = value(await api.addVersion({ slug: 'hello-wprm', version: '3.0.0', changelog: 'x', status: 'released' }))
    const size = release.builds[0]!.file_size!
    const prefix = profile.kind === 's3' ? profile.key_prefix : ''
    await rgw
      .client()
      .send(new PutObjectCommand({ Bucket: rgw.bucket, Key: `${prefix}hello-wprm/hello-wprm-v3.0.0.zip`, Body: randomBytes(size) }))
    const report = value(await api.verify({ slug: 'hello-wprm' }))
    expect(report.checks.filter((c) => !c.ok).map((c) => c.id)).toEqual([1, 3])
    expect(report.checks[0]!.detail).toContain(`Cache-Control: none, expected ${IMMUTABLE_CACHE_CONTROL}`)
    expect(report.checks[2]!.detail).toMatch(/SHA-256 [0-9a-f]{16}…, recorded/)
  }, 60_000)

  it('refuses without the S3 keys before anything is sent, naming the variable', async () => {
    const { api, dataDir, name } = await setup('s3')
    const bare = createApi({ dataDir, secrets: environmentSecrets({}) })
    const result = await bare.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'x', status: 'released' })
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.error.kind).toBe('auth-failed')
      expect(result.error.message).toContain('WPRM_TEST_S3_ID')
    }
    // Nothing was recorded; the same command with the keys releases it.
    expect(value(await api.getPlugin({ slug: 'hello-wprm' })).versions).toEqual([])
    const retried = value(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'x', status: 'released' }))
    expect(retried.publish).toMatchObject({ server: name, latest: '1.0.0' })
  }, 60_000)
})

describe('a local target', () => {
  it('writes only whole files into the folder, and nothing of ours is left beside them', async () => {
    const { api, profile } = await setup('local')
    value(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'x', status: 'released' }))
    const root = profile.kind === 'local' ? profile.root : ''
    const files = (await readdir(path.join(root, 'hello-wprm'))).sort()
    expect(files).toEqual(['hello-wprm-latest.zip', 'hello-wprm-v1.0.0.zip', 'info.json', 'ledger.json'])
    const manifest = JSON.parse(await readFile(path.join(root, 'hello-wprm', 'info.json'), 'utf8')) as Manifest
    expect(manifest.manifest_version).toBe(1)
    await writeFile(path.join(root, 'hello-wprm', 'note.txt'), 'left alone')
    value(await api.addVersion({ slug: 'hello-wprm', version: '1.0.1', changelog: 'y', status: 'released' }))
    expect(await readFile(path.join(root, 'hello-wprm', 'note.txt'), 'utf8')).toBe('left alone')
  }, 60_000)
})

describe.each(['s3', 'local'] as const)('two workstations on one %s target', (kind) => {
  it('import, pull and the ledger compare-and-swap work as over SFTP: a stale workstation is refused until it pulls', async () => {
    const a = await setup(kind)
    value(await a.api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'One', status: 'released' }))
    // A second data folder, with the same profile and no source: it imports the plugin from the ledger.
    const dataDir = path.join(temp.dir, `${a.name}-b`, 'data')
    const b = createApi({ dataDir, secrets: environmentSecrets(env()), remoteLockWaitMs: 20_000 })
    await new Store(dataDir).transact('add the test server', (db) => void db.servers.push(a.profile))
    expect(value(await b.importPlugin({ server: a.name, slug: 'hello-wprm' }))).toMatchObject({ slug: 'hello-wprm', manifest_version: 1 })
    const back = value(await b.changeStatus({ slug: 'hello-wprm', versions: ['1.0.0'], status: 'update_ready' }))
    expect(back.publish).toMatchObject({ manifest_version: 2, uploaded: [] })

    const stale = await a.api.addVersion({ slug: 'hello-wprm', version: '1.1.0', changelog: 'Two', status: 'released' })
    expect(stale.ok ? null : stale.error.kind).toBe('server-ahead')
    expect(await a.manifest()).toMatchObject({ manifest_version: 2, version: '1.0.0', update_ready: true })
    expect(value(await a.api.pull({ slugs: ['hello-wprm'] }))[0]).toMatchObject({ manifest_version_before: 1, manifest_version: 2 })
    value(await a.api.addVersion({ slug: 'hello-wprm', version: '1.1.0', changelog: 'Two', status: 'released' }))
    // B takes in A's version, with its ZIP, checked against the ledger's SHA-256.
    const pulled = value(await b.pull({ slugs: ['hello-wprm'] }))[0]!
    expect(pulled).toMatchObject({ manifest_version: 3, added: ['1.1.0'], downloaded: ['1.1.0'] })
    expect(value(await b.verify({ slug: 'hello-wprm' })).ok).toBe(true)
  }, 120_000)
})

describe('a signed plugin with artwork on S3', () => {
  it('publishes its signature and banner beside the ZIPs; verify passes every check, the signature included', async () => {
    process.env[KEY_PASSPHRASE_VAR] = 'a passphrase for the tests'
    try {
      const name = `signed${++counter}`
      const dataDir = path.join(temp.dir, name, 'data')
      const api = createApi({ dataDir, secrets: environmentSecrets(env()), remoteLockWaitMs: 20_000 })
      const key = value(await api.generateSigningKey({ name: 'release' }))
      const profile = profileOf('s3', name)
      await new Store(dataDir).transact('add the test server', (db) => void db.servers.push(profile))
      const sourceDir = path.join(temp.dir, name, PLUGIN_SLUG)
      await mkdir(path.join(sourceDir, '.wordpress-org'), { recursive: true })
      const manifestUrl = `${profile.public_url}${PLUGIN_SLUG}/info.json`
      await writeFile(
        path.join(sourceDir, `${PLUGIN_SLUG}.php`),
        pluginMainFile(manifestUrl, `, array( 'keys' => array( '${key.public_key}' ) )`)
      )
      await copyFile(UPDATER_PATH, path.join(sourceDir, 'wprm-updater.php'))
      await writeFile(path.join(sourceDir, '.wordpress-org', 'banner-772x250.png'), randomBytes(2048))
      value(await api.addPlugin({ sourceDir, server: name }))
      value(await api.setPlugin({ slug: PLUGIN_SLUG, signingKey: 'release' }))
      value(await api.addVersion({ slug: PLUGIN_SLUG, version: '1.0.0', changelog: 'First.', status: 'released' }))
      const manifest = (await (await fetch(manifestUrl)).json()) as Manifest & { banners?: Record<string, string> }
      expect(manifest).toMatchObject({ version: '1.0.0', keys: [key.public_key] })
      const banner = await fetch(manifest.banners!.low!)
      expect(banner.status).toBe(200)
      expect(banner.headers.get('cache-control')).toBe(IMMUTABLE_CACHE_CONTROL)
      const report = value(await api.verify({ slug: PLUGIN_SLUG }))
      expect(report.checks.filter((c) => !c.ok)).toEqual([])
      expect(report.checks[7]!.detail).not.toContain('not signed')
    } finally {
      delete process.env[KEY_PASSPHRASE_VAR]
    }
  }, 60_000)
})
