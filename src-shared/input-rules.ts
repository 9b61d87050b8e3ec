import { WprmError } from './errors.js'

/**
 * The rules for what comes in at the door: typed by a user (CLI options, the window's forms) or read
 * from a plugin's source (headers, file names). Each either returns the value in its one stored form
 * or refuses with the fix. Pure, so the renderer's forms check with the very same rules.
 *
 * The yardstick is what our own PHP updater accepts (resources/wordpress/wprm-updater.php): nothing
 * that passes here may make a manifest that sites refuse.
 */

/** A text as it is shown in a one-line message: quoted, with line breaks and control characters escaped. */
export function quoted(text: string): string {
  return JSON.stringify(text)
}

// C0, DEL and C1: what no file name, version or URL should carry.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

/** The first control character in a text, as `U+000A`, or null. */
function controlCharacter(text: string): string | null {
  const found = CONTROL.exec(text)
  return found === null ? null : `U+${found[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`
}

// ---- Requirements: --min-wp, --min-php, --min-api, and the headers they default to ----------------

/** The requirement fields of a version, with the words each is named by. */
export const REQUIREMENTS = {
  wp: { label: 'WordPress version', option: '--min-wp', header: 'Requires at least', example: '6.1' },
  php: { label: 'PHP version', option: '--min-php', header: 'Requires PHP', example: '7.4' },
  api: { label: 'API version', option: '--min-api', header: null, example: '1.0' }
} as const

/** Which requirement: WordPress, PHP or the plugin's own API. */
export type RequirementField = keyof typeof REQUIREMENTS

/** Where a requirement value came from, so that a refusal can say what to fix. */
export type RequirementSource =
  { readonly kind: 'input' } | { readonly kind: 'header'; readonly file: string } | { readonly kind: 'previous'; readonly version: string }

/**
 * One to three whole numbers with dots: 6.1, 7.4, 5.5.1. Sites compare it with their own WordPress or
 * PHP version (version_compare); the updater's own rule (a digit, then digits, letters, `.+-`, at most
 * 64 characters) accepts every one of them, and refuses words like "latest".
 */
const REQUIREMENT = /^\d{1,5}(?:\.\d{1,5}){0,2}$/

/**
 * A requirement value in its stored form (trimmed), or a refusal that names where it came from: an
 * option (`invalid-version`), a header of the source (`source-invalid`), the previous version.
 */
export function normalizeRequirement(field: RequirementField, input: string, from: RequirementSource): string {
  const rule = REQUIREMENTS[field]
  const value = input.trim()
  if (REQUIREMENT.test(value)) return value
  const why = value === '' ? 'it is empty' : `give one to three numbers with dots, such as ${rule.example}`
  switch (from.kind) {
    case 'input':
      throw new WprmError(
        'invalid-version',
        `${rule.option} ${quoted(input)} is not a ${rule.label}: ${why}.`,
        `Give the lowest ${rule.label} the release runs on, e.g. ${rule.option} ${rule.example}${value === '' ? ', or leave the option out to keep the previous one' : ''}.`
      )
    case 'header':
      throw new WprmError(
        'source-invalid',
        `The header "${rule.header}: ${value}" in ${from.file} is not a ${rule.label}: ${why}.`,
        `Write a version such as ${rule.example} in that header, or give ${rule.option} ${rule.example} (sites refuse a manifest with it as it is).`
      )
    case 'previous':
      throw new WprmError(
        'invalid-version',
        `The ${rule.label} ${quoted(input)} that ${from.version} requires, which the new version would inherit, is not a ${rule.label}: ${why}.`,
        `Give the new version its own, e.g. ${rule.option} ${rule.example}.`
      )
  }
}

// ---- The changelog -----------------------------------------------------------------------------------

/**
 * The longest changelog a version may have, in characters (about 3,000 words). The manifest carries
 * every version's changelog and must stay under the updater's size cap; longer notes belong on a page.
 */
export const MAX_CHANGELOG_LENGTH = 20_000

/** The changelog in its stored form (trimmed), or a refusal saying what to do. */
export function normalizeChangelog(input: string): string {
  const text = input.trim()
  if (text === '') throw new WprmError('usage', 'The changelog is empty.', 'Say what changed in this version (--changelog "Fixed …").')
  if (text.length > MAX_CHANGELOG_LENGTH) {
    throw new WprmError(
      'usage',
      `The changelog has ${text.length.toLocaleString('en-US')} characters; at most ${MAX_CHANGELOG_LENGTH.toLocaleString('en-US')} fit.`,
      'Keep the highlights here and link to the full notes on your site.'
    )
  }
  return text
}

// ---- The public URL of an update server -------------------------------------------------------------

/** Download URLs are the public URL plus `<slug>/<slug>-v<version>.zip`; the updater refuses URLs over 2,048 characters. */
const MAX_PUBLIC_URL_LENGTH = 1024

/**
 * The public URL in its stored form (ending with `/`), or a `usage` refusal. Every site receives the
 * download URLs made from it, so it may not carry credentials, and a query or fragment would end up in
 * the middle of them.
 */
export function normalizePublicUrl(input: string): string {
  const text = input.trim()
  const refuse = (why: string, hint: string): never => {
    throw new WprmError('usage', `The public URL ${quoted(input)} ${why}.`, hint)
  }
  const example = 'e.g. https://updates.example.com/plugins/'
  const control = controlCharacter(text)
  if (control !== null || /\s/.test(text))
    refuse(`has ${control === null ? 'a space' : `a control character (${control})`} in it`, `Give it without, ${example}.`)
  if (text.length > MAX_PUBLIC_URL_LENGTH)
    refuse(`is longer than ${MAX_PUBLIC_URL_LENGTH} characters`, `Use a shorter address, ${example}.`)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return refuse('is not a URL', `Give the public address of the remote root, ${example}.`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    refuse(`is ${url.protocol.slice(0, -1)}, not http(s)`, `Use https://…, ${example} (sites download from it).`)
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(text)?.[1] ?? ''
  if (authority.includes('@') || url.username !== '' || url.password !== '') {
    refuse(
      'has a user name or password in it',
      `Leave them out: every site would receive them in its download links. Serve the folder publicly, ${example}.`
    )
  }
  if (text.includes('?')) refuse('has a query (?…)', `Give the folder's address alone, ${example}: the ZIP names are appended to it.`)
  if (text.includes('#')) refuse('has a fragment (#…)', `Give the folder's address alone, ${example}: the ZIP names are appended to it.`)
  const href = url.toString()
  return href.endsWith('/') ? href : `${href}/`
}

// ---- The plugin's main file and version constant ----------------------------------------------------

/**
 * Refuses a main file path that WordPress would not load as the plugin: it must be a `.php` file at
 * the top of the plugin folder (WordPress looks for plugin headers one folder deep only), named
 * relative to it.
 */
export function assertMainFilePath(input: string): string {
  const refuse = (why: string, hint: string): never => {
    throw new WprmError('source-invalid', `The main file ${quoted(input)} ${why}.`, hint)
  }
  const hint =
    'Give the name of the PHP file at the top of the plugin folder that has the "Plugin Name:" header, e.g. --main-file my-plugin.php.'
  if (input.trim() === '') refuse('is empty', hint)
  if (controlCharacter(input) !== null) refuse('has a control character in it', hint)
  if (input.includes('\\')) refuse('has a backslash in it', `Use the file's name alone. ${hint}`)
  if (input.startsWith('/') || /^[A-Za-z]:/.test(input)) refuse('is an absolute path', `Name it relative to the plugin folder. ${hint}`)
  if (input.split('/').includes('..')) refuse('leads outside the plugin folder (..)', hint)
  if (input.includes('/')) refuse('is not at the top of the plugin folder, where WordPress looks for it', hint)
  if (!input.toLowerCase().endsWith('.php')) refuse('is not a .php file', hint)
  return input
}

const CONSTANT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Refuses a version constant name that PHP would not accept as a constant. */
export function assertConstantName(input: string): string {
  if (!CONSTANT_NAME.test(input)) {
    throw new WprmError(
      'usage',
      `${quoted(input)} is not a PHP constant name.`,
      "Give the name of the define() that carries the plugin's version, e.g. --version-constant MY_PLUGIN_VERSION."
    )
  }
  return input
}

// ---- File names in the source -----------------------------------------------------------------------

/**
 * Why a file name in the source cannot go into a ZIP as it is, or null. A backslash is a folder
 * separator to Windows unzip tools and to PHP's ZipArchive on Windows hosts; a control character (a
 * line break, a tab) breaks WordPress's file listings and every shell script around it.
 */
export function fileNameProblem(relPath: string): string | null {
  if (relPath.includes('\\')) return 'has a backslash (\\) in its name, which ZIP tools on Windows take for a folder separator'
  const control = controlCharacter(relPath)
  if (control !== null) return `has a control character (${control}) in its name`
  return null
}

/**
 * The key two paths share when they differ only in case: they would overwrite each other when the
 * plugin is unpacked on a case-insensitive disk (macOS, Windows).
 */
export function caseFoldKey(relPath: string): string {
  return relPath.normalize('NFC').toLowerCase()
}
