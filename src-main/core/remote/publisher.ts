import { stat } from 'node:fs/promises'
import path from 'node:path/posix'
import type {
  Job,
  JobPhase,
  PluginRecord,
  PluginVersionRecord,
  ProgressEvent,
  PublishResult,
  ServerProfile
} from '../../../src-shared/model.js'
import { inspectPluginZip } from '../build/zip-inspect.js'
import { zipFileName } from '../build/zip-names.js'
import { WprmError } from '../errors.js'
import type { ManifestArtwork } from './artwork.js'
import { ARTWORK_REMOTE_FOLDER, NO_ARTWORK, artworkOfManifest, findArtwork } from './artwork.js'
import { MANIFEST_FILE, serializeManifest } from './manifest.js'
import type { Workstation } from '../../../src-shared/ledger.js'
import { assertServerNotAhead } from '../../../src-shared/ledger.js'
import { LEDGER_FILE, ledgerBytes, readServerTruth } from './ledger.js'
import type { ListedZip, LocalState, PublishPlan, PublishTargets, RemoteState, RemoteZip } from './publish-plan.js'
import { planPublish, preflightManifest, proofStamp, provenBefore, publishTargets } from './publish-plan.js'
import { takeRemoteLock } from './remote-lock.js'
import type { SecretProvider, SessionOptions } from './sftp-session.js'
import { SftpSession } from './sftp-session.js'
import type { Signing, SignedSidecar } from '../signing/sign-manifest.js'
import { signatureSidecars, signedFields, staleSignature } from './signed-publish.js'

/** What a publish needs. */
export interface PublishRequest {
  readonly plugin: PluginRecord
  /** Every version of the plugin, in the state to publish. */
  readonly versions: readonly PluginVersionRecord[]
  readonly server: ServerProfile
  readonly secrets: SecretProvider
  readonly now: () => Date
  readonly job: Job
  readonly onProgress?: (event: ProgressEvent) => void
  /** Break a lock older than `staleLockMs` (a publish that died elsewhere). */
  readonly breakStaleLock?: boolean
  readonly staleLockMs?: number
  /** How long to wait for another publish of the same plugin to finish. */
  readonly lockWaitMs?: number
  /** Deprecated versions whose ZIPs leave the server (retention): dropped from the manifest, then deleted. */
  readonly retire?: readonly string[]
  readonly session?: SessionOptions
  /** Who publishes, for the ledger (the data folder's workstation id). */
  readonly by?: Workstation
  /** The command an interruption's hint names: it takes in what reached the server, then finishes. */
  readonly retryCommand?: string
  /** Sign the manifest and the ledger (a plugin linked to a key): see signed-publish.ts. */
  readonly signing?: Signing
}

/** The step noted just before the manifest's rename: past it, the new manifest may be live or not. */
const MANIFEST_RENAME_SENT = 'sent the rename of info.json'

/** How `applyPublishPlan` tells what it is doing: progress events, phase timing, and each step done. */
export interface ApplyHooks {
  readonly report: (phase: JobPhase, done: number, total: number, label: string) => void
  readonly timed: <T>(phase: JobPhase, body: () => Promise<T>) => Promise<T>
  /** A step that changed the server ("uploaded x.zip"), for the message of an interrupted publish. */
  readonly onStep: (step: string) => void
}

/** Times the phases of a publish; consecutive work of the same phase adds up to one entry. */
function phaseClock(): { readonly phases: { phase: JobPhase; ms: number }[]; readonly timed: ApplyHooks['timed'] } {
  const phases: { phase: JobPhase; ms: number }[] = []
  const timed = async <T>(phase: JobPhase, body: () => Promise<T>): Promise<T> => {
    const started = performance.now()
    try {
      return await body()
    } finally {
      const last = phases.at(-1)
      const ms = performance.now() - started
      if (last?.phase === phase) phases[phases.length - 1] = { phase, ms: last.ms + ms }
      else phases.push({ phase, ms })
    }
  }
  return { phases, timed }
}

/**
 * Publishes a plugin's current state to its server, atomically: ZIPs under temporary names renamed into
 * place, the `-latest.zip` link swapped, and the manifest renamed over the old one last. Until that
 * rename, sites see the previous manifest, complete; running the same publish again finishes the job.
 *
 * Under the server's lock it reads what the server holds, plans (`planPublish`, pure) and applies
 * (`applyPublishPlan`): the plan is made from the server's state as it is while no one else can change it.
 *
 * Sequential SFTP round trips before the plan (`applyPublishPlan` lists the rest):
 * - folder: one lstat per component of `<remote root>/<slug>`, plus one mkdir per missing one;
 * - lock: 5 (mkdir of a temporary lock folder, its note: open, write, close; the rename into place);
 *   when another publish holds it, a read of its note (5) and another rename every 250 ms;
 * - leftovers of failed jobs: a listing, 4 (opendir, readdir, readdir, close), plus 1 unlink per leftover;
 * - previous manifest and ledger, read at once: 5 (lstat, open, fstat, read, close);
 * - stats: 1 lstat per version the manifest may list;
 * - read-back of each live ZIP already there with the recorded size and not proven before (see
 *   `provenBefore`), to skip it: open, one read per 64 KiB (a 20 MB ZIP: about 305), close; then 1 to
 *   stamp it proven; a no-op publish reads nothing back;
 * - unlock (after the apply): 2 (unlink the note, rmdir).
 */
export async function publishPlugin(request: PublishRequest): Promise<PublishResult> {
  const { plugin, server, job } = request
  const targets = publishTargets(plugin, request.versions, request.retire)
  preflightManifest(plugin, request.versions, server, targets, request.now())
  const dir = path.join(server.remote_root, plugin.slug)
  const clock = phaseClock()
  const done: string[] = []
  const hooks: ApplyHooks = {
    report: (phase, doneCount, total, label) => request.onProgress?.({ job, phase, done: doneCount, total, label }),
    timed: clock.timed,
    onStep: (step) => done.push(step)
  }

  hooks.report('upload', 0, 0, `Connecting to ${server.host}`)
  const session = await clock.timed('upload', () => SftpSession.open(server, request.secrets, request.session))
  try {
    await clock.timed('upload', () => session.mkdirp(dir))
    const unlock = await clock.timed('upload', () => takeRemoteLock(session, dir, request))
    try {
      // Compare-and-swap: the server's truth, read under its lock, before anything changes.
      const truth = await clock.timed('manifest', () => readServerTruth(session, dir, plugin.slug))
      assertServerNotAhead(truth, plugin, request.versions, server.host)
      await clock.timed('upload', () => removeLeftovers(session, dir, (name) => staleSignature(name, truth)))
      const remote = await readRemoteState(
        session,
        dir,
        plugin,
        targets,
        clock.timed,
        truth.manifest_version,
        listedZips(truth.manifestText),
        listedArtwork(truth.manifestText)
      )
      const local = await clock.timed('upload', () => readLocalState(plugin, targets, remote))
      const by = request.by ?? { user: 'unknown', host: 'unknown', workstation: 'unknown' }
      const plan = planPublish({
        plugin,
        versions: request.versions,
        server,
        retire: request.retire,
        remote,
        local,
        now: request.now(),
        base: truth.state,
        by,
        signed: signedFields(request.signing, request.now())
      })
      const sidecars = signatureSidecars(plan, request.signing)
      return { ...(await applyPublishPlan(session, plan, hooks, sidecars)), phases: clock.phases }
    } finally {
      await unlock().catch(() => undefined)
    }
  } catch (error) {
    if (error instanceof WprmError && error.kind === 'publish-interrupted') {
      const uncertain = done.includes(MANIFEST_RENAME_SENT)
      const steps = done.filter((step) => step !== MANIFEST_RENAME_SENT)
      throw new WprmError(
        'publish-interrupted',
        `${error.message} Done: ${steps.length === 0 ? 'nothing' : steps.join(', ')}. ${
          uncertain
            ? 'Unknown: whether the new manifest went live (the connection was lost during its rename).'
            : 'Not done: the new manifest; sites still see the previous release.'
        }`,
        `Run \`${request.retryCommand ?? `wprm publish ${plugin.slug}`}\` again when the server is reachable: it first takes in what reached the server, then finishes the job.`
      )
    }
    throw error
  } finally {
    await session.close()
  }
}

/**
 * Removes what failed jobs left under temporary names (`.<name>.<random>.part`: uploads, manifests,
 * links, lock folders being made or broken). Under the lock nothing else writes this plugin's folder,
 * so each is a leftover; a waiting publish whose lock folder goes makes it again. Never fails the publish.
 */
async function removeLeftovers(session: SftpSession, dir: string, stale: (name: string) => boolean = () => false): Promise<void> {
  const entries = await session.list(dir).catch(() => [])
  for (const entry of entries) {
    if (/^\..+\.part$/.test(entry.name) || stale(entry.name)) await session.remove(path.join(dir, entry.name)).catch(() => undefined)
  }
}

/**
 * What the workstation holds: the texts of the latest ZIP, which the manifest describes (read from the
 * ZIP: they are what sites get), and which live ZIPs missing on the server are here to upload.
 */
async function readLocalState(plugin: PluginRecord, targets: PublishTargets, remote: RemoteState): Promise<LocalState> {
  const zipsHere = new Set<string>()
  for (const version of targets.live) {
    if (remote.zips.has(version.version) || version.file_path === null) continue
    if (
      await stat(version.file_path).then(
        (s) => s.isFile(),
        () => false
      )
    )
      zipsHere.add(version.version)
  }
  return {
    zipsHere,
    latestZip: await inspectPluginZip(targets.latest.file_path!, plugin.slug, plugin.main_file),
    artwork: await findArtwork(plugin.source_dir)
  }
}

/**
 * What the server holds for the plugin: the manifest's version, and which ZIPs are there. A live ZIP
 * with the recorded size is read back, so that the plan can tell the released bytes from others, unless
 * an earlier publish proved it and it has not changed since (`provenBefore`); one read back and found
 * to be the release is stamped proven.
 */
async function readRemoteState(
  session: SftpSession,
  dir: string,
  plugin: PluginRecord,
  targets: PublishTargets,
  timed: ApplyHooks['timed'],
  manifestVersion: number,
  listed: ReadonlyMap<string, ListedZip>,
  artwork: ManifestArtwork
): Promise<RemoteState> {
  const zips = await timed('upload', async () => {
    const found = new Map<string, RemoteZip>()
    const live = new Set(targets.live.map((v) => v.version))
    const wanted = new Map([...targets.live, ...targets.listable].map((v) => [v.version, v]))
    for (const version of wanted.values()) {
      const remotePath = path.join(dir, zipFileName(plugin.slug, version.version))
      const stats = await session.lstat(remotePath)
      if (stats === null) continue
      const readBack = live.has(version.version) && stats.size === version.file_size
      found.set(version.version, {
        size: stats.size,
        sha256: readBack ? await proveRemoteZip(session, remotePath, version, stats, listed.get(version.version)) : null
      })
    }
    return found
  })
  return { manifestVersion, zips, artwork }
}

/** The SHA-256 of a server copy: the release's when it was proven before, else read back (and stamped if it is the release). */
async function proveRemoteZip(
  session: SftpSession,
  remotePath: string,
  version: PluginVersionRecord,
  stats: { readonly size: number; readonly mtime: number },
  listed: ListedZip | undefined
): Promise<string> {
  if (provenBefore(version, stats, listed)) return version.checksum!
  const { sha256 } = await session.hashRemote(remotePath)
  const stamp = proofStamp(version.checksum)
  // Best effort: a copy another user owns cannot take our stamp, and is read back each time instead.
  if (sha256 === version.checksum && stamp !== null) await session.setModified(remotePath, stamp).catch(() => undefined)
  return sha256
}

/** The artwork the server's manifest lists (none when there is no manifest of ours). */
function listedArtwork(text: string | null): ManifestArtwork {
  if (text === null) return NO_ARTWORK
  try {
    return artworkOfManifest(JSON.parse(text) as { manifest_version?: unknown })
  } catch {
    return NO_ARTWORK
  }
}

/** The versions the server's manifest lists, with their SHA-256 and size (none when it is not ours). */
function listedZips(text: string | null): ReadonlyMap<string, ListedZip> {
  const listed = new Map<string, ListedZip>()
  if (text === null) return listed
  let manifest: { versions?: unknown } | null
  try {
    manifest = JSON.parse(text) as typeof manifest
  } catch {
    return listed
  }
  if (typeof manifest !== 'object' || manifest === null) return listed
  for (const entry of Array.isArray(manifest.versions) ? (manifest.versions as unknown[]) : []) {
    const v = entry as Partial<Record<'version' | 'sha256' | 'size', unknown>> | null
    if (typeof v?.version === 'string' && typeof v.sha256 === 'string' && typeof v.size === 'number')
      listed.set(v.version, { sha256: v.sha256, size: v.size })
  }
  return listed
}

/**
 * Carries out a plan over an open session that holds the plugin's lock: uploads, the `-latest.zip`
 * link, then the manifest as the commit point, then the retired ZIPs.
 *
 * Sequential SFTP round trips (what a later issue can cut):
 * - uploads, per ZIP: open, fchmod, one round of writes per 2 MiB in flight, close: 3 + size / 2 MiB;
 * - read-back of each upload before its rename: open, one read per 64 KiB, close (a 20 MB ZIP: about 305);
 * - proof stamp (its modification time, see `provenBefore`): 1 per upload;
 * - renames: 1 per upload;
 * - symlink swap: 2 (symlink under a temporary name, rename over the link);
 * - signatures (a signed publish): 4 each for the ledger's and the manifest's, written like the ledger;
 * - ledger: 3 to write it under a temporary name, 1 rename;
 * - manifest: 3 to write it under a temporary name (open, write, close), 1 rename, the commit point;
 * - retired ZIPs: 1 unlink each.
 */
export async function applyPublishPlan(
  session: SftpSession,
  plan: PublishPlan,
  hooks: ApplyHooks,
  sidecars: readonly SignedSidecar[] = []
): Promise<Omit<PublishResult, 'phases'>> {
  const { dir } = plan
  const uploaded: string[] = []
  const skipped: string[] = []
  const totalBytes = plan.zips.reduce((sum, z) => sum + z.size, 0)
  let sentBefore = 0
  for (const zip of plan.zips) {
    if (zip.action === 'upload') {
      await hooks.timed('upload', () =>
        uploadZip(session, dir, zip, (sent) => hooks.report('upload', sentBefore + sent, totalBytes, `Uploading ${zip.name}`))
      )
      uploaded.push(zip.version)
      hooks.onStep(`uploaded ${zip.name}`)
    } else {
      skipped.push(zip.version)
    }
    sentBefore += zip.size
  }
  hooks.report('upload', totalBytes, totalBytes, `${uploaded.length} uploaded, ${skipped.length} already there`)
  await uploadArtwork(session, plan, hooks)

  hooks.report('manifest', 0, 2, 'Pointing the -latest link')
  await hooks.timed('manifest', async () => {
    const linkPath = path.join(dir, plan.link.name)
    const tempLink = session.tempName(linkPath)
    await session.symlink(plan.link.target, tempLink)
    await session.rename(tempLink, linkPath)
  })
  hooks.onStep(`pointed ${plan.link.name} at ${plan.latest}`)

  hooks.report('manifest', 1, 2, 'Writing the ledger and the manifest')
  await hooks.timed('manifest', async () => {
    // Signatures before the files they sign: each is named after those bytes, so none is ever live unsigned.
    for (const sidecar of sidecars) {
      const sidecarPath = path.join(dir, sidecar.name)
      const sidecarTemp = session.tempName(sidecarPath)
      await session.writeFile(sidecarTemp, sidecar.bytes)
      await session.rename(sidecarTemp, sidecarPath)
    }
    // The ledger first: it keeps the state before it, so until the manifest's rename below every reader
    // still takes the previous state as the truth (see serverTruth).
    const ledgerPath = path.join(dir, LEDGER_FILE)
    const ledgerTemp = session.tempName(ledgerPath)
    await session.writeFile(ledgerTemp, ledgerBytes(plan.ledger))
    await session.rename(ledgerTemp, ledgerPath)
    hooks.onStep(`wrote ${LEDGER_FILE} for manifest #${plan.manifest.manifest_version}`)
    const manifestPath = path.join(dir, MANIFEST_FILE)
    const temp = session.tempName(manifestPath)
    await session.writeFile(temp, Buffer.from(serializeManifest(plan.manifest)))
    hooks.onStep(MANIFEST_RENAME_SENT)
    // The commit point: sites see the new release from this rename on.
    await session.rename(temp, manifestPath)
  })
  hooks.report('manifest', 2, 2, `Manifest #${plan.manifest.manifest_version} is live: ${plan.manifest.version}`)
  // Only now that no manifest lists them may the retired ZIPs go.
  for (const retired of plan.retire) {
    await session.unlink(path.join(dir, retired.name)).catch(() => undefined)
  }
  return {
    slug: plan.slug,
    server: plan.server.name,
    manifest_version: plan.manifest.manifest_version,
    latest: plan.latest,
    manifest_url: plan.manifestUrl,
    uploaded,
    skipped,
    notes: plan.notes,
    expires: plan.manifest.expires ?? null
  }
}

/**
 * Uploads the artwork that is not on the server yet beside the ZIPs (`assets/`), each under a temporary
 * name renamed into place, before the manifest that lists it. Sequential SFTP round trips: 1 mkdir when
 * there is one to upload, then per image open, fchmod, writes, close and rename.
 */
async function uploadArtwork(session: SftpSession, plan: PublishPlan, hooks: ApplyHooks): Promise<void> {
  const pending = plan.artwork.filter((a) => a.action === 'upload')
  if (pending.length === 0) return
  await hooks.timed('upload', async () => {
    await session.mkdirp(path.join(plan.dir, ARTWORK_REMOTE_FOLDER))
    for (const image of pending) {
      const remotePath = path.join(plan.dir, image.remoteName)
      const temp = session.tempName(remotePath)
      try {
        await session.upload(image.localPath, temp)
        await session.rename(temp, remotePath)
      } catch (error) {
        await session.unlink(temp).catch(() => undefined)
        throw error
      }
      hooks.onStep(`uploaded ${image.remoteName}`)
    }
  })
  hooks.report('upload', pending.length, pending.length, `${pending.length} images uploaded`)
}

/**
 * Uploads a ZIP under a temporary name, reads it back, stamps it proven, and renames it into place: a
 * ZIP under its final name is always the released bytes. A failed upload leaves no file behind (one cut
 * off is swept up by the next publish).
 */
async function uploadZip(
  session: SftpSession,
  dir: string,
  zip: PublishPlan['zips'][number],
  onBytes: (sent: number) => void
): Promise<void> {
  const remotePath = path.join(dir, zip.name)
  const temp = session.tempName(remotePath)
  try {
    await session.upload(zip.localPath!, temp, onBytes)
    const arrived = await session.hashRemote(temp)
    if (arrived.size !== zip.size || arrived.sha256 !== zip.sha256) {
      throw new WprmError(
        'remote-conflict',
        `The upload of ${zip.name} arrived as ${arrived.size} of ${zip.size} bytes with SHA-256 ${arrived.sha256.slice(0, 12)}… (released ${zip.sha256.slice(0, 12)}…); it was not put in place.`,
        "Run the same command again: it uploads the file anew. If it happens again, check the server's disk."
      )
    }
    // Best effort, as for a copy read back: without the stamp it is only read back once more next time.
    await session.setModified(temp, proofStamp(zip.sha256)!).catch(() => undefined)
    await session.rename(temp, remotePath)
  } catch (error) {
    await session.unlink(temp).catch(() => undefined)
    throw error
  }
}
