import { requirementVersion } from './safe-text.js'

/**
 * readme.txt read the way wordpress.org's plugin directory reads it (its readme parser): the `=== Name ===`
 * line, the header fields up to the first blank line that is followed by prose, the short description,
 * then `== Section ==` parts under wordpress.org's names. Sections stay Markdown here; readme-markdown.ts
 * turns them into HTML.
 */

/** The header fields of readme.txt, cleaned as wordpress.org cleans them. */
export interface ReadmeHeaders {
  readonly requires: string | null
  readonly tested: string | null
  readonly requires_php: string | null
  readonly stable_tag: string | null
  readonly contributors: readonly string[]
  readonly tags: readonly string[]
  readonly license: string | null
  readonly license_uri: string | null
  readonly donate_link: string | null
}

/** A heading and what follows it, in a section made of them (the FAQ, the changelog, the upgrade notices). */
export interface ReadmeEntry {
  readonly heading: string
  readonly text: string
}

/** A parsed readme.txt. */
export interface Readme {
  readonly name: string | null
  readonly headers: ReadmeHeaders
  readonly short_description: string
  /**
   * Markdown by section: description (with the short description when there is none, and unknown
   * sections after it, as wordpress.org shows them), installation, faq, screenshots, changelog,
   * upgrade_notice; only those the readme has.
   */
  readonly sections: Readonly<Record<string, string>>
  readonly faq: readonly ReadmeEntry[]
  /** The captions of the Screenshots list, in order: caption N belongs to screenshot-N. */
  readonly screenshots: readonly string[]
  readonly changelog: readonly ReadmeEntry[]
  readonly upgrade_notices: readonly ReadmeEntry[]
}

/** The section names wordpress.org knows, in its order. */
export const README_SECTIONS = ['description', 'installation', 'faq', 'screenshots', 'changelog', 'upgrade_notice', 'other_notes'] as const

const ALIASES: Readonly<Record<string, string>> = {
  frequently_asked_questions: 'faq',
  change_log: 'changelog',
  screenshot: 'screenshots'
}

const HEADER_KEYS: Readonly<Record<string, keyof RawHeaders>> = {
  tested: 'tested',
  'tested up to': 'tested',
  requires: 'requires',
  'requires at least': 'requires',
  'requires php': 'requires_php',
  tags: 'tags',
  contributors: 'contributors',
  'donate link': 'donate_link',
  'stable tag': 'stable_tag',
  license: 'license',
  'license uri': 'license_uri'
}

type RawHeaders = {
  tested?: string
  requires?: string
  requires_php?: string
  tags?: string
  contributors?: string
  donate_link?: string
  stable_tag?: string
  license?: string
  license_uri?: string
}

/** A `== Section ==` or `## Section` line (but not `###`): a new section starts. */
function isSectionLine(trimmed: string): boolean {
  return trimmed.startsWith('==') || (trimmed.startsWith('##') && !trimmed.startsWith('###'))
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '')
}

function cleanHeaders(raw: RawHeaders): ReadmeHeaders {
  let license = raw.license?.trim() ?? null
  let licenseUri = raw.license_uri?.trim() ?? null
  // "License: GPLv2 - https://…" carries its URI.
  const inLicense = license === null ? null : /(https?:\/\/\S+)/i.exec(license)
  if (licenseUri === null && inLicense !== null && license !== null) {
    licenseUri = inLicense[1]!
    license = license.replace(inLicense[1]!, '').replace(/^[\s*-]+|[\s*-]+$/g, '')
  }
  const stable = (raw.stable_tag ?? '')
    .trim()
    .replace(/^["']|["']$/g, '')
    .replace(/^\/?tags\//i, '')
    .replace(/[^a-z0-9_.-]/gi, '')
  return {
    requires: requirementVersion(raw.requires),
    tested: requirementVersion(raw.tested),
    requires_php: requirementVersion(raw.requires_php),
    stable_tag: stable === '' ? null : stable.startsWith('.') ? `0${stable}` : stable,
    contributors: list(raw.contributors).map((c) => c.replace(/^@/, '')),
    tags: list(raw.tags)
      .filter((t) => !['plugin', 'wordpress'].includes(t.toLowerCase()))
      .slice(0, 5),
    license: license === '' ? null : license,
    license_uri: licenseUri,
    donate_link: raw.donate_link?.trim() || null
  }
}

/**
 * Splits a section into entries at its headings: `= 1.2.0 =`, `#### 1.2.0` or, when it has none of
 * those, whole-line `**1.2.0**`. Text before the first heading is an entry with an empty heading.
 */
export function parseEntries(markdown: string): ReadmeEntry[] {
  const lines = markdown.split('\n')
  const style = lines.some((l) => /^[#=]/.test(l.trim())) ? 'heading' : 'bold'
  const entries: ReadmeEntry[] = []
  let heading: string | null = null
  let body: string[] = []
  const flush = (): void => {
    const text = body.join('\n').trim()
    if (heading !== null || text !== '') entries.push({ heading: heading ?? '', text })
  }
  for (const line of lines) {
    const trimmed = line.trim()
    const isHeading = style === 'heading' ? /^[#=]/.test(trimmed) : trimmed.length > 4 && trimmed.startsWith('**') && trimmed.endsWith('**')
    if (!isHeading) {
      body.push(line)
      continue
    }
    flush()
    const mark = trimmed[0]!
    heading = trimmed.replace(new RegExp(`^[${mark === '*' ? '*' : mark} \\t]+|[${mark === '*' ? '*' : mark} \\t]+$`, 'g'), '')
    body = []
  }
  flush()
  return entries
}

/** The version an entry heading names: "1.2.0", "Version 1.2.0", "1.2.0 - 2024-01-02", "[1.2.0]". */
function headingVersion(heading: string): string | null {
  return /\bv?(\d+(?:\.\d+)+)\b/i.exec(heading)?.[1] ?? null
}

/** The entry of a version in a section of entries (the changelog, the upgrade notices); null when absent. */
export function entryFor(entries: readonly ReadmeEntry[], version: string): string | null {
  const entry = entries.find((e) => headingVersion(e.heading) === version)
  return entry === undefined || entry.text === '' ? null : entry.text
}

/** Parses readme.txt (any line ending, a UTF-8 byte order mark allowed). */
export function parseReadme(text: string): Readme {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .map((l) => l.replace(/\s+$/, ''))
  let i = 0
  const nextNonBlank = (): string | null => {
    while (i < lines.length && lines[i]!.trim() === '') i++
    return i < lines.length ? lines[i++]! : null
  }

  const first = nextNonBlank()
  let name = first === null ? null : first.trim().replace(/^[#=\s]+|[#=\s]+$/g, '') || null
  // A GitHub-style underline (Name\n=====).
  if (i < lines.length && /^[=-]+$/.test(lines[i]!.trim())) i++
  if (name !== null && name.toLowerCase() === 'plugin name') name = null

  // Header fields: key: value lines; a blank line followed by an unknown "key:" ends them (it is prose).
  const raw: RawHeaders = {}
  let lastBlank = false
  while (i < lines.length) {
    const line = lines[i]!
    if (line.trim() === '') {
      lastBlank = true
      i++
      continue
    }
    if (!line.includes(':') || line.startsWith('#') || line.startsWith('=')) break
    const [key, ...rest] = line.trim().split(':')
    const field = HEADER_KEYS[key!.replace(/^[\s*-]+|[\s*-]+$/g, '').toLowerCase()]
    if (field !== undefined) raw[field] = rest.join(':').trim()
    else if (lastBlank) break
    lastBlank = false
    i++
  }

  // The short description: up to the first section.
  const short: string[] = []
  while (i < lines.length && !isSectionLine(lines[i]!.trim())) short.push(lines[i++]!)

  // Sections; an unknown one goes under its own title into "other notes" (shown after the description).
  const sections = new Map<string, string[]>()
  let current: string[] | null = null
  for (; i < lines.length; i++) {
    const line = lines[i]!
    const trimmed = line.trim()
    if (isSectionLine(trimmed)) {
      const title = trimmed.replace(/^[#=\s]+|[#=\s]+$/g, '')
      let key = title.toLowerCase().replace(/ /g, '_')
      key = ALIASES[key] ?? key
      const known = (README_SECTIONS as readonly string[]).includes(key)
      current = sections.get(known ? key : 'other_notes') ?? []
      sections.set(known ? key : 'other_notes', current)
      if (!known) current.push(`### ${title}`, '')
      continue
    }
    current?.push(line)
  }
  const section = (key: string): string => (sections.get(key) ?? []).join('\n').trim()
  const shortDescription = short.join('\n').trim()
  const result: Record<string, string> = {}
  const description = [section('description') || shortDescription, section('other_notes')].filter((t) => t !== '').join('\n\n')
  if (description !== '') result.description = description
  for (const key of ['installation', 'faq', 'screenshots', 'changelog', 'upgrade_notice']) {
    if (section(key) !== '') result[key] = section(key)
  }
  const screenshots = section('screenshots')
    .split('\n')
    .map((l) => /^\s*(?:\d+[.)]|[*+-])\s+(.*)$/.exec(l)?.[1]?.trim())
    .filter((c): c is string => c !== undefined)
  return {
    name,
    headers: cleanHeaders(raw),
    short_description: shortDescription,
    sections: result,
    faq: parseEntries(section('faq')).filter((e) => e.heading !== '' || e.text !== ''),
    screenshots,
    changelog: parseEntries(section('changelog')).filter((e) => e.heading !== ''),
    upgrade_notices: parseEntries(section('upgrade_notice')).filter((e) => e.heading !== '')
  }
}
