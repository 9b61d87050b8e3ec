import path from 'node:path/posix'
import type { PluginRecord, PluginVersionRecord, PublishResult, SftpServer } from '../../../src-shared/model.js'
import { zipFileName } from '../build/zip-names.js'
import { WprmError } from '../errors.js'
import { ARTWORK_REMOTE_FOLDER } from './artwork.js'
import { MANIFEST_FILE } from './manifest.js'
import { LEDGER_FILE, readServerTruth } from './ledger.js'
import type { ListedZip, PublishPlan, PublishTargets, RemoteZip } from './publish-plan.js'
import { preflightManifest, proofStamp, provenBefore, publishTargets, versionsToLookUp } from './publish-plan.js'
import type { RemoteLockRequest } from './remote-lock.js'
import { takeRemoteLock } from './remote-lock.js'
import { SessionPool } from './session-pool.js'
import { SftpSession } from './sftp-session.js'
import { pluginFolder } from '../../../src-shared/server-targets.js'
import { publishToStore } from './targets/store-publisher.js'
import type { ApplyHooks, PublishRequest } from './publish-job.js'
import { listedZips, readLocalState } from './publish-inputs.js'
import {
  MANIFEST_COMMIT_SENT,
  explainInterruption,
  finishPublish,
  planFromTruth,
  publishHooks,
  refuseUntrustedTruth,
  uploadPlannedZips
} from './publish-job.js'
import { publishedFiles, staleSignature } from './signed-publish.js'

/**
 * Publishes a plugin's current state to its server, by the server's target kind: over SFTP (below), or to an
 * object store (an S3-compatible bucket, a local folder: store-publisher.ts). One plan (`planPublish`) for all.
 */
export async function publishPlugin(request: PublishRequest): Promise<PublishResult> {
  const { server } = request
  if (server.kind === 'sftp') return publishOverSftp(request, server)
  return publishToStore(request, server)
}

/**
 * Publishes over SFTP, atomically: ZIPs under temporary names renamed into
 * place, the `-latest.zip` link swapped, and the manifest renamed over the old one last. Until that
 * rename, sites see the previous manifest, complete; running the same publish again finishes the job.
 *
 * Under the server's lock it reads what the server holds, plans (`planPublish`, pure) and applies
 * (`applyPublishPlan`): the plan is made from the server's state as it is while no one else can change it.
 *
 * Sequential SFTP round trips before the plan (`applyPublishPlan` lists the rest), with a kept
 * connection (a new one first costs its login, about ten; the local ZIP is read meanwhile):
 * - lock: 3 (`takeRemoteLock`, with the plugin folder's mkdir in its first round trip); when another
 *   publish holds it, a read of its note (2) and another try every 250 ms;
 * - server state, all at once: the previous manifest and ledger (open; reads: 2), the stat of every
 *   version the manifest may list (1), the listing for the leftovers of failed jobs (opendir; reads: 2,
 *   then, when there are any, 2 for all of them: lstat, unlink): 2;
 * - read-back of each live ZIP already there with the recorded size and not proven before (see
 *   `provenBefore`), to skip it, all at once: open, then one per 2 MiB of 64 reads in flight (a 20 MB ZIP
 *   about 10), then 1 to stamp it proven; a no-op publish reads nothing back;
 * - unlock (after the apply): 1 (the note's unlink and the rmdir together).
 */
async function publishOverSftp(request: PublishRequest, server: SftpServer): Promise<PublishResult> {
  const { plugin } = request
  const targets = publishTargets(plugin, request.versions, request.retire)
  preflightManifest(plugin, request.versions, server, targets, request.now())
  const dir = pluginFolder(server, plugin.slug)
  const { clock, done, hooks } = publishHooks(request)

  // The local ZIP is read (CPU) while the login runs: nothing in it depends on the server.
  const local = readLocalState(plugin, targets)
  local.catch(() => undefined)
  hooks.report('upload', 0, 0, `Connecting to ${server.host}`)
  const pool = request.sessions ?? new SessionPool()
  const lease = await clock.timed('upload', () => pool.lease(server, () => SftpSession.open(server, request.secrets, request.session)))
  const session = lease.session
  try {
    const unlock = await clock.timed('upload', () => lockPluginFolder(session, dir, { ...request, server }))
    try {
      // Compare-and-swap: the server's truth, read under its lock, before anything changes; the stats
      // and the sweep of leftovers ride in the same round trips.
      const [truth, stats] = await clock.timed('manifest', () =>
        Promise.all([readServerTruth(session, dir, plugin.slug), statZips(session, dir, plugin, targets), removeLeftovers(session, dir)])
      )
      refuseUntrustedTruth(request, server.host, truth)
      const zips = await clock.timed('upload', () => proveRemoteZips(session, targets, stats, listedZips(truth.manifestText)))
      const plan = planFromTruth(request, truth, zips, await clock.timed('upload', () => local))
      return { ...(await applyPublishPlan(session, plan, hooks, publishedFiles(plan, request.signing))), phases: clock.phases }
    } finally {
      await unlock().catch(() => undefined)
    }
  } catch (error) {
    throw explainInterruption(error, done, request)
  } finally {
    await lease.release()
  }
}

/**
 * Takes the plugin's lock in its folder. The folder's mkdir goes out right in front of the lock's own
 * requests, in the same round trip (the server handles them in order): made on the first publish of the
 * plugin, answered "exists" on every other, at no extra sequential round trip either way. Only when the
 * remote root is missing too are the levels looked at and made, and the lock taken again.
 */
async function lockPluginFolder(session: SftpSession, dir: string, request: RemoteLockRequest): Promise<() => Promise<void>> {
  const folder = session.mkdir(dir).catch(() => false)
  try {
    return await takeRemoteLock(session, dir, request)
  } catch (error) {
    if (!(error instanceof WprmError) || error.kind !== 'remote-not-found') throw error
  } finally {
    await folder
  }
  await session.mkdirp(dir)
  return takeRemoteLock(session, dir, request)
}

/**
 * Removes what failed jobs left under temporary names (`.<name>.<random>.part`: uploads, manifests,
 * links, lock folders being made or broken), and the detached signature files of earlier versions,
 * which nothing reads. Under the lock nothing else writes this plugin's folder, so each is a leftover;
 * a waiting publish whose lock folder goes makes it again. Never fails the publish.
 */
async function removeLeftovers(session: SftpSession, dir: string): Promise<void> {
  const entries = await session.list(dir).catch(() => [])
  const leftovers = entries.filter((entry) => /^\..+\.part$/.test(entry.name) || staleSignature(entry.name))
  await Promise.all(leftovers.map((entry) => session.remove(path.join(dir, entry.name)).catch(() => undefined)))
}

/** The server copies of the versions the manifest may list: path and attributes, all in one round trip. */
async function statZips(
  session: SftpSession,
  dir: string,
  plugin: PluginRecord,
  targets: PublishTargets
): Promise<
  readonly { readonly version: PluginVersionRecord; readonly remotePath: string; readonly size: number; readonly mtime: number }[]
> {
  const wanted = versionsToLookUp(targets)
  const found = await Promise.all(
    wanted.map(async (version) => {
      const remotePath = path.join(dir, zipFileName(plugin.slug, version.version))
      const stats = await session.lstat(remotePath)
      return stats === null ? null : { version, remotePath, size: stats.size, mtime: stats.mtime }
    })
  )
  return found.filter((f) => f !== null)
}

/**
 * Which ZIPs are on the server. A live ZIP with the recorded size is read back, so that the plan can
 * tell the released bytes from others, unless an earlier publish proved it and it has not changed
 * since (`provenBefore`); one read back and found to be the release is stamped proven. All at once.
 */
async function proveRemoteZips(
  session: SftpSession,
  targets: PublishTargets,
  found: Awaited<ReturnType<typeof statZips>>,
  listed: ReadonlyMap<string, ListedZip>
): Promise<ReadonlyMap<string, RemoteZip>> {
  const live = new Set(targets.live.map((v) => v.version))
  const zips = await Promise.all(
    found.map(async ({ version, remotePath, size, mtime }): Promise<[string, RemoteZip]> => {
      const readBack = live.has(version.version) && size === version.file_size
      const sha256 = readBack ? await proveRemoteZip(session, remotePath, version, { size, mtime }, listed.get(version.version)) : null
      return [version.version, { size, sha256 }]
    })
  )
  return new Map(zips)
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
  const { sha256 } = await session.hashRemote(remotePath, stats.size)
  const stamp = proofStamp(version.checksum)
  // Best effort: a copy another user owns cannot take our stamp, and is read back each time instead.
  if (sha256 === version.checksum && stamp !== null) await session.setModified(remotePath, stamp).catch(() => undefined)
  return sha256
}

/**
 * Carries out a plan over an open session that holds the plugin's lock: uploads, the `-latest.zip`
 * link, then the manifest as the commit point, then the retired ZIPs.
 *
 * Sequential SFTP round trips:
 * - staging, while the first upload runs (nothing sites see changes): the link, the ledger and the
 *   manifest under temporary names, all at once (symlink; open, then writes and close: 2);
 * - uploads, per ZIP: open (1), the writes with a read of each right behind it, about one per 2 MiB
 *   (the SSH window of OpenSSH's sshd; a 20 MB ZIP about 10, a small one 1), then the close, the proof
 *   stamp (its modification time, see `provenBefore`) and the rename into place together (1);
 * - artwork not on the server yet: see `uploadArtwork`;
 * - link swap and ledger: 1 for both renames, once the ZIPs are in place (a link to a missing ZIP would
 *   be public; the ledger keeps the state before it, so it may land before the manifest, never after).
 *   A signed publish's signatures are inside the manifest and the ledger (`files`), so each goes live
 *   with its signature in one rename;
 * - manifest: 1 rename, the commit point, once the link and the ledger are in place;
 * - retired ZIPs: 1 for all the unlinks.
 */
export async function applyPublishPlan(
  session: SftpSession,
  plan: PublishPlan,
  hooks: ApplyHooks,
  files: { readonly manifest: Buffer; readonly ledger: Buffer } = publishedFiles(plan, undefined)
): Promise<Omit<PublishResult, 'phases'>> {
  const { dir } = plan
  const linkPath = path.join(dir, plan.link.name)
  const ledgerPath = path.join(dir, LEDGER_FILE)
  const manifestPath = path.join(dir, MANIFEST_FILE)
  const tempLink = session.tempName(linkPath)
  const tempLedger = session.tempName(ledgerPath)
  const tempManifest = session.tempName(manifestPath)
  // Sent before the first upload's open, so that the server answers them before its first write.
  const staged = Promise.all([
    session.symlink(plan.link.target, tempLink),
    session.writeFile(tempLedger, files.ledger),
    session.writeFile(tempManifest, files.manifest)
  ])
  staged.catch(() => undefined)
  let zips: { readonly uploaded: readonly string[]; readonly skipped: readonly string[] }
  try {
    zips = await uploadPlannedZips(plan, hooks, (zip, onBytes) => uploadZip(session, dir, zip, onBytes))
    await uploadArtwork(session, plan, hooks)

    hooks.report('manifest', 0, 2, 'Pointing the -latest link and writing the ledger')
    await hooks.timed('manifest', async () => {
      await staged
      const [linked, ledgered] = await Promise.allSettled([session.rename(tempLink, linkPath), session.rename(tempLedger, ledgerPath)])
      if (linked.status === 'fulfilled') hooks.onStep(`pointed ${plan.link.name} at ${plan.latest}`)
      if (ledgered.status === 'fulfilled') hooks.onStep(`wrote ${LEDGER_FILE} for manifest #${plan.manifest.manifest_version}`)
      for (const renamed of [linked, ledgered]) if (renamed.status === 'rejected') throw renamed.reason
    })

    hooks.report('manifest', 1, 2, 'Writing the manifest')
    hooks.onStep(MANIFEST_COMMIT_SENT)
    // The commit point: sites see the new release from this rename on.
    await hooks.timed('manifest', () => session.rename(tempManifest, manifestPath))
  } catch (error) {
    // Nothing half-done: what was staged goes too (as far as the connection allows; else the next publish sweeps it).
    const temps = [tempLink, tempLedger, tempManifest]
    await Promise.all(temps.map((temp) => session.unlink(temp).catch(() => undefined)))
    throw error
  }
  // Only now that no manifest lists them may the retired ZIPs go.
  return finishPublish(plan, hooks, zips, (name) => session.unlink(path.join(dir, name)))
}

/**
 * Uploads the artwork that is not on the server yet beside the ZIPs (`assets/`), each under a temporary
 * name, read back as it goes and renamed into place, before the manifest that lists it. Sequential SFTP
 * round trips: 1 mkdir when there is one to upload, then per image open, its writes, close and rename.
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
        const arrived = await session.upload(image.localPath, temp)
        if (arrived.sha256 !== arrived.sentSha256) {
          await arrived.finish(null).catch(() => undefined)
          throw new WprmError(
            'remote-conflict',
            `The upload of ${image.remoteName} arrived with other bytes than were sent; it was not put in place.`,
            "Run the same command again: it uploads the file anew. If it happens again, check the server's disk."
          )
        }
        await arrived.finish(remotePath)
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
 * Uploads a ZIP under a temporary name, reading it back as it goes, then closes it, stamps it proven and
 * renames it into place in one round trip: a ZIP under its final name is always the released bytes. A
 * failed upload leaves no file behind (one cut off is swept up by the next publish).
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
    const arrived = await session.upload(zip.localPath!, temp, onBytes)
    if (arrived.size !== zip.size || arrived.sha256 !== zip.sha256) {
      await arrived.finish(null).catch(() => undefined)
      throw new WprmError(
        'remote-conflict',
        `The upload of ${zip.name} arrived as ${arrived.size} of ${zip.size} bytes with SHA-256 ${arrived.sha256.slice(0, 12)}… (released ${zip.sha256.slice(0, 12)}…); it was not put in place.`,
        "Run the same command again: it uploads the file anew. If it happens again, check the server's disk."
      )
    }
    // The stamp is best effort, as for a copy read back: without it the ZIP is only read back once more next time.
    await arrived.finish(remotePath, proofStamp(zip.sha256) ?? undefined)
  } catch (error) {
    await session.unlink(temp).catch(() => undefined)
    throw error
  }
}
