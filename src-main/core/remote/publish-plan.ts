import posixPath from 'node:path/posix'
import type { PluginRecord, PluginVersionRecord, ServerProfile } from '../../../src-shared/model.js'
import { pluginFolder, targetPlace } from '../../../src-shared/server-targets.js'
import { compareVersions, isLive, latestLive } from '../../../src-shared/versions.js'
import type { Ledger, LedgerState, Workstation } from '../../../src-shared/ledger.js'
import { nextLedger } from '../../../src-shared/ledger.js'
import { latestLinkName, zipFileName } from '../build/zip-names.js'
import { WprmError } from '../errors.js'
import type { ArtworkFile, ManifestArtwork } from './artwork.js'
import { ARTWORK_REMOTE_FOLDER, NO_ARTWORK, artworkUrl, artworkUrlsOf, manifestArtwork } from './artwork.js'
import type { Manifest, ManifestSignedFields, ZipDescription } from './manifest.js'
import { MANIFEST_FILE, publicUrl, publishableManifest } from './manifest.js'

/** What a publish is about: the newest live version, the live ones in order, and the versions that may be listed. */
export interface PublishTargets {
  readonly latest: PluginVersionRecord
  /** Every live version, oldest first: each must be on the server. */
  readonly live: readonly PluginVersionRecord[]
  /** The versions whose ZIPs the manifest may list (released once, built, not retired): what to look for on the server. */
  readonly listable: readonly PluginVersionRecord[]
  readonly retire: ReadonlySet<string>
}

/** The versions whose server copies a publish looks up: every live and every listable one, each once. */
export function versionsToLookUp(targets: PublishTargets): readonly PluginVersionRecord[] {
  return [...new Map([...targets.live, ...targets.listable].map((v) => [v.version, v])).values()]
}

/**
 * Says what a publish is about, or why it cannot be done, from the workstation's records alone: checked
 * before connecting, so a refused publish never touches the server.
 */
export function publishTargets(
  plugin: PluginRecord,
  versions: readonly PluginVersionRecord[],
  retire: readonly string[] = []
): PublishTargets {
  const latest = latestLive(versions)
  if (latest === null) {
    throw new WprmError('last-live-version', `${plugin.slug} has no live version to publish.`, 'Release a version first.')
  }
  const retiring = new Set(retire)
  for (const version of versions) {
    if (retiring.has(version.version) && isLive(version.status))
      throw new Error(`publishPlugin: refusing to remove live version ${version.version}`)
  }
  return {
    latest,
    live: versions.filter((v) => isLive(v.status)).sort((a, b) => compareVersions(a.version, b.version)),
    listable: versions.filter((v) => v.status !== 'draft' && v.checksum !== null && !retiring.has(v.version)),
    retire: retiring
  }
}

/**
 * The manifest check before connecting: the manifest as it will be, from the records alone (every
 * listable ZIP taken as on the server, no texts from the ZIP, which only fill display fields). A
 * record that would make sites refuse the manifest, or push it over its budget, stops the publish
 * here, before the server is touched; `planPublish` checks the real one again under the lock.
 */
export function preflightManifest(
  plugin: PluginRecord,
  versions: readonly PluginVersionRecord[],
  server: ServerProfile,
  targets: PublishTargets,
  now: Date
): void {
  publishableManifest({
    plugin,
    versions,
    onServer: new Set(targets.listable.map((v) => v.version)),
    server,
    zip: { mainFile: null, readme: null },
    manifestVersion: plugin.manifest_version + 1,
    now
  })
}

/** A ZIP as the server holds it. */
export interface RemoteZip {
  readonly size: number
  /** Read back only when the size is the recorded one (a different size is already a different file). */
  readonly sha256: string | null
}

/** What the server holds for a plugin, read under its lock just before planning. */
export interface RemoteState {
  /** The manifest_version of the manifest on the server; 0 when there is none (or it is not ours). */
  readonly manifestVersion: number
  /** The listable versions whose ZIP is on the server, by version. */
  readonly zips: ReadonlyMap<string, RemoteZip>
  /** The artwork the live manifest lists (its images are on the server). */
  readonly artwork?: ManifestArtwork
}

/** What the workstation holds, read just before planning. */
export interface LocalState {
  /** Live versions whose ZIP is a file in the dist folder (looked up only for those missing on the server). */
  readonly zipsHere: ReadonlySet<string>
  /** The texts of the latest version's ZIP, which the manifest describes. */
  readonly latestZip: ZipDescription
  /** The source's wordpress.org artwork; null when the source folder is not here (what was published stays). */
  readonly artwork?: readonly ArtworkFile[] | null
}

/** What a planned publish does with one image: upload it beside the ZIPs, or keep the one there. */
export interface PlannedArtwork {
  readonly name: string
  /** Path under the plugin's folder on the server (`assets/banner-772x250.png`). */
  readonly remoteName: string
  readonly localPath: string
  readonly size: number
  readonly action: 'upload' | 'skip'
}

/** A version as the manifest on the server lists it. */
export interface ListedZip {
  readonly sha256: string
  readonly size: number
}

/** 1980-01-01 00:00:00 UTC, the date of every entry inside our ZIPs. */
const ZIP_EPOCH_SECONDS = 315_532_800

/**
 * The modification time (whole seconds) a server copy is given once its bytes are proven to be the
 * release's (read back over SFTP and hashed): a moment in 1980 (the date of the ZIP's own entries) taken
 * from its SHA-256. No write can ever give a file that time, so a copy rewritten since, even within the
 * same second, is told apart; and two releases have different dates (and HTTP ETags). Null without a
 * checksum.
 */
export function proofStamp(sha256: string | null): number | null {
  return sha256 === null || !/^[0-9a-f]{6}/.test(sha256) ? null : ZIP_EPOCH_SECONDS + parseInt(sha256.slice(0, 6), 16)
}

/**
 * True when a server copy was proven by an earlier publish and has not changed since, so it need not be
 * read back again: it has the release's size and its proof stamp as modification time, and the manifest
 * on the server lists that version with the release's SHA-256 and size.
 *
 * Any write to the file sets its time to the present, so a copy changed since is read back (and
 * refused). Only a change made on purpose with the time put back escapes this; verify's download check
 * (SHA-256 over HTTP) still catches that, and our updater refuses such a ZIP on every site.
 */
export function provenBefore(
  version: PluginVersionRecord,
  stats: { readonly size: number; readonly mtime: number },
  listed: ListedZip | undefined
): boolean {
  const stamp = proofStamp(version.checksum)
  return (
    stamp !== null &&
    stats.size === version.file_size &&
    stats.mtime === stamp &&
    listed?.sha256 === version.checksum &&
    listed.size === version.file_size
  )
}

/** What a planned publish does with one live version's ZIP. */
export interface PlannedZip {
  readonly version: string
  readonly name: string
  /** `upload`: not on the server yet; `skip`: the server has the released bytes already. */
  readonly action: 'upload' | 'skip'
  /** The file to upload, for `upload`. */
  readonly localPath: string | null
  readonly size: number
  readonly sha256: string
}

/**
 * A publish as a plain value: what it uploads and skips, where the `-latest.zip` link will point, the
 * manifest it puts live, and the ZIPs it retires once no manifest lists them. The screen or a test can
 * read it; `applyPublishPlan` carries it out.
 */
export interface PublishPlan {
  readonly slug: string
  readonly server: ServerProfile
  /** The plugin's folder on the server. */
  readonly dir: string
  readonly latest: string
  /** Every live version's ZIP, oldest first. */
  readonly zips: readonly PlannedZip[]
  /** `name` becomes a link to `target`, beside it. */
  readonly link: { readonly name: string; readonly target: string }
  readonly manifest: Manifest
  /** What was done to the manifest to make it publishable (a trimmed changelog), for the user. */
  readonly notes: readonly string[]
  /** The ledger written just before the manifest: the new state, and the server's state before it. */
  readonly ledger: Ledger
  readonly manifestUrl: string
  /** The source's artwork: uploaded before the manifest that lists it. */
  readonly artwork: readonly PlannedArtwork[]
  /** Deprecated versions whose ZIPs are deleted after the new manifest is live. */
  readonly retire: readonly { readonly version: string; readonly name: string }[]
}

/** What `planPublish` needs: the records to publish, and what the server and the workstation hold. */
export interface PlanInput {
  readonly plugin: PluginRecord
  /** Every version of the plugin, in the state to publish. */
  readonly versions: readonly PluginVersionRecord[]
  readonly server: ServerProfile
  readonly retire?: readonly string[]
  readonly remote: RemoteState
  readonly local: LocalState
  readonly now: Date
  /** The server's state this publish follows (its ledger's, for the manifest sites see); null: none yet. */
  readonly base?: LedgerState | null
  /** Who publishes, for the ledger. */
  readonly by: Workstation
  /** A signed publish: the manifest's expiry and trusted keys. */
  readonly signed?: ManifestSignedFields
}

/**
 * Plans a publish without touching anything. A ZIP already on the server with the released bytes is
 * skipped; one with other bytes is refused (a released ZIP is never overwritten), as is a live version
 * whose ZIP is neither there nor here. Both refusals come before anything is changed.
 */
export function planPublish(input: PlanInput): PublishPlan {
  const { plugin, server, remote } = input
  const targets = publishTargets(plugin, input.versions, input.retire)
  const dir = pluginFolder(server, plugin.slug)
  const zips = targets.live.map((version) => planZip(version, input, dir))
  const uploading = new Set(zips.filter((z) => z.action === 'upload').map((z) => z.version))
  // After the uploads, the server holds what it had plus what goes up; retired ZIPs are no longer listed.
  const onServer = new Set(targets.listable.map((v) => v.version).filter((v) => remote.zips.has(v) || uploading.has(v)))
  const manifestVersion = Math.max(remote.manifestVersion, plugin.manifest_version) + 1
  const { artwork, planned } = planArtwork(input)
  // Kept under its budget and checked with the updater's rules: a manifest sites would refuse is never planned.
  const { manifest, notes } = publishableManifest({
    artwork,
    plugin,
    versions: input.versions,
    onServer,
    server,
    zip: input.local.latestZip,
    manifestVersion,
    now: input.now,
    signed: input.signed
  })
  const ledger = nextLedger({
    slug: plugin.slug,
    plugin: { name: plugin.name, main_file: plugin.main_file, version_constant: plugin.version_constant },
    versions: input.versions,
    onServer,
    base: input.base ?? null,
    manifestVersion,
    by: input.by,
    at: input.now.toISOString(),
    zipName: (version) => zipFileName(plugin.slug, version)
  })
  return {
    slug: plugin.slug,
    server,
    dir,
    latest: targets.latest.version,
    zips,
    link: { name: latestLinkName(plugin.slug), target: zipFileName(plugin.slug, targets.latest.version) },
    manifest,
    notes,
    ledger,
    manifestUrl: publicUrl(server, plugin.slug, MANIFEST_FILE),
    artwork: planned,
    retire: [...targets.retire].map((version) => ({ version, name: zipFileName(plugin.slug, version) }))
  }
}

/**
 * The artwork to list and what to upload: an image whose URL (with its revision) the live manifest lists
 * already is on the server; without a source folder here, the published artwork stays as it is.
 */
function planArtwork(input: PlanInput): { artwork: ManifestArtwork; planned: PlannedArtwork[] } {
  const files = input.local.artwork
  if (files === undefined || files === null) return { artwork: input.remote.artwork ?? NO_ARTWORK, planned: [] }
  const published = new Set(artworkUrlsOf(input.remote.artwork ?? NO_ARTWORK))
  return {
    artwork: manifestArtwork(input.server, input.plugin.slug, files),
    planned: files.map((file) => ({
      name: file.name,
      remoteName: `${ARTWORK_REMOTE_FOLDER}/${file.name}`,
      localPath: file.localPath,
      size: file.size,
      action: published.has(artworkUrl(input.server, input.plugin.slug, file)) ? 'skip' : 'upload'
    }))
  }
}

function planZip(version: PluginVersionRecord, input: PlanInput, dir: string): PlannedZip {
  const name = zipFileName(input.plugin.slug, version.version)
  const planned = { version: version.version, name, size: version.file_size!, sha256: version.checksum! }
  const remote = input.remote.zips.get(version.version)
  if (remote !== undefined) {
    if (remote.size === version.file_size && remote.sha256 === version.checksum) return { ...planned, action: 'skip', localPath: null }
    throw new WprmError(
      'remote-conflict',
      `The server already has ${name} with other bytes (${remote.size} bytes${remote.sha256 ? `, SHA-256 ${remote.sha256.slice(0, 12)}…` : ''}; the release is ${version.file_size} bytes, ${version.checksum!.slice(0, 12)}…). A released ZIP is never overwritten.`,
      `Find out who changed ${posixPath.join(dir, name)} on ${targetPlace(input.server)}; once it is removed, publishing uploads the released bytes again.`
    )
  }
  if (version.file_path === null || !input.local.zipsHere.has(version.version)) {
    throw new WprmError(
      'zip-missing',
      `The ZIP of live version ${version.version} is neither on the server nor here${version.file_path ? ` (${version.file_path})` : ''}.`,
      'Put the file back in the dist folder, or deprecate that version (roll back) so that it is no longer offered.'
    )
  }
  return { ...planned, action: 'upload', localPath: version.file_path }
}
