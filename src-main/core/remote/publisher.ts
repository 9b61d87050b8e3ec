import { randomBytes } from 'node:crypto'
import { stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path/posix'
import type { JobPhase, PluginRecord, PluginVersionRecord, ProgressEvent, PublishResult, ServerProfile } from '../../../src-shared/model.js'
import { WprmError } from '../errors.js'
import { processIsAlive } from '../fs/file-lock.js'
import { MANIFEST_FILE, buildManifest, publicUrl } from './manifest.js'
import { latestLinkName, zipFileName } from '../build/zip-names.js'
import type { SecretProvider, SessionOptions } from './sftp-session.js'
import { SftpSession } from './sftp-session.js'
import { compareVersions, isLive, latestLive } from '../../../src-shared/versions.js'
import { inspectPluginZip } from '../build/zip-inspect.js'

/** The remote lock folder, beside the plugin's files; mkdir is atomic on every SFTP server. */
const LOCK_DIR = '.wprm-lock'
const LOCK_NOTE = 'owner.json'

/** Who holds a remote lock. */
interface RemoteLockOwner {
  readonly token: string
  readonly host: string
  readonly pid: number
  readonly user: string
  readonly job: string
  readonly since: string
}

/** Tokens of the locks this process holds right now: a lock of ours not in here was left by a failed job. */
const heldTokens = new Set<string>()

/** What a publish needs. */
export interface PublishRequest {
  readonly plugin: PluginRecord
  /** Every version of the plugin, in the state to publish. */
  readonly versions: readonly PluginVersionRecord[]
  readonly server: ServerProfile
  readonly secrets: SecretProvider
  readonly now: () => Date
  readonly job: string
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

/** True when the lock was left by a process that can no longer release it. */
function isAbandoned(owner: RemoteLockOwner): boolean {
  if (owner.host !== os.hostname()) return false
  if (owner.pid === process.pid) return !heldTokens.has(owner.token)
  return !processIsAlive(owner.pid)
}

async function takeRemoteLock(session: SftpSession, dir: string, request: PublishRequest): Promise<() => Promise<void>> {
  const lockDir = path.join(dir, LOCK_DIR)
  const me: RemoteLockOwner = {
    token: randomBytes(8).toString('hex'),
    host: os.hostname(),
    pid: process.pid,
    user: os.userInfo().username,
    job: request.job,
    since: request.now().toISOString()
  }
  const deadline = Date.now() + (request.lockWaitMs ?? 30_000)
  for (;;) {
    if (await session.mkdir(lockDir)) {
      heldTokens.add(me.token)
      await session.writeFile(path.join(lockDir, LOCK_NOTE), Buffer.from(JSON.stringify(me)))
      return async () => {
        heldTokens.delete(me.token)
        await session.unlink(path.join(lockDir, LOCK_NOTE)).catch(() => undefined)
        await session.rmdir(lockDir).catch(() => undefined)
      }
    }
    const noteText = await session.readText(path.join(lockDir, LOCK_NOTE)).catch(() => null)
    const owner = noteText === null ? null : (JSON.parse(noteText) as RemoteLockOwner)
    const ageMs = owner === null ? 0 : Date.now() - Date.parse(owner.since)
    const stale = owner !== null && (isAbandoned(owner) || (request.breakStaleLock === true && ageMs > (request.staleLockMs ?? 15 * 60_000)))
    if (stale) {
      await session.unlink(path.join(lockDir, LOCK_NOTE)).catch(() => undefined)
      await session.rmdir(lockDir).catch(() => undefined)
      continue
    }
    if (Date.now() >= deadline) {
      const who = owner === null ? 'another publish (no owner note yet)' : `${owner.user}@${owner.host} (pid ${owner.pid}, ${owner.job}) since ${owner.since}`
      throw new WprmError(
        'remote-locked',
        `Another publish of ${request.plugin.slug} holds the lock on ${request.server.host}: ${who}.`,
        `Wait for it to finish and try again. If it died, run again with --break-lock (it breaks locks older than ${Math.round((request.staleLockMs ?? 15 * 60_000) / 60_000)} minutes), or remove ${lockDir} on the server.`
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/**
 * Publishes a plugin's current state to its server, atomically: ZIPs under temporary names renamed into
 * place, the `-latest.zip` link swapped, and the manifest renamed over the old one last. Until that
 * rename, sites see the previous manifest, complete; running the same publish again finishes the job.
 */
export async function publishPlugin(request: PublishRequest): Promise<PublishResult> {
  const { plugin, server, job } = request
  const latest = latestLive(request.versions)
  if (latest === null) {
    throw new WprmError('last-live-version', `${plugin.slug} has no live version to publish.`, 'Release a version first.')
  }
  const phases: { phase: JobPhase; ms: number }[] = []
  const report = (phase: JobPhase, done: number, total: number, label: string): void => request.onProgress?.({ job, phase, done, total, label })
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

  const retire = new Set(request.retire ?? [])
  for (const version of request.versions) {
    if (retire.has(version.version) && isLive(version.status)) throw new Error(`publishPlugin: refusing to remove live version ${version.version}`)
  }
  const dir = path.join(server.remote_root, plugin.slug)
  const uploaded: string[] = []
  const skipped: string[] = []
  const live = request.versions.filter((v) => isLive(v.status)).sort((a, b) => compareVersions(a.version, b.version))
  let linkSwapped = false

  report('upload', 0, 0, `Connecting to ${server.host}`)
  const session = await timed('upload', () => SftpSession.open(server, request.secrets, request.session))
  try {
    await timed('upload', () => session.mkdirp(dir))
    const unlock = await timed('upload', () => takeRemoteLock(session, dir, request))
    try {
      const previous = await timed('manifest', () => readRemoteManifestVersion(session, dir))
      const totalBytes = live.reduce((sum, v) => sum + (v.file_size ?? 0), 0)
      let sentBefore = 0
      for (const version of live) {
        const result = await timed('upload', () =>
          placeZip(session, dir, plugin, version, (sent) => report('upload', sentBefore + sent, totalBytes, `Uploading ${zipFileName(plugin.slug, version.version)}`))
        )
        sentBefore += version.file_size ?? 0
        ;(result === 'uploaded' ? uploaded : skipped).push(version.version)
      }
      report('upload', totalBytes, totalBytes, `${uploaded.length} uploaded, ${skipped.length} already there`)

      report('manifest', 0, 2, 'Pointing the -latest link')
      await timed('manifest', async () => {
        const linkPath = path.join(dir, latestLinkName(plugin.slug))
        const tempLink = session.tempName(linkPath)
        await session.symlink(zipFileName(plugin.slug, latest.version), tempLink)
        await session.rename(tempLink, linkPath)
        linkSwapped = true
      })

      report('manifest', 1, 2, 'Writing the manifest')
      const manifestVersion = Math.max(previous, plugin.manifest_version) + 1
      const manifest = await timed('manifest', async () => {
        const onServer = new Set<string>()
        for (const v of request.versions) {
          if (retire.has(v.version)) continue
          if (v.status !== 'draft' && v.checksum !== null && (await session.lstat(path.join(dir, zipFileName(plugin.slug, v.version)))) !== null) onServer.add(v.version)
        }
        const zip = await inspectPluginZip(latest.file_path!, plugin.slug, plugin.main_file)
        const built = buildManifest({ plugin, versions: request.versions, onServer, server, zip, manifestVersion, now: request.now() })
        const manifestPath = path.join(dir, MANIFEST_FILE)
        const temp = session.tempName(manifestPath)
        await session.writeFile(temp, Buffer.from(`${JSON.stringify(built, null, 2)}\n`))
        // The commit point: sites see the new release from this rename on.
        await session.rename(temp, manifestPath)
        return built
      })
      report('manifest', 2, 2, `Manifest #${manifest.manifest_version} is live: ${manifest.version}`)
      // Only now that no manifest lists them may the retired ZIPs go.
      for (const version of retire) {
        await session.unlink(path.join(dir, zipFileName(plugin.slug, version))).catch(() => undefined)
      }
      return {
        slug: plugin.slug,
        server: server.name,
        manifest_version: manifestVersion,
        latest: latest.version,
        manifest_url: publicUrl(server, plugin.slug, MANIFEST_FILE),
        uploaded,
        skipped,
        phases
      }
    } finally {
      await unlock().catch(() => undefined)
    }
  } catch (error) {
    if (error instanceof WprmError && error.kind === 'publish-interrupted') {
      const done = [
        ...uploaded.map((v) => `uploaded ${zipFileName(plugin.slug, v)}`),
        ...(linkSwapped ? [`pointed ${latestLinkName(plugin.slug)} at ${latest.version}`] : [])
      ]
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

/** The manifest version on the server, 0 when there is none (or it is not ours and will be replaced). */
async function readRemoteManifestVersion(session: SftpSession, dir: string): Promise<number> {
  const text = await session.readText(path.join(dir, MANIFEST_FILE))
  if (text === null) return 0
  try {
    const value = (JSON.parse(text) as { manifest_version?: unknown }).manifest_version
    return typeof value === 'number' && Number.isInteger(value) ? value : 0
  } catch {
    return 0
  }
}

/**
 * Makes sure a version's ZIP is on the server with the released bytes: uploaded under a temporary name,
 * checked, and renamed into place; an identical one is kept, a different one is never overwritten.
 */
async function placeZip(
  session: SftpSession,
  dir: string,
  plugin: PluginRecord,
  version: PluginVersionRecord,
  onBytes: (sent: number) => void
): Promise<'uploaded' | 'skipped'> {
  const name = zipFileName(plugin.slug, version.version)
  const remotePath = path.join(dir, name)
  const existing = await session.lstat(remotePath)
  if (existing !== null) {
    const remote = existing.size === version.file_size ? await session.hashRemote(remotePath) : { size: existing.size, sha256: '' }
    if (remote.size === version.file_size && remote.sha256 === version.checksum) return 'skipped'
    throw new WprmError(
      'remote-conflict',
      `The server already has ${name} with other bytes (${remote.size} bytes${remote.sha256 ? `, SHA-256 ${remote.sha256.slice(0, 12)}…` : ''}; the release is ${version.file_size} bytes, ${version.checksum!.slice(0, 12)}…). A released ZIP is never overwritten.`,
      `Find out who changed ${remotePath} on ${session.server.host}; once it is removed, publishing uploads the released bytes again.`
    )
  }
  if (version.file_path === null || !(await stat(version.file_path).then((s) => s.isFile(), () => false))) {
    throw new WprmError(
      'zip-missing',
      `The ZIP of live version ${version.version} is neither on the server nor here${version.file_path ? ` (${version.file_path})` : ''}.`,
      'Put the file back in the dist folder, or deprecate that version (roll back) so that it is no longer offered.'
    )
  }
  const temp = session.tempName(remotePath)
  try {
    await session.upload(version.file_path!, temp, onBytes)
    // Read back before it takes its final name: a ZIP under that name is always the released bytes.
    const arrived = await session.hashRemote(temp)
    if (arrived.size !== version.file_size || arrived.sha256 !== version.checksum) {
      throw new WprmError(
        'remote-conflict',
        `The upload of ${name} arrived as ${arrived.size} of ${version.file_size} bytes with SHA-256 ${arrived.sha256.slice(0, 12)}… (released ${version.checksum!.slice(0, 12)}…); it was not put in place.`,
        'Run the same command again: it uploads the file anew. If it happens again, check the server\'s disk.'
      )
    }
    await session.rename(temp, remotePath)
  } catch (error) {
    await session.unlink(temp).catch(() => undefined)
    throw error
  }
  return 'uploaded'
}
