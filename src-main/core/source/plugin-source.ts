import { open, readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { SourceInfo } from '../../../src-shared/model.js'
import { WprmError, isErrnoCode } from '../errors.js'
import { utf8FromLatin1 } from './safe-text.js'

/** WordPress reads plugin headers from the first 8 KiB of the file only (get_file_data). */
const HEADER_BYTES = 8192

/**
 * PHP sources are handled as latin1 strings: every byte maps to one char and back, so a rewrite
 * changes exactly the bytes of the version and nothing else, whatever the file's encoding.
 */
export const SOURCE_ENCODING = 'latin1' as const

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Where a header's value sits in the text, so it can be read or replaced in place. */
interface HeaderSpan {
  readonly value: string
  readonly start: number
  readonly end: number
}

/** Finds a header the way WordPress's get_file_data does (same regex and clean-up), within 8 KiB. */
function findHeader(text: string, name: string): HeaderSpan | null {
  const head = text.slice(0, HEADER_BYTES)
  const pattern = new RegExp(`^(?:[ \\t]*<\\?php)?[ \\t\\/*#@]*${escapeRegExp(name)}:(.*)$`, 'mi')
  const match = pattern.exec(head)
  if (!match) return null
  const raw = match[1]!
  // WordPress strips a closing comment or PHP tag and surrounding white space from the value.
  const cleaned = raw.replace(/\s*(?:\*\/|\?>).*/, '')
  const leading = cleaned.length - cleaned.trimStart().length
  const value = cleaned.trim()
  const start = match.index + match[0].length - raw.length + leading
  return { value, start, end: start + value.length }
}

/**
 * Reads one plugin header (`Version`, `Plugin Name`, …) from a source read byte for byte; null when absent
 * or empty. The value comes back as the UTF-8 it almost always is (`Café`, not `CafÃ©`), as WordPress shows it.
 */
export function readHeader(text: string, name: string): string | null {
  const span = findHeader(text, name)
  return span && span.value !== '' ? utf8FromLatin1(span.value) : null
}

/** `define('NAME', '1.0.0')`: groups are prefix, name quote, value quote, value. */
function definePattern(name: string): RegExp {
  return new RegExp(`(\\bdefine\\s*\\(\\s*(['"])${escapeRegExp(name)}\\2\\s*,\\s*)(['"])([^'"\\r\\n]*)\\3`, 'g')
}

/** `const NAME = '1.0.0'`: groups are prefix, value quote, value. */
function constPattern(name: string): RegExp {
  return new RegExp(`(\\bconst\\s+${escapeRegExp(name)}\\s*=\\s*)(['"])([^'"\\r\\n]*)\\2`, 'g')
}

/** The value of a version constant in the text, or null when it is not defined there. */
export function readConstant(text: string, name: string): string | null {
  const viaDefine = definePattern(name).exec(text)
  if (viaDefine) return viaDefine[4]!
  const viaConst = constPattern(name).exec(text)
  return viaConst ? viaConst[3]! : null
}

/** Sets every assignment of a constant to the version; says whether there was one. */
function replaceConstant(text: string, name: string, version: string): { text: string; found: boolean } {
  let found = false
  const out = text
    .replace(definePattern(name), (_all, prefix: string, _nameQuote: string, quote: string) => {
      found = true
      return `${prefix}${quote}${version}${quote}`
    })
    .replace(constPattern(name), (_all, prefix: string, quote: string) => {
      found = true
      return `${prefix}${quote}${version}${quote}`
    })
  return { text: out, found }
}

/**
 * Finds the constant that carries the plugin's version: one whose value is the header's version.
 *
 * Constants with other values are never candidates. When several carry the version, the one named
 * `…_VERSION` that is not a requirement (`…_MINIMUM_WP_VERSION`) wins; a tie is left undetected rather
 * than guessed.
 */
export function detectVersionConstant(text: string, headerVersion: string): string | null {
  const candidates = new Set<string>()
  const v = escapeRegExp(headerVersion)
  const forms = [
    new RegExp(`\\bdefine\\s*\\(\\s*(['"])([A-Za-z_][A-Za-z0-9_]*)\\1\\s*,\\s*(['"])${v}\\3\\s*\\)`, 'g'),
    new RegExp(`\\bconst\\s+([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(['"])${v}\\2`, 'g')
  ]
  for (const match of text.matchAll(forms[0]!)) candidates.add(match[2]!)
  for (const match of text.matchAll(forms[1]!)) candidates.add(match[1]!)
  const names = [...candidates]
  if (names.length === 1) return names[0]!
  // `…_MINIMUM_WP_VERSION` may happen to equal the version today; it still is a requirement, not the version.
  const requirement = /MIN|MAX|REQUIRE|TESTED|_WP_|_PHP_|_DB_|_API_/i
  const versionNamed = names.filter((name) => /_VERSION$/i.test(name) && !requirement.test(name))
  return versionNamed.length === 1 ? versionNamed[0]! : null
}

/** What a version rewrite changed. */
export interface VersionRewrite {
  readonly text: string
  readonly headerChanged: boolean
  readonly constantFound: boolean
}

/**
 * Writes a version into a main file's `Version:` header and its version constant, touching nothing else.
 */
export function rewriteMainFile(text: string, version: string, constant: string | null): VersionRewrite {
  const span = findHeader(text, 'Version')
  if (!span || span.value === '') {
    throw new WprmError(
      'source-invalid',
      'The main file has no "Version:" header.',
      'Add a line " * Version: 1.0.0" to the plugin header comment.'
    )
  }
  const withHeader = text.slice(0, span.start) + version + text.slice(span.end)
  const { text: out, found: constantFound } =
    constant === null ? { text: withHeader, found: false } : replaceConstant(withHeader, constant, version)
  return { text: out, headerChanged: span.value !== version, constantFound }
}

/** Writes a version into readme.txt's `Stable tag:`; returns the text unchanged when there is none. */
export function rewriteStableTag(text: string, version: string): string {
  return text.replace(/^([ \t]*Stable tag:[ \t]*)([^\s]+)/im, (_all, prefix: string) => `${prefix}${version}`)
}

/** Reads the first bytes of a file, as WordPress does for headers. */
async function readHead(file: string): Promise<string> {
  const handle = await open(file, 'r')
  try {
    const buffer = Buffer.alloc(HEADER_BYTES)
    const { bytesRead } = await handle.read(buffer, 0, HEADER_BYTES, 0)
    return buffer.subarray(0, bytesRead).toString(SOURCE_ENCODING)
  } finally {
    await handle.close()
  }
}

/**
 * Finds the plugin's main file: a PHP file at the top of the folder with a `Plugin Name:` header.
 *
 * When several have one, `<slug>.php` wins, as WordPress.org's own tools assume.
 */
export async function findMainFile(sourceDir: string, preferredSlug?: string): Promise<string> {
  let entries
  try {
    entries = await readdir(sourceDir, { withFileTypes: true })
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT')) {
      throw new WprmError(
        'source-invalid',
        `The source folder ${sourceDir} does not exist.`,
        'Check the path, or choose the plugin folder again.'
      )
    }
    if (isErrnoCode(error, 'ENOTDIR')) {
      throw new WprmError(
        'source-invalid',
        `${sourceDir} is a file, not a folder.`,
        "Give the plugin's folder, the one that holds its main PHP file."
      )
    }
    throw error
  }
  const withHeader: string[] = []
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.toLowerCase().endsWith('.php')) continue
    const head = await readHead(path.join(sourceDir, entry.name))
    if (readHeader(head, 'Plugin Name') !== null) withHeader.push(entry.name)
  }
  withHeader.sort()
  if (withHeader.length === 1) return withHeader[0]!
  if (withHeader.length === 0) {
    throw new WprmError(
      'source-invalid',
      `No plugin main file in ${sourceDir}: no PHP file at its top has a "Plugin Name:" header.`,
      'Choose the folder that holds the plugin\'s main PHP file, or add the header ("/* Plugin Name: … Version: 1.0.0 */").'
    )
  }
  const preferred = preferredSlug !== undefined ? withHeader.find((name) => name === `${preferredSlug}.php`) : undefined
  if (preferred !== undefined) return preferred
  throw new WprmError(
    'source-invalid',
    `Several files in ${sourceDir} have a "Plugin Name:" header: ${withHeader.join(', ')}.`,
    'Say which one is the main file with --main-file.'
  )
}

/** Reads the source folder's version, constant and requirements as they stand now. */
export async function readSourceInfo(sourceDir: string, mainFile: string, constant: string | null): Promise<SourceInfo> {
  const mainPath = path.join(sourceDir, mainFile)
  let text: string
  try {
    text = (await readFile(mainPath)).toString(SOURCE_ENCODING)
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT')) {
      throw new WprmError(
        'source-invalid',
        `The main file ${mainPath} is missing.`,
        'Restore it, or point the plugin at its new main file.'
      )
    }
    throw error
  }
  return {
    name: readHeader(text, 'Plugin Name'),
    header_version: readHeader(text, 'Version'),
    constant_version: constant === null ? null : readConstant(text, constant),
    requires_wp: readHeader(text, 'Requires at least'),
    requires_php: readHeader(text, 'Requires PHP')
  }
}
