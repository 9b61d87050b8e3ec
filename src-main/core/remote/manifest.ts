import type { PluginRecord, PluginVersionRecord, ServerProfile } from '../../../src-shared/model.js'
import { plainTextOrNull, requirementVersion, utf8FromLatin1 } from '../source/safe-text.js'
import type { ManifestArtwork } from './artwork.js'
import { NO_ARTWORK } from './artwork.js'
import type { ManifestSections } from './manifest-texts.js'
import { manifestTexts } from './manifest-texts.js'
import { zipFileName } from '../build/zip-names.js'
import { compareVersions, isLive, latestLive } from '../../../src-shared/versions.js'

/** The manifest's own format name; a reader that does not know it should not guess. */
export const MANIFEST_FORMAT = 'wprm-manifest/1'

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

/**
 * Builds the manifest for the current state: `versions` lists what is on the server (`onServer`), and the
 * top-level fields describe the latest live version. The download URL is the versioned ZIP, never
 * `-latest.zip`, so that it always matches its checksum.
 */
export function buildManifest(input: {
  readonly plugin: PluginRecord
  readonly versions: readonly PluginVersionRecord[]
  readonly onServer: ReadonlySet<string>
  readonly server: ServerProfile
  readonly zip: ZipDescription
  readonly manifestVersion: number
  readonly now: Date
  /** The published artwork to list (none when absent). */
  readonly artwork?: ManifestArtwork
}): Manifest {
  const { plugin, server, zip } = input
  const latest = latestLive(input.versions)
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
    requires: requirementVersion(latest.min_platform_version),
    tested: texts.tested,
    requires_php: requirementVersion(latest.min_php_version),
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
      requires: requirementVersion(v.min_platform_version),
      requires_php: requirementVersion(v.min_php_version)
    })),
    revoked: input.versions
      .filter((v) => v.revoked_at !== null && !isLive(v.status))
      .map((v) => v.version)
      .sort(compareVersions),
    banners: artwork.banners,
    icons: artwork.icons,
    screenshots: artwork.screenshots
  }
}
