import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { createHash } from 'node:crypto'
import type { ServerProfile } from '../../../src-shared/model.js'
import { isErrnoCode } from '../errors.js'

/**
 * wordpress.org artwork (banners, icons, screenshots) found in the plugin's source, published beside the
 * ZIP (never inside it: the default list leaves those folders out) under `<slug>/assets/`, and listed in
 * the manifest in plugin-update-checker's fields (`banners.low/high`, `icons.1x/2x/svg`) and ours
 * (`screenshots`). Each URL carries `?rev=` and the file's SHA-256, so a changed image is fetched anew
 * and an unchanged one is not uploaded again.
 */

/** Where wordpress.org artwork is kept in plugin repositories, most specific first. */
export const ARTWORK_FOLDERS = ['.wordpress-org', 'wporg-assets', 'assets'] as const

/** The remote folder, under the plugin's folder on the server. */
export const ARTWORK_REMOTE_FOLDER = 'assets'

/** What one image is for. */
export type ArtworkRole = 'banner-low' | 'banner-high' | 'icon-1x' | 'icon-2x' | 'icon-svg' | 'screenshot'

/** An image of the source, ready to publish. */
export interface ArtworkFile {
  readonly role: ArtworkRole
  /** The screenshot's number (`screenshot-3.png` is 3); null for the others. */
  readonly number: number | null
  /** Its file name, which it keeps on the server. */
  readonly name: string
  readonly localPath: string
  readonly size: number
  readonly sha256: string
}

/** The artwork as the manifest lists it. */
export interface ManifestArtwork {
  readonly banners: { readonly low?: string; readonly high?: string }
  readonly icons: { readonly '1x'?: string; readonly '2x'?: string; readonly svg?: string }
  readonly screenshots: readonly { readonly number: number; readonly url: string }[]
}

/** wordpress.org's names; a PNG wins over a JPEG of the same role. */
const NAMES: readonly { readonly pattern: RegExp; readonly role: ArtworkRole }[] = [
  { pattern: /^banner-772x250\.(png|jpe?g)$/i, role: 'banner-low' },
  { pattern: /^banner-1544x500\.(png|jpe?g)$/i, role: 'banner-high' },
  { pattern: /^icon-128x128\.(png|jpe?g|gif)$/i, role: 'icon-1x' },
  { pattern: /^icon-256x256\.(png|jpe?g|gif)$/i, role: 'icon-2x' },
  { pattern: /^icon\.svg$/i, role: 'icon-svg' },
  { pattern: /^screenshot-([1-9]\d{0,2})\.(png|jpe?g|gif)$/i, role: 'screenshot' }
]

/** A larger image is not artwork wordpress.org would take either (its limit is 10 MB). */
const MAX_IMAGE_BYTES = 10 * 1024 * 1024

/**
 * The source's artwork, one file per role (and per screenshot number), from the first folder that has it;
 * null when the source folder itself is not there (the caller keeps what was published).
 */
export async function findArtwork(sourceDir: string): Promise<ArtworkFile[] | null> {
  const found = new Map<string, ArtworkFile>()
  const foundIn = new Map<string, string>()
  let sourceSeen = false
  for (const folder of ARTWORK_FOLDERS) {
    const dir = path.join(sourceDir, folder)
    let names: string[]
    try {
      names = (await readdir(dir)).sort()
      sourceSeen = true
    } catch (error) {
      if (!isErrnoCode(error, 'ENOENT') && !isErrnoCode(error, 'ENOTDIR')) throw error
      continue
    }
    for (const name of names) {
      const rule = NAMES.find((n) => n.pattern.test(name))
      if (rule === undefined) continue
      const number = rule.role === 'screenshot' ? Number(rule.pattern.exec(name)![1]) : null
      const key = `${rule.role}:${number ?? ''}`
      // An earlier folder wins; in one folder, a PNG wins over a JPEG (names come sorted: .jpg first).
      if (found.has(key) && (foundIn.get(key) !== folder || !/\.png$/i.test(name))) continue
      const data = await readFile(path.join(dir, name)).catch(() => null)
      if (data === null || data.length === 0 || data.length > MAX_IMAGE_BYTES) continue
      foundIn.set(key, folder)
      found.set(key, {
        role: rule.role,
        number,
        name,
        localPath: path.join(dir, name),
        size: data.length,
        sha256: createHash('sha256').update(data).digest('hex')
      })
    }
  }
  if (
    !sourceSeen &&
    !(await readdir(sourceDir).then(
      () => true,
      () => false
    ))
  )
    return null
  return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/** The public URL of a published image, with its revision. */
export function artworkUrl(server: ServerProfile, slug: string, file: ArtworkFile): string {
  const url = new URL(`${encodeURIComponent(slug)}/${ARTWORK_REMOTE_FOLDER}/${encodeURIComponent(file.name)}`, server.public_url)
  url.searchParams.set('rev', file.sha256.slice(0, 12))
  return url.toString()
}

/** The manifest's artwork fields for the files. */
export function manifestArtwork(server: ServerProfile, slug: string, files: readonly ArtworkFile[]): ManifestArtwork {
  const url = (role: ArtworkRole): string | undefined => {
    const file = files.find((f) => f.role === role)
    return file === undefined ? undefined : artworkUrl(server, slug, file)
  }
  const defined = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
  return {
    banners: defined({ low: url('banner-low'), high: url('banner-high') }),
    icons: defined({ '1x': url('icon-1x'), '2x': url('icon-2x'), svg: url('icon-svg') }),
    screenshots: files
      .filter((f) => f.role === 'screenshot')
      .sort((a, b) => a.number! - b.number!)
      .map((f) => ({ number: f.number!, url: artworkUrl(server, slug, f) }))
  }
}

/** No artwork. */
export const NO_ARTWORK: ManifestArtwork = { banners: {}, icons: {}, screenshots: [] }

/** Every artwork URL a manifest lists (to tell which images are on the server already). */
export function artworkUrlsOf(artwork: ManifestArtwork): string[] {
  return [...Object.values(artwork.banners), ...Object.values(artwork.icons), ...artwork.screenshots.map((s) => s.url)].filter(
    (u): u is string => typeof u === 'string'
  )
}

/** The artwork a published manifest lists, read defensively (it may be an older or foreign manifest). */
export function artworkOfManifest(manifest: unknown): ManifestArtwork {
  if (typeof manifest !== 'object' || manifest === null) return NO_ARTWORK
  const m = manifest as Record<string, unknown>
  const urls = (value: unknown, keys: readonly string[]): Record<string, string> =>
    typeof value === 'object' && value !== null
      ? Object.fromEntries(
          keys.flatMap((k) =>
            typeof (value as Record<string, unknown>)[k] === 'string' ? [[k, (value as Record<string, string>)[k]!]] : []
          )
        )
      : {}
  const screenshots = Array.isArray(m.screenshots)
    ? m.screenshots.filter(
        (s): s is { number: number; url: string } =>
          typeof s === 'object' &&
          s !== null &&
          typeof (s as { number?: unknown }).number === 'number' &&
          typeof (s as { url?: unknown }).url === 'string'
      )
    : []
  return { banners: urls(m.banners, ['low', 'high']), icons: urls(m.icons, ['1x', '2x', 'svg']), screenshots }
}
