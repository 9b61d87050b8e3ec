import type { PluginVersionRecord } from '../../../src-shared/model.js'
import { compareVersions } from '../../../src-shared/versions.js'
import { readHeader } from '../source/plugin-source.js'
import { sanitizeHtml } from '../source/html-sanitizer.js'
import { inlineHtml, readmeHtml } from '../source/readme-markdown.js'
import type { Readme } from '../source/readme-txt.js'
import { entryFor, parseReadme } from '../source/readme-txt.js'
import { plainText, plainTextOrNull, requirementVersion, safeHttpUrl, utf8FromLatin1 } from '../source/safe-text.js'

/**
 * The texts of the manifest that sites show in wp-admin ("View details", the Updates screen), built from
 * the latest ZIP's main file and readme.txt and the version records, every one of them made safe here:
 * plain text stripped and escaped, HTML from wordpress.org's Markdown sanitized to what the
 * plugin-information screen allows, URLs http(s), requirements versions.
 */

/** The texts of the ZIP that sites get (read from the ZIP, byte for byte). */
export interface DescribedZip {
  readonly mainFile: string | null
  readonly readme: string | null
}

/** The "View details" sections, as HTML. */
export type ManifestSections = { readonly description: string; readonly changelog: string } & Readonly<Record<string, string>>

/** What the manifest says about the plugin in words. */
export interface ManifestTexts {
  readonly author: string | null
  readonly homepage: string | null
  readonly tested: string | null
  /** HTML by section: description and changelog always; installation, faq, screenshots, upgrade_notice when the readme has them. */
  readonly sections: ManifestSections
  /** One line of plain text for the Updates screen. */
  readonly upgrade_notice: string
}

/** Screenshot images beside the ZIP, by number (1-based, as `screenshot-N`): filled by the artwork step. */
export type ScreenshotUrls = ReadonlyMap<number, string>

/** A readme, parsed, from the ZIP's bytes (null when the ZIP has none). */
export function readmeOf(zip: DescribedZip): Readme | null {
  return zip.readme === null ? null : parseReadme(utf8FromLatin1(zip.readme))
}

/** The first line of a changelog as plain text, without a list mark ("* Fixed x" is "Fixed x"). */
function firstLine(changelog: string): string {
  const line = changelog.split(/\r?\n/).find((l) => l.trim() !== '') ?? ''
  return plainText(line.replace(/^\s*(?:[*+-]|\d+[.)])\s+/, '').replace(/[*_`]/g, ''))
}

/** `<h4>` headings with their HTML, one per entry. */
function entriesHtml(entries: readonly { heading: string; html: string }[]): string {
  return entries.map((e) => `<h4>${sanitizeHtml(inlineHtml(e.heading))}</h4>\n${e.html}`).join('\n')
}

/**
 * The changelog: every released version of the records, newest first, withdrawn ones marked, each
 * entry's Markdown as HTML; then the readme's entries for older versions the records do not have (the
 * plugin's history from before it was managed here).
 */
function changelogHtml(versions: readonly PluginVersionRecord[], readme: Readme | null): string {
  const released = versions.filter((v) => v.status !== 'draft').sort((a, b) => compareVersions(b.version, a.version))
  const known = new Set(released.map((v) => v.version))
  const oldest = released.at(-1)?.version
  const history = (readme?.changelog ?? []).filter((entry) => {
    const version = /(\d+(?:\.\d+)+)/.exec(entry.heading)?.[1]
    return version !== undefined && !known.has(version) && oldest !== undefined && compareDotted(version, oldest) < 0
  })
  return entriesHtml([
    ...released.map((v) => ({ heading: `${v.version}${v.revoked_at !== null ? ' (withdrawn)' : ''}`, html: readmeHtml(v.changelog) })),
    ...history.map((e) => ({ heading: e.heading, html: readmeHtml(e.text) }))
  ])
}

/** Compares dotted versions of any length ("1.6" against "1.6.3"). */
function compareDotted(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}

/** The screenshots section: each caption under its image when the image was published, else the captions. */
function screenshotsHtml(readme: Readme, images: ScreenshotUrls): string {
  const items = readme.screenshots.map((caption, index) => {
    const url = images.get(index + 1)
    const text = sanitizeHtml(inlineHtml(caption))
    return url === undefined
      ? `<li>${text}</li>`
      : `<li><a href="${url}"><img src="${url}" alt="${plainText(caption)}" /></a><p>${text}</p></li>`
  })
  return sanitizeHtml(`<ol>\n${items.join('\n')}\n</ol>`)
}

/** Builds the manifest's texts for the latest live version from its ZIP and the records. */
export function manifestTexts(input: {
  readonly versions: readonly PluginVersionRecord[]
  readonly latest: PluginVersionRecord
  readonly zip: DescribedZip
  readonly screenshots?: ScreenshotUrls
}): ManifestTexts {
  const { latest } = input
  const main = input.zip.mainFile ?? ''
  const readme = readmeOf(input.zip)
  const headerDescription = plainTextOrNull(readHeader(main, 'Description'))
  // In wordpress.org's order: WordPress shows the tabs in the order the sections come.
  const parts: [string, string][] = [
    [
      'description',
      readme?.sections.description !== undefined ? readmeHtml(readme.sections.description) : `<p>${headerDescription ?? ''}</p>`
    ]
  ]
  if (readme?.sections.installation !== undefined) parts.push(['installation', readmeHtml(readme.sections.installation)])
  if (readme !== null && readme.faq.length > 0) {
    parts.push(['faq', entriesHtml(readme.faq.map((e) => ({ heading: e.heading, html: readmeHtml(e.text) })))])
  }
  if (readme !== null && readme.screenshots.length > 0) parts.push(['screenshots', screenshotsHtml(readme, input.screenshots ?? new Map())])
  parts.push(['changelog', changelogHtml(input.versions, readme)])
  if (readme !== null && readme.upgrade_notices.length > 0) {
    parts.push(['upgrade_notice', entriesHtml(readme.upgrade_notices.map((e) => ({ heading: e.heading, html: readmeHtml(e.text) })))])
  }
  const sections = Object.fromEntries(parts) as ManifestSections
  // An emergency release says so first (its changelog starts "SECURITY:"); otherwise the readme's notice for it.
  const notice = latest.force_update ? null : readme === null ? null : entryFor(readme.upgrade_notices, latest.version)
  return {
    author: plainTextOrNull(readHeader(main, 'Author')),
    homepage: safeHttpUrl(readHeader(main, 'Plugin URI')),
    tested: readme?.headers.tested ?? requirementVersion(readHeader(main, 'Tested up to')),
    sections,
    upgrade_notice: notice !== null ? plainText(notice.replace(/[*_`]/g, '')) : firstLine(latest.changelog)
  }
}
