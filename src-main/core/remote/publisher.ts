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
import { MANIFEST_FILE } from './manifest.js'
import type { LocalState, PublishPlan, PublishTargets, RemoteState, RemoteZip } from './publish-plan.js'
import { planPublish, publishTargets } from './publish-plan.js'
import { takeRemoteLock } from './remote-lock.js'
import type { SecretProvider, SessionOptions } from './sftp-session.js'
import { SftpSession } from './sftp-session.js'

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
}

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
 * - lock mkdir: 1 (when another publish holds it: a read of its note, 5, every 250 ms);
 * - owner note: 3 (open, write, close);
 * - previous manifest: 5 (lstat, open, fstat, read, close);
 * - stats: 1 lstat per version the manifest may list;
 * - read-back of each live ZIP already there with the recorded size, to skip it: open, one read per
 *   64 KiB (a 20 MB ZIP: about 305), close;
 * - unlock (after the apply): 2 (unlink the note, rmdir).
 */
export async function publishPlugin(request: PublishRequest): Promise<PublishResult> {
  const { plugin, server, job } = request
  const targets = publishTargets(plugin, request.versions, request.retire)
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
      const remote = await readRemoteState(session, dir, plugin, targets, clock.timed)
      const local = await clock.timed('upload', () => readLocalState(plugin, targets, remote))
      const plan = planPublish({ plugin, versions: request.versions, server, retire: request.retire, remote, local, now: request.now() })
      return { ...(await applyPublishPlan(session, plan, hooks)), phases: clock.phases }
    } finally {
      await unlock().catch(() => undefined)
    }
  } catch (error) {
    if (error instanceof WprmError && error.kind === 'publish-interrupted') {
      throw new WprmError(
        'publish-interrupted',
        `${error.message} Done: ${done.length === 0 ? 'nothing' : done.join(', ')}. Not done: the new manifest; sites still see the previous release.`,
        `Run \`wprm publish ${plugin.slug}\` again when the server is reachable: it finishes the job.`
      )
    }
    throw error
  } finally {
    await session.close()
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
 * with the recorded size is read back, so that the plan can tell the released bytes from others.
 */
async function readRemoteState(
  session: SftpSession,
  dir: string,
  plugin: PluginRecord,
  targets: PublishTargets,
  timed: ApplyHooks['timed']
): Promise<RemoteState> {
  const { manifestVersion, artwork } = await timed('manifest', () => readRemoteManifest(session, dir))
  const zips = await timed('upload', async () => {
    const found = new Map<string, RemoteZip>()
    const live = new Set(targets.live.map((v) => v.version))
    const wanted = new Map([...targets.live, ...targets.listable].map((v) => [v.version, v]))
    for (const version of wanted.values()) {
      const remotePath = path.join(dir, zipFileName(plugin.slug, version.version))
      const stats = await session.lstat(remotePath)
      if (stats === null) continue
      const readBack = live.has(version.version) && stats.size === version.file_size
      found.set(version.version, { size: stats.size, sha256: readBack ? (await session.hashRemote(remotePath)).sha256 : null })
    }
    return found
  })
  return { manifestVersion, zips, artwork }
}

/**
 * The manifest on the server: its version (0 when there is none, or it is not ours and will be replaced)
 * and the artwork it lists.
 */
async function readRemoteManifest(session: SftpSession, dir: string): Promise<{ manifestVersion: number; artwork: ManifestArtwork }> {
  const text = await session.readText(path.join(dir, MANIFEST_FILE))
  if (text === null) return { manifestVersion: 0, artwork: NO_ARTWORK }
  try {
    const parsed = JSON.parse(text) as { manifest_version?: unknown }
    const value = parsed.manifest_version
    return { manifestVersion: typeof value === 'number' && Number.isInteger(value) ? value : 0, artwork: artworkOfManifest(parsed) }
  } catch {
    return { manifestVersion: 0, artwork: NO_ARTWORK }
  }
}

/**
 * Carries out a plan over an open session that holds the plugin's lock: uploads, the `-latest.zip`
 * link, then the manifest as the commit point, then the retired ZIPs.
 *
 * Sequential SFTP round trips (what a later issue can cut):
 * - uploads, per ZIP: open, fchmod, one round of writes per 2 MiB in flight, close: 3 + size / 2 MiB;
 * - read-back of each upload before its rename: open, one read per 64 KiB, close (a 20 MB ZIP: about 305);
 * - renames: 1 per upload;
 * - symlink swap: 2 (symlink under a temporary name, rename over the link);
 * - manifest: 3 to write it under a temporary name (open, write, close), 1 rename, the commit point;
 * - retired ZIPs: 1 unlink each.
 */
export async function applyPublishPlan(session: SftpSession, plan: PublishPlan, hooks: ApplyHooks): Promise<Omit<PublishResult, 'phases'>> {
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

  hooks.report('manifest', 1, 2, 'Writing the manifest')
  await hooks.timed('manifest', async () => {
    const manifestPath = path.join(dir, MANIFEST_FILE)
    const temp = session.tempName(manifestPath)
    await session.writeFile(temp, Buffer.from(`${JSON.stringify(plan.manifest, null, 2)}\n`))
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
    skipped
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
 * Uploads a ZIP under a temporary name, reads it back, and renames it into place: a ZIP under its final
 * name is always the released bytes. A failed upload leaves no file behind.
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
    await session.rename(temp, remotePath)
  } catch (error) {
    await session.unlink(temp).catch(() => undefined)
    throw error
  }
}
