import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import path from 'node:path'
import { GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiError, ProgressEvent, Result } from '../../src-preload/api.js'
import { createApi } from '../../src-main/api.js'
import type { Manifest } from '../../src-main/core/remote/manifest.js'
import { environmentSecrets } from '../../src-main/core/remote/secrets.js'
import type { Ledger } from '../../src-shared/ledger.js'
import { WPRM_BIN, runCli } from '../cli/run-cli.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'
import type { ObjectStoreServer } from '../support/object-store.js'
import { startObjectStore } from '../support/object-store.js'
import { s3KeyEnv, s3Place, s3Profile, storeProfile } from '../support/s3-profile.js'
import type { OutageProxy } from '../support/tcp-proxy.js'
import { startOutageProxy } from '../support/tcp-proxy.js'

// A publish to a real Ceph RGW whose network goes down part-way (a proxy between the API and the gateway that
// stays down, so the SDK's own retries fail too): sites, reading the gateway itself, never see a manifest that
// points at a missing ZIP, the error says what was done, and the next command finishes the job.

const SLUG = 'hello-wprm'

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.kind}: ${result.error.message} ${result.error.hint}`)
  return result.value
}

function failure<T>(result: Result<T>): ApiError {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value).slice(0, 300)}`)
  return result.error
}

let rgw: ObjectStoreServer
let proxy: OutageProxy
let temp: { dir: string; cleanup: () => Promise<void> }
let counter = 0

beforeAll(async () => {
  temp = await makeTempDir('wprm-store-cut-')
  rgw = await startObjectStore({ bucket: 'updates' })
  await rgw.allowPublicRead()
  proxy = await startOutageProxy(Number(new URL(rgw.endpoint).port))
}, 120_000)
afterAll(async () => {
  await proxy?.close()
  await rgw?.stop()
  await temp?.cleanup()
})

/**
 * A data folder publishing through the proxy to its own key prefix, with 1.0.0 released; `payload` bytes of
 * random (incompressible) data in the plugin make its ZIPs that large.
 */
async function released(payload: number) {
  const name = `cut${++counter}`
  proxy.restore()
  const dataDir = path.join(temp.dir, name, 'data')
  let onProgress: ((event: ProgressEvent) => void) | null = null
  const api = createApi({
    dataDir,
    secrets: environmentSecrets(s3KeyEnv(rgw)),
    remoteLockWaitMs: 20_000,
    onEvent: (event, payload) => {
      if (event === 'progress') onProgress?.(payload as ProgressEvent)
    }
  })
  const source = path.join(temp.dir, name, SLUG)
  await writePluginFolder(source, { 'assets/blob.bin': randomBytes(payload) })
  value(await api.addPlugin({ sourceDir: source }))
  await storeProfile(dataDir, s3Profile(rgw, name, { endpoint: `http://127.0.0.1:${proxy.port}` }))
  value(await api.setPlugin({ slug: SLUG, server: name }))
  value(await api.addVersion({ slug: SLUG, version: '1.0.0', changelog: 'First', status: 'released' }))
  const { keyPrefix, publicUrl } = s3Place(rgw, name)
  const base = `${publicUrl}${SLUG}/`
  const s3 = rgw.client()
  return {
    api,
    base,
    dataDir,
    /** Calls `on` with each progress event of the next command. */
    watch: (on: ((event: ProgressEvent) => void) | null) => (onProgress = on),
    /** What sites see: info.json, anonymously, from the gateway itself (not through the proxy). */
    manifest: async (): Promise<Manifest> => {
      const response = await fetch(`${base}info.json`)
      expect(response.status).toBe(200)
      return (await response.json()) as Manifest
    },
    /** Every ZIP the manifest lists is there, whole, for an anonymous reader. */
    async expectListedZipsWhole(manifest: Manifest): Promise<void> {
      const zip = await fetch(manifest.download_url)
      expect(zip.status, manifest.download_url).toBe(200)
      expect((await zip.arrayBuffer()).byteLength).toBe(manifest.size)
      for (const version of manifest.versions) expect((await fetch(version.download_url, { method: 'HEAD' })).status).toBe(200)
    },
    /** An anonymous reader's status for a file of the plugin (403 for a missing object: it may not list). */
    status: async (file: string): Promise<number> => (await fetch(`${base}${file}`, { method: 'HEAD' })).status,
    /** The ledger, read with the key pair straight from the gateway. */
    ledger: async (): Promise<Ledger> => {
      const object = await s3.send(new GetObjectCommand({ Bucket: rgw.bucket, Key: `${keyPrefix}${SLUG}/ledger.json` }))
      return JSON.parse(await object.Body!.transformToString()) as Ledger
    },
    head: (file: string) => s3.send(new HeadObjectCommand({ Bucket: rgw.bucket, Key: `${keyPrefix}${SLUG}/${file}` })),
    uploadsLeft: async (): Promise<number> =>
      (await s3.send(new ListMultipartUploadsCommand({ Bucket: rgw.bucket, Prefix: keyPrefix }))).Uploads?.length ?? 0,
    close: () => s3.destroy()
  }
}

describe('a publish to S3 cut off part-way', () => {
  it('cut halfway through a ZIP: the old manifest stays live and whole, the error says what was done, a retry finishes', async () => {
    const ctx = await released(3 * 1024 * 1024)
    try {
      const before = await ctx.manifest()
      value(await ctx.api.addVersion({ slug: SLUG, version: '1.1.0', changelog: 'Second' }))
      const zipSize = value(await ctx.api.getPlugin({ slug: SLUG })).versions[1]!.file_size ?? before.size
      let cut = false
      // Past the lock, the reads and HEADs (a few KB), into the ZIP's single PUT.
      proxy.failAfter(Math.round(zipSize / 2), () => (cut = true))
      const error = failure(await ctx.api.changeStatus({ slug: SLUG, versions: ['1.1.0'], status: 'released' }))
      expect(cut).toBe(true)
      expect(error.kind).toBe('publish-interrupted')
      expect(error.message).toContain('The publish was cut off while uploading hello-wprm-v1.1.0.zip')
      expect(error.message).toContain('Done: nothing. Not done: the new manifest; sites still see the previous release.')
      expect(error.hint).toContain(`wprm release ${SLUG} 1.1.0`)

      // Sites: the same manifest, its ZIP whole; no part of the new ZIP is visible.
      const during = await ctx.manifest()
      expect(during).toEqual(before)
      await ctx.expectListedZipsWhole(during)
      expect([403, 404]).toContain(await ctx.status('hello-wprm-v1.1.0.zip'))
      expect(value(await ctx.api.getVersion({ slug: SLUG, version: '1.1.0' })).status).toBe('draft')

      proxy.restore()
      const again = value(await ctx.api.changeStatus({ slug: SLUG, versions: ['1.1.0'], status: 'released' }))
      expect(again.publish).toMatchObject({ latest: '1.1.0', uploaded: ['1.1.0'] })
      const after = await ctx.manifest()
      expect(after).toMatchObject({ version: '1.1.0', manifest_version: before.manifest_version + 1 })
      await ctx.expectListedZipsWhole(after)
      expect(value(await ctx.api.verify({ slug: SLUG })).ok).toBe(true)
    } finally {
      ctx.close()
    }
  }, 90_000)

  it('cut right before info.json (the ZIP and the ledger went through): the old manifest stays live; the retry commits', async () => {
    const ctx = await released(64 * 1024)
    try {
      const before = await ctx.manifest()
      value(await ctx.api.addVersion({ slug: SLUG, version: '1.1.0', changelog: 'Second' }))
      // The report just before the manifest's PUT: everything else of the publish is on the store.
      ctx.watch((event) => {
        if (event.phase === 'manifest' && event.label === 'Writing the manifest') proxy.down()
      })
      const error = failure(await ctx.api.changeStatus({ slug: SLUG, versions: ['1.1.0'], status: 'released' }))
      ctx.watch(null)
      expect(error.kind).toBe('publish-interrupted')
      expect(error.message).toContain('The publish was cut off while writing info.json')
      expect(error.message).toContain('uploaded hello-wprm-v1.1.0.zip')
      expect(error.message).toContain(`wrote ledger.json for manifest #${before.manifest_version + 1}`)
      // Its PUT was on its way when the network went: the publish cannot know whether the store got it.
      expect(error.message).toContain('Unknown: whether the new manifest went live')
      expect(error.hint).toContain(`wprm release ${SLUG} 1.1.0`)

      expect(await ctx.manifest()).toEqual(before)
      await ctx.expectListedZipsWhole(before)
      expect((await ctx.ledger()).manifest_version).toBe(before.manifest_version + 1)
      expect(await ctx.status('hello-wprm-v1.1.0.zip')).toBe(200)

      proxy.restore()
      const again = value(await ctx.api.changeStatus({ slug: SLUG, versions: ['1.1.0'], status: 'released' }))
      // The ZIP that went up is proved by its recorded SHA-256 and kept, not sent again.
      expect(again.publish).toMatchObject({ latest: '1.1.0', uploaded: [] })
      const after = await ctx.manifest()
      expect(after.version).toBe('1.1.0')
      expect(after.manifest_version).toBeGreaterThan(before.manifest_version)
      expect((await ctx.ledger()).manifest_version).toBe(after.manifest_version)
      await ctx.expectListedZipsWhole(after)
      expect(value(await ctx.api.verify({ slug: SLUG })).ok).toBe(true)
    } finally {
      ctx.close()
    }
  }, 90_000)

  it('the store unreachable from the start: connection-failed with a hint, nothing done', async () => {
    const ctx = await released(1024)
    try {
      const before = await ctx.manifest()
      value(await ctx.api.addVersion({ slug: SLUG, version: '1.1.0', changelog: 'Second' }))
      proxy.down()
      const error = failure(await ctx.api.changeStatus({ slug: SLUG, versions: ['1.1.0'], status: 'released' }))
      expect(error.kind).toBe('connection-failed')
      expect(error.message).toContain(`http://127.0.0.1:${proxy.port}`)
      expect(error.hint).toContain('try again')
      expect(await ctx.manifest()).toEqual(before)
      proxy.restore()
      expect(value(await ctx.api.changeStatus({ slug: SLUG, versions: ['1.1.0'], status: 'released' })).publish?.latest).toBe('1.1.0')
    } finally {
      ctx.close()
    }
  }, 60_000)

  it('a `wprm release` killed (SIGKILL) halfway through a ZIP: its lock stays, and the same command run again takes it over and finishes', async () => {
    const ctx = await released(3 * 1024 * 1024)
    try {
      const before = await ctx.manifest()
      value(await ctx.api.addVersion({ slug: SLUG, version: '1.1.0', changelog: 'Second' }))
      const env = { ...process.env, ...s3KeyEnv(rgw) }
      const child = spawn(process.execPath, [WPRM_BIN, '--data-dir', ctx.dataDir, 'release', SLUG, '1.1.0'], { env, stdio: 'ignore' })
      const killed = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)))
      // The link stalls halfway through the ZIP's PUT; the process dies there, holding the lock.
      proxy.holdAfter(Math.round(before.size / 2), () => child.kill('SIGKILL'))
      expect(await killed).toBe('SIGKILL')
      // What the dead process had handed its kernel may still arrive (a closed socket sends its buffer): the new ZIP
      // is then whole under its name, or not there; never part of it, and never listed by the live manifest.
      proxy.restore()
      expect(await ctx.manifest()).toEqual(before)
      await ctx.expectListedZipsWhole(before)
      const left = await fetch(`${ctx.base}hello-wprm-v1.1.0.zip`)
      // The dead process's database is not this API's: the bytes are judged against the release that finishes below.
      const leftSha256 =
        left.status === 200
          ? createHash('sha256')
              .update(Buffer.from(await left.arrayBuffer()))
              .digest('hex')
          : null
      if (leftSha256 === null) expect([403, 404]).toContain(left.status)
      expect(await ctx.head('.wprm-lock')).toMatchObject({ ContentLength: expect.any(Number) })

      const again = await runCli(['release', SLUG, '1.1.0'], { dataDir: ctx.dataDir, env: s3KeyEnv(rgw) })
      expect(again.code, again.stderr).toBe(0)
      const after = await ctx.manifest()
      expect(after).toMatchObject({ version: '1.1.0', manifest_version: before.manifest_version + 1 })
      if (leftSha256 !== null) expect(leftSha256).toBe(after.sha256)
      await ctx.expectListedZipsWhole(after)
      await expect(ctx.head('.wprm-lock')).rejects.toMatchObject({ name: 'NotFound' })
      expect(value(await ctx.api.verify({ slug: SLUG })).ok).toBe(true)
    } finally {
      proxy.restore()
      ctx.close()
    }
  }, 90_000)

  it('a 20 MB multipart upload cut halfway: no half object is visible, and the retry uploads it whole', async () => {
    const ctx = await released(1024)
    try {
      const before = await ctx.manifest()
      // The next version carries 20 MB: above the 16 MB threshold, so it goes up in 8 MB parts.
      const source = value(await ctx.api.getPlugin({ slug: SLUG })).plugin.source_dir!
      await writePluginFolder(source, { 'assets/blob.bin': randomBytes(20 * 1024 * 1024) })
      value(await ctx.api.addVersion({ slug: SLUG, version: '2.0.0', changelog: 'Large' }))
      const sentBefore = proxy.bytesUp
      proxy.failAfter(10 * 1024 * 1024)
      const error = failure(await ctx.api.changeStatus({ slug: SLUG, versions: ['2.0.0'], status: 'released' }))
      const sent = proxy.bytesUp - sentBefore
      expect(error.kind).toBe('publish-interrupted')
      expect(error.message).toContain('while uploading hello-wprm-v2.0.0.zip')
      expect(await ctx.manifest()).toEqual(before)
      await ctx.expectListedZipsWhole(before)
      expect([403, 404]).toContain(await ctx.status('hello-wprm-v2.0.0.zip'))
      await expect(ctx.head('hello-wprm-v2.0.0.zip')).rejects.toMatchObject({ name: 'NotFound' })
      const leftAfterCut = await ctx.uploadsLeft()

      proxy.restore()
      const again = value(await ctx.api.changeStatus({ slug: SLUG, versions: ['2.0.0'], status: 'released' }))
      expect(again.publish).toMatchObject({ latest: '2.0.0', uploaded: ['2.0.0'] })
      const after = await ctx.manifest()
      expect(after.version).toBe('2.0.0')
      expect(after.size).toBeGreaterThan(20 * 1024 * 1024)
      expect(sent).toBeLessThan(after.size)
      await ctx.expectListedZipsWhole(after)
      expect((await ctx.head('hello-wprm-v2.0.0.zip')).ContentLength).toBe(after.size)
      // The cut upload's parts: left by the cut (its abort could not get through), aborted by the retry.
      expect(leftAfterCut).toBe(1)
      expect(await ctx.uploadsLeft()).toBe(0)
      console.log(`multipart: cut after ${sent} of ${after.size} bytes`)
      expect(value(await ctx.api.verify({ slug: SLUG })).ok).toBe(true)
    } finally {
      ctx.close()
    }
  }, 120_000)
})
