import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { PluginVersionRecord, PublishResult } from '../../../../src-shared/model.js'
import { targetPlace } from '../../../../src-shared/server-targets.js'
import { zipFileName } from '../../build/zip-names.js'
import { WprmError } from '../../errors.js'
import { LEDGER_FILE } from '../ledger.js'
import { MANIFEST_FILE } from '../manifest.js'
import { readLocalState } from '../publish-inputs.js'
import type { ApplyHooks, PublishRequest } from '../publish-job.js'
import {
  MANIFEST_COMMIT_SENT,
  explainInterruption,
  finishPublish,
  planFromTruth,
  publishHooks,
  refuseUntrustedTruth,
  uploadPlannedZips
} from '../publish-job.js'
import type { PublishPlan, PublishTargets, RemoteZip } from '../publish-plan.js'
import { preflightManifest, publishTargets, versionsToLookUp } from '../publish-plan.js'
import type { Signing } from '../../signing/sign-manifest.js'
import { publishedFiles, staleSignature } from '../signed-publish.js'
import { objectLockKey, takeObjectLock } from './object-lock.js'
import type { ObjectStore } from './object-store.js'
import { IMMUTABLE_CACHE_CONTROL, mutableCacheControl } from './object-store.js'
import type { StoreServer } from './open-store.js'
import { openStore } from './open-store.js'
import { readStoreTruth, writeStoreLedger } from './store-ledger.js'

/**
 * Publishes to an object store (an S3-compatible bucket, or a folder here): the same plan as over SFTP
 * (`planPublish`), carried out with whole-object writes. Each PUT is atomic (a reader sees the old object or the
 * new one), so nothing goes up under a temporary name; the order alone keeps sites safe:
 * 1. under the lock (`<slug>/.wprm-lock`, a conditional create), read the manifest, the ledger (and its ETag) and
 *    the listed ZIPs' HEADs at once, and plan;
 * 2. upload the ZIPs the store lacks and the artwork (immutable names, `Cache-Control: immutable`);
 * 3. the ledger by compare-and-swap on the ETag it was read with (so a publish that somehow raced this one is
 *    refused before its manifest and its `-latest.zip`), then `-latest.zip` (a copy inside the store); a signed
 *    publish's signatures are inside the ledger and the manifest (signed-publish.ts), as over SFTP;
 * 4. `info.json`, the commit point, last, with a short max-age so a CDN passes it on within a minute;
 * 5. the retired ZIPs, once no manifest lists them.
 */
export async function publishToStore(request: PublishRequest, server: StoreServer): Promise<PublishResult> {
  const { plugin } = request
  const targets = publishTargets(plugin, request.versions, request.retire)
  preflightManifest(plugin, request.versions, server, targets, request.now())
  const { clock, done, hooks } = publishHooks(request)
  const local = readLocalState(plugin, targets)
  local.catch(() => undefined)
  const where = targetPlace(server)
  hooks.report('upload', 0, 0, `Connecting to ${where}`)
  const store = await openStore(server, request.secrets)
  try {
    const unlock = await clock.timed('upload', () =>
      takeObjectLock(store, {
        key: objectLockKey(plugin.slug),
        slug: plugin.slug,
        where,
        job: request.job,
        now: request.now,
        breakStaleLock: request.breakStaleLock,
        staleLockMs: request.staleLockMs,
        lockWaitMs: request.lockWaitMs
      })
    )
    try {
      const [truth, heads] = await clock.timed('manifest', () =>
        Promise.all([readStoreTruth(store, plugin.slug), headZips(store, plugin.slug, targets)])
      )
      refuseUntrustedTruth(request, where, truth)
      const [zips, here] = await clock.timed('upload', () =>
        Promise.all([proveStoredZips(store, targets, heads), local, removeStaleSignatures(store, plugin.slug)])
      )
      const plan = planFromTruth(request, truth, zips, here)
      const result = await applyStorePlan(store, server, plan, hooks, request.signing, truth.ledgerEtag)
      return { ...result, phases: clock.phases }
    } finally {
      await unlock().catch(() => undefined)
    }
  } catch (error) {
    throw explainInterruption(error, done, request)
  } finally {
    store.close()
  }
}

type Heads = readonly {
  readonly version: PluginVersionRecord
  readonly key: string
  readonly size: number
  readonly sha256: string | null
}[]

/** The store's copies of the versions the manifest may list: size and recorded SHA-256, all HEADs at once. */
async function headZips(store: ObjectStore, slug: string, targets: PublishTargets): Promise<Heads> {
  const wanted = versionsToLookUp(targets)
  const found = await Promise.all(
    wanted.map(async (version) => {
      const key = `${slug}/${zipFileName(slug, version.version)}`
      const head = await store.head(key)
      return head === null ? null : { version, key, size: head.size, sha256: head.sha256 }
    })
  )
  return found.filter((f) => f !== null)
}

/**
 * Which ZIPs the store has, with their SHA-256: the one recorded at upload (S3's `x-amz-meta-sha256`, written by
 * us with a Content-MD5 the store checked), else (a folder) hashed here from the file, for a live ZIP of the
 * recorded size; the plan refuses one with other bytes and skips one with the released bytes.
 */
async function proveStoredZips(store: ObjectStore, targets: PublishTargets, heads: Heads): Promise<ReadonlyMap<string, RemoteZip>> {
  const live = new Set(targets.live.map((v) => v.version))
  const zips = await Promise.all(
    heads.map(async ({ version, key, size, sha256 }): Promise<[string, RemoteZip]> => {
      if (sha256 !== null || !live.has(version.version) || size !== version.file_size) return [version.version, { size, sha256 }]
      const object = await store.get(key)
      return [version.version, { size, sha256: object === null ? null : createHash('sha256').update(object.bytes).digest('hex') }]
    })
  )
  return new Map(zips)
}

/** Deletes the detached signature files of earlier versions, which nothing reads (as the SFTP publish sweeps them); never fails the publish. */
async function removeStaleSignatures(store: ObjectStore, slug: string): Promise<void> {
  const objects = await store.list(`${slug}/`).catch(() => [])
  const stale = objects.filter((o) => staleSignature(o.key.slice(slug.length + 1)))
  await Promise.all(stale.map((o) => store.delete(o.key).catch(() => undefined)))
}

/** What a store write fails with once the first object changed: an interruption, so the message says what reached the store. */
function interrupted(error: unknown, what: string): unknown {
  if (!(error instanceof WprmError) || !['connection-failed', 'remote-io', 'publish-interrupted'].includes(error.kind)) return error
  return new WprmError('publish-interrupted', `The publish was cut off while ${what}: ${error.message}`, error.hint, { cause: error })
}

const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')

/** The content type of an artwork file, from its extension (wordpress.org's banners and icons are PNG, JPEG, GIF or SVG). */
function imageType(name: string): string {
  const extension = name.slice(name.lastIndexOf('.') + 1).toLowerCase()
  return (
    { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', svg: 'image/svg+xml' }[extension] ??
    'application/octet-stream'
  )
}

/**
 * Carries out a plan on a store that holds the plugin's lock. Requests, in sequence: the uploads (one PUT each,
 * or one multipart upload for a large ZIP; the artwork after them), then the ledger's compare-and-swap, the
 * `-latest.zip` copy, then the manifest's PUT, then the retired ZIPs' deletes at once.
 */
async function applyStorePlan(
  store: ObjectStore,
  server: StoreServer,
  plan: PublishPlan,
  hooks: ApplyHooks,
  signing: Signing | undefined,
  ledgerEtag: string | null
): Promise<Omit<PublishResult, 'phases'>> {
  const maxAge = server.kind === 's3' ? server.mutable_max_age : 60
  const mutable = mutableCacheControl(maxAge)
  const key = (name: string): string => `${plan.slug}/${name}`
  let doing = 'uploading the ZIPs'
  let zips: { readonly uploaded: readonly string[]; readonly skipped: readonly string[] }
  try {
    zips = await uploadPlannedZips(plan, hooks, (zip, onBytes) => {
      doing = `uploading ${zip.name}`
      return store.put(
        key(zip.name),
        { kind: 'file', path: zip.localPath! },
        { cacheControl: IMMUTABLE_CACHE_CONTROL, contentType: 'application/zip', sha256: zip.sha256, onProgress: onBytes }
      )
    })
    for (const image of plan.artwork.filter((a) => a.action === 'upload')) {
      doing = `uploading ${image.remoteName}`
      const bytes = await readFile(image.localPath)
      await hooks.timed('upload', () =>
        store.put(
          key(image.remoteName),
          { kind: 'bytes', bytes },
          { cacheControl: IMMUTABLE_CACHE_CONTROL, contentType: imageType(image.name), sha256: sha256Of(bytes) }
        )
      )
      hooks.onStep(`uploaded ${image.remoteName}`)
    }

    doing = `writing ${LEDGER_FILE} and pointing ${plan.link.name}`
    hooks.report('manifest', 0, 2, 'Writing the ledger and pointing the -latest copy')
    await hooks.timed('manifest', async () => {
      // The ledger's swap before the copy: a publish that lost the race (its lock broken as stale) must not point
      // -latest.zip at a version the live manifest does not have.
      await writeStoreLedger(store, plan.ledger, ledgerEtag, maxAge, signing)
      hooks.onStep(`wrote ${LEDGER_FILE} for manifest #${plan.manifest.manifest_version}`)
      await store.copy(key(plan.link.target), key(plan.link.name), { cacheControl: mutable })
      hooks.onStep(`copied ${plan.link.target} to ${plan.link.name}`)
    })

    doing = `writing ${MANIFEST_FILE}`
    hooks.report('manifest', 1, 2, 'Writing the manifest')
    hooks.onStep(MANIFEST_COMMIT_SENT)
    const { manifest } = publishedFiles(plan, signing)
    // The commit point: sites see the new release from this PUT on (through a CDN, within max-age).
    await hooks.timed('manifest', () =>
      store.put(
        key(MANIFEST_FILE),
        { kind: 'bytes', bytes: manifest },
        { cacheControl: mutable, contentType: 'application/json', sha256: sha256Of(manifest) }
      )
    )
  } catch (error) {
    throw interrupted(error, doing)
  }
  // Only now that no manifest lists them may the retired ZIPs go.
  return finishPublish(plan, hooks, zips, (name) => store.delete(key(name)))
}
