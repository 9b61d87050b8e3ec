import type { PluginRecord, PluginVersionRecord, ServerProfile, StagedRollout } from '../../../src-shared/model.js'
import { plainTextOrNull, utf8FromLatin1 } from '../source/safe-text.js'
import type { ManifestArtwork } from './artwork.js'
import { NO_ARTWORK } from './artwork.js'
import type { ManifestSections } from './manifest-texts.js'
import { manifestTexts } from './manifest-texts.js'
import { zipFileName } from '../build/zip-names.js'
import type { Channel } from '../../../src-shared/versions.js'
import { channelOf, compareVersions, isLive } from '../../../src-shared/versions.js'
import { stableOffer } from '../../../src-shared/rollout.js'
import { MANIFEST_FORMAT, MAX_MANIFEST_BYTES, manifestProblem } from '../../../src-shared/manifest-schema.js'
import { WprmError } from '../errors.js'

/** The manifest's own format name; a reader that does not know it should not guess (the schema's, shared with verify). */
export { MANIFEST_FORMAT }

/** The manifest's file name, under `<remote root>/<slug>/`. */
export const MANIFEST_FILE = 'info.json'

/** One published version, as listed in the manifest. */
export interface ManifestVersion {
  readonly version: string
  readonly status: PluginVersionRecord['status']
  readonly version_code: number
  readonly sha256: string
  readonly md5: string
  readonly size: number
  readonly download_url: string
  readonly released_at: string | null
  readonly force_update: boolean
  readonly revoked: boolean
  /** The version's own requirements, so a client can pick the newest one the site can run. */
  readonly requires: string | null
  readonly requires_php: string | null
  /** `beta` for a pre-release: offered only to sites that opted in. */
  readonly channel: Channel
  /** A stepping stone: sites below it are offered it before anything newer. */
  readonly required: boolean
  /** A staged rollout, with absolute times so that each site works out its share (null: every site). */
  readonly rollout: StagedRollout | null
}

/**
 * `info.json`: the fields plugin-update-checker reads, then what our updater needs to install safely.
 */
export interface Manifest {
  readonly name: string
  readonly slug: string
  readonly version: string
  readonly download_url: string
  readonly homepage: string | null
  readonly author: string | null
  readonly requires: string | null
  readonly tested: string | null
  readonly requires_php: string | null
  readonly last_updated: string | null
  /** HTML: description and changelog always; installation, faq, screenshots, upgrade_notice when the readme has them. */
  readonly sections: ManifestSections
  readonly upgrade_notice: string
  readonly autoupdate: boolean
  readonly format: typeof MANIFEST_FORMAT
  readonly manifest_version: number
  readonly generated_at: string
  readonly sha256: string
  readonly md5: string
  readonly size: number
  readonly version_code: number
  readonly released_at: string | null
  readonly force_update: boolean
  readonly update_ready: boolean
  readonly min_php_version: string | null
  readonly min_platform_version: string | null
  readonly min_api_version: string | null
  readonly versions: readonly ManifestVersion[]
  readonly revoked: readonly string[]
  /** wordpress.org artwork beside the ZIPs, in plugin-update-checker's fields (and ours for screenshots). */
  readonly banners: ManifestArtwork['banners']
  readonly icons: ManifestArtwork['icons']
  readonly screenshots: ManifestArtwork['screenshots']
  /** Signed manifests only: when sites stop accepting it (ISO 8601), so that a frozen server cannot hold them on it. */
  readonly expires?: string
  /** Signed manifests only: the Ed25519 public keys (raw, base64) sites trust from this manifest on (a rotation names the new one). */
  readonly keys?: readonly string[]
}

/** What a signed manifest adds: its expiry and the keys sites trust from it on. */
export interface ManifestSignedFields {
  readonly expires: string
  readonly keys: readonly string[]
}

/** The public URL of a file under the plugin's folder on the server. */
export function publicUrl(server: ServerProfile, slug: string, file: string): string {
  return new URL(`${encodeURIComponent(slug)}/${encodeURIComponent(file)}`, server.public_url).toString()
}

/** The name sites are shown: the plugin's name as plain text (its slug when nothing readable is left). */
export function manifestName(plugin: PluginRecord): string {
  return plainTextOrNull(utf8FromLatin1(plugin.name)) ?? plugin.slug
}

/** Texts of the latest ZIP that describe the plugin (read from the ZIP, so they match what sites get). */
export interface ZipDescription {
  readonly mainFile: string | null
  readonly readme: string | null
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function changelogHtml(versions: readonly PluginVersionRecord[]): string {
  return versions
    .map(
      (v) =>
        `<h4>${escapeHtml(v.version)}${v.revoked_at !== null ? ' (withdrawn)' : ''}</h4>\n<p>${escapeHtml(v.changelog).replace(/\r?\n/g, '<br>\n')}</p>`
    )
    .join('\n')
}

/** What a manifest is made from: the records, what is on the server, and the latest ZIP's texts. */
export interface ManifestInput {
  readonly plugin: PluginRecord
  readonly versions: readonly PluginVersionRecord[]
  readonly onServer: ReadonlySet<string>
  readonly server: ServerProfile
  readonly zip: ZipDescription
  readonly manifestVersion: number
  readonly now: Date
  /** The published artwork to list (none when absent). */
  readonly artwork?: ManifestArtwork
  /** For a signed manifest: its expiry and trusted keys (after every other field: plugin-update-checker reads the first ones). */
  readonly signed?: ManifestSignedFields
}

/** The versions the changelog lists, newest first: every one that was ever released. */
function changelogVersions(versions: readonly PluginVersionRecord[]): PluginVersionRecord[] {
  return versions.filter((v) => v.status !== 'draft').sort((a, b) => compareVersions(b.version, a.version))
}

/**
 * Builds the manifest for the current state: `versions` lists what is on the server (`onServer`), and the
 * top-level fields describe the stable offer: the latest live stable version that reaches every site
 * (plugin-update-checker reads only those; pre-releases and rollouts live in `versions[]`, for our
 * updater). The download URL is the versioned ZIP, never `-latest.zip`, so that it always matches its
 * checksum.
 */
export function buildManifest(input: ManifestInput): Manifest {
  const { plugin, server, zip } = input
  const latest = stableOffer(input.versions, input.now)
  if (latest === null || latest.checksum === null || latest.checksum_md5 === null || latest.file_size === null) {
    throw new Error(`buildManifest: ${plugin.slug} has no built live version`)
  }
  const published = input.versions
    .filter((v) => v.status !== 'draft' && v.checksum !== null && input.onServer.has(v.version))
    .sort((a, b) => compareVersions(b.version, a.version))
  const artwork = input.artwork ?? NO_ARTWORK
  const texts = manifestTexts({
    versions: input.versions,
    latest,
    zip,
    screenshots: new Map(artwork.screenshots.map((s) => [s.number, s.url]))
  })
  // Every text below reaches wp-admin: plain text is stripped and escaped, URLs are http(s), requirements versions.
  return {
    name: manifestName(plugin),
    slug: plugin.slug,
    version: latest.version,
    download_url: publicUrl(server, plugin.slug, zipFileName(plugin.slug, latest.version)),
    homepage: texts.homepage,
    author: texts.author,
    // The records' requirements are checked at the door; one that is not a version is refused by the schema, never dropped.
    requires: latest.min_platform_version,
    tested: texts.tested,
    requires_php: latest.min_php_version,
    last_updated: latest.released_at,
    sections: texts.sections,
    upgrade_notice: texts.upgrade_notice,
    autoupdate: latest.force_update,
    format: MANIFEST_FORMAT,
    manifest_version: input.manifestVersion,
    generated_at: input.now.toISOString(),
    sha256: latest.checksum,
    md5: latest.checksum_md5,
    size: latest.file_size,
    version_code: latest.version_code,
    released_at: latest.released_at,
    force_update: latest.force_update,
    update_ready: latest.status === 'update_ready',
    min_php_version: latest.min_php_version,
    min_platform_version: latest.min_platform_version,
    min_api_version: latest.min_api_version,
    versions: published.map((v) => ({
      version: v.version,
      status: v.status,
      version_code: v.version_code,
      sha256: v.checksum!,
      md5: v.checksum_md5!,
      size: v.file_size!,
      download_url: publicUrl(server, plugin.slug, zipFileName(plugin.slug, v.version)),
      released_at: v.released_at,
      force_update: v.force_update,
      revoked: v.revoked_at !== null,
      requires: v.min_platform_version,
      requires_php: v.min_php_version,
      channel: channelOf(v.version),
      required: v.required === true,
      rollout: v.rollout ?? null
    })),
    revoked: input.versions
      .filter((v) => v.revoked_at !== null && !isLive(v.status))
      .map((v) => v.version)
      .sort(compareVersions),
    banners: artwork.banners,
    icons: artwork.icons,
    screenshots: artwork.screenshots,
    ...(input.signed === undefined ? {} : { expires: input.signed.expires, keys: input.signed.keys })
  }
}

/** The manifest's text as it is written to the server, and measured against the budget. */
export function serializeManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`
}

/**
 * How large a manifest may be: half the updater's cap (MAX_MANIFEST_BYTES, 2 MiB), which sites refuse
 * beyond. The other half is headroom: for the fields that come with later releases of the manifest,
 * and so that one more version never tips a plugin over the cap between two publishes.
 */
export const MANIFEST_BUDGET_BYTES = MAX_MANIFEST_BYTES / 2

/** A manifest that sites will accept, its size, and what was done to make it fit (said to the user). */
export interface PublishableManifest {
  readonly manifest: Manifest
  readonly bytes: number
  readonly notes: readonly string[]
}

function byteLength(manifest: Manifest): number {
  return Buffer.byteLength(serializeManifest(manifest))
}

/**
 * The manifest to publish: built, kept under the budget, and checked with the updater's own rules.
 *
 * Over the budget, `sections.changelog` keeps the newest versions that fit (the most a binary search
 * finds) and says how many older ones it leaves out; every version keeps its entry in `versions[]`,
 * which is what installs read. Refused when even one changelog does not fit, or when the updater
 * would refuse a field: nothing is published then.
 */
export function publishableManifest(input: ManifestInput, budget: number = MANIFEST_BUDGET_BYTES): PublishableManifest {
  const full = buildManifest(input)
  const fitted = fitChangelog(full, changelogVersions(input.versions), budget, input.plugin.slug)
  const problem = manifestProblem(fitted.manifest, input.plugin.slug)
  if (problem !== null) {
    throw new WprmError(
      'manifest-invalid',
      `The manifest of ${input.plugin.slug} would be refused by the updater on every site: ${problem.message}${valueOf(fitted.manifest, problem.field)}. Nothing was published.`,
      refusalHint(problem.field, input.plugin.slug, full.version)
    )
  }
  return fitted
}

function fitChangelog(full: Manifest, listed: readonly PluginVersionRecord[], budget: number, slug: string): PublishableManifest {
  const fullBytes = byteLength(full)
  if (fullBytes <= budget) return { manifest: full, bytes: fullBytes, notes: [] }
  const withNewest = (count: number): Manifest => {
    const left = listed.length - count
    const note = left === 0 ? '' : `\n<p><em>${left} older ${left === 1 ? 'version is' : 'versions are'} not listed here.</em></p>`
    return { ...full, sections: { ...full.sections, changelog: `${changelogHtml(listed.slice(0, count))}${note}` } }
  }
  // The size grows with the count: find the largest count that fits.
  let [fits, tooMany] = [0, listed.length]
  while (tooMany - fits > 1) {
    const middle = Math.floor((fits + tooMany) / 2)
    if (byteLength(withNewest(middle)) <= budget) fits = middle
    else tooMany = middle
  }
  if (fits === 0) {
    const bytes = byteLength(withNewest(Math.min(1, listed.length)))
    throw new WprmError(
      'manifest-invalid',
      `The manifest of ${slug} would be ${bytes.toLocaleString('en-US')} bytes even with the changelog of its newest version alone, over its budget of ${budget.toLocaleString('en-US')} (sites refuse manifests over ${MAX_MANIFEST_BYTES.toLocaleString('en-US')}). Nothing was published.`,
      `It lists ${full.versions.length} versions whose ZIPs are on the server: remove old deprecated ones with wprm prune ${slug} --keep 10.`
    )
  }
  const manifest = withNewest(fits)
  return {
    manifest,
    bytes: byteLength(manifest),
    notes: [
      `The changelog in the manifest lists the newest ${fits} of ${listed.length} versions: all of them would make it ${fullBytes.toLocaleString('en-US')} bytes, over its budget of ${budget.toLocaleString('en-US')}. Every version is still in versions[].`
    ]
  }
}

/** The refused value, for the message: `(it is " 1.2.4")`. */
function valueOf(manifest: Manifest, field: string | null): string {
  if (field === null) return ''
  const value = field
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .reduce<unknown>((at, key) => (typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined), manifest)
  return value === undefined ? '' : ` (it is ${JSON.stringify(value)})`
}

/** What to do about a refused field: where its value comes from. */
function refusalHint(field: string | null, slug: string, latest: string): string {
  const name = field?.replace(/^versions\[\d+\]\./, '') ?? ''
  if (name === 'requires' || name === 'requires_php') {
    const option = name === 'requires' ? '--min-wp 6.1' : '--min-php 7.4'
    return `It is the requirement recorded for ${latest} (wprm show ${slug} ${latest}), from before wprm checked them: release a new version with ${option}.`
  }
  if (name === 'download_url')
    return `Download URLs are made from the server's public URL: check it with wprm server list, and add the server again with a plain https:// address.`
  if (name === 'version' || name === 'revoked')
    return `A version record is not in its stored form (see wprm list ${slug}), from before wprm checked versions: deprecate it, or roll back past it.`
  return `This is a bug in wprm: please report it with the output of wprm --json show ${slug} ${latest}.`
}
