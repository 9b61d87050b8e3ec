import { WprmError } from './errors.js'
import type { LocalTarget, LocalTargetInput, S3Target, S3TargetInput, TargetKind } from './model.js'
import { TARGET_KINDS } from './model.js'

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

// ---- Target kinds: where a server profile publishes ---------------------------------------------------

/** `--kind` as typed, or a `usage` refusal listing the kinds. */
export function parseTargetKind(input: string): TargetKind {
  const kind = input.trim().toLowerCase()
  if ((TARGET_KINDS as readonly string[]).includes(kind)) return kind as TargetKind
  throw new WprmError(
    'usage',
    `--kind ${quoted(input)} is not a kind of server.`,
    'Give --kind sftp (a host over SFTP, the default), --kind s3 (an S3-compatible bucket) or --kind local (a folder on this machine).'
  )
}

/** The names a shell accepts for an environment variable. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** The key pair's variables unless named: those every S3 tool reads. */
export const DEFAULT_S3_KEY_ENV = { access: 'AWS_ACCESS_KEY_ID', secret: 'AWS_SECRET_ACCESS_KEY' } as const

/** The longest a CDN may keep info.json and the ledger, in seconds (a day): a longer one would hide a rollback. */
export const MAX_MUTABLE_MAX_AGE = 86_400

/** The default of `--max-age`: a CDN passes a release on within a minute. */
export const DEFAULT_MUTABLE_MAX_AGE = 60

/** An environment variable's name as given with `option`, or a `usage` refusal. */
function envName(input: string, option: string): string {
  const name = input.trim()
  if (ENV_NAME.test(name)) return name
  throw new WprmError(
    'usage',
    `${option} ${quoted(input)} is not the name of an environment variable.`,
    `Name the variable that holds the secret, e.g. ${option} ${option.includes('secret') ? DEFAULT_S3_KEY_ENV.secret : DEFAULT_S3_KEY_ENV.access}; the secret itself is never given on the command line.`
  )
}

/**
 * The S3 API's endpoint in its stored form (an origin: `https://host[:port]`), or a `usage` refusal. The SDK adds
 * the bucket (to the path or the host name), so a path here would be taken for part of every key.
 */
export function normalizeS3Endpoint(input: string): string {
  const text = input.trim()
  const example = 'e.g. https://<account>.r2.cloudflarestorage.com or http://127.0.0.1:7480'
  const refuse = (why: string, hint: string): never => {
    throw new WprmError('usage', `The S3 endpoint ${quoted(input)} ${why}.`, hint)
  }
  if (controlCharacter(text) !== null || /\s/.test(text)) refuse('has a space or a control character in it', `Give it without, ${example}.`)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return refuse('is not a URL', `Give the store's S3 API address, ${example}.`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    refuse(`is ${url.protocol.slice(0, -1)}, not http(s)`, `Use https://…, ${example}.`)
  if (url.username !== '' || url.password !== '' || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(text))
    refuse('has a user name or password in it', 'Leave them out: the keys come from the environment (--access-key-env, --secret-key-env).')
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || /[?#]/.test(text))
    refuse('has a path, query or fragment', `Give the origin alone, ${example}; the bucket is --bucket, a folder in it --key-prefix.`)
  return url.origin
}

/** A region as S3 stores name them: `us-east-1`, Cloudflare R2's `auto`, Ceph's `default`. */
const REGION = /^[a-z0-9](?:[a-z0-9-]{0,62})$/

/** An IPv4 address, which S3 refuses as a bucket name. */
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/

/**
 * A bucket name by S3's rules (3–63 lowercase letters, digits, dots and hyphens, starting and ending with a letter
 * or digit, not an IP address), which every compatible store follows; or a `usage` refusal.
 */
export function normalizeBucketName(input: string): string {
  const name = input.trim()
  const ok =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !name.includes('.-') &&
    !name.includes('-.') &&
    !IPV4.test(name)
  if (ok) return name
  throw new WprmError(
    'usage',
    `--bucket ${quoted(input)} is not a bucket name.`,
    'Give the bucket as the store names it: 3 to 63 lowercase letters, digits, dots and hyphens, e.g. --bucket plugin-updates.'
  )
}

/** Characters a key prefix may have: those a URL carries unescaped, so the public URLs are the keys as they are. */
const KEY_PREFIX = /^[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~-]+)*\/?$/

/** A key prefix in its stored form ('' or ending with `/`), or a `usage` refusal. */
export function normalizeKeyPrefix(input: string): string {
  const text = input.trim()
  if (text === '' || text === '/') return ''
  const refuse = (why: string): never => {
    throw new WprmError(
      'usage',
      `--key-prefix ${quoted(input)} ${why}.`,
      'Give the folder in the bucket the plugins go under, e.g. --key-prefix plugins/ (letters, digits and . _ ~ - between slashes), or leave it out for the top.'
    )
  }
  if (text.startsWith('/')) refuse('starts with a slash (S3 keys do not; a CDN would see a double slash)')
  if (text.length > 512) refuse('is longer than 512 characters')
  if (!KEY_PREFIX.test(text)) refuse('has an empty folder name or a character that URLs escape')
  if (text.split('/').some((part) => part === '.' || part === '..')) refuse('has a "." or ".." folder')
  return text.endsWith('/') ? text : `${text}/`
}

/** `--max-age` in seconds as typed, or a `usage` refusal. */
export function normalizeMutableMaxAge(input: string): number {
  const text = input.trim()
  const value = /^\d{1,6}$/.test(text) ? Number(text) : NaN
  if (Number.isInteger(value) && value <= MAX_MUTABLE_MAX_AGE) return value
  throw new WprmError(
    'usage',
    `--max-age ${quoted(input)} is not a number of seconds from 0 to ${MAX_MUTABLE_MAX_AGE.toLocaleString('en-US')}.`,
    `Give how long a CDN may keep info.json and the ledger, e.g. --max-age ${DEFAULT_MUTABLE_MAX_AGE} (sites then see a release or a rollback within a minute).`
  )
}

/** An `s3` target in its stored form, or a `usage` refusal naming the option to fix. */
export function normalizeS3Target(input: S3TargetInput): S3Target {
  const region = (input.region ?? 'us-east-1').trim()
  if (!REGION.test(region)) {
    throw new WprmError(
      'usage',
      `--region ${quoted(input.region ?? '')} is not a region name.`,
      "Give the bucket's region as the store names it, e.g. --region us-east-1 (Cloudflare R2: auto)."
    )
  }
  const endpoint = input.endpoint === undefined ? null : normalizeS3Endpoint(input.endpoint)
  return {
    kind: 's3',
    endpoint,
    region,
    bucket: normalizeBucketName(input.bucket),
    key_prefix: normalizeKeyPrefix(input.keyPrefix ?? ''),
    public_url: normalizePublicUrl(input.publicUrl),
    // Amazon S3 wants the bucket in the host name; a store of one's own (Ceph, MinIO) in the path.
    path_style: input.pathStyle ?? endpoint !== null,
    access_key_env: envName(input.accessKeyEnv ?? DEFAULT_S3_KEY_ENV.access, '--access-key-env'),
    secret_key_env: envName(input.secretKeyEnv ?? DEFAULT_S3_KEY_ENV.secret, '--secret-key-env'),
    mutable_max_age: input.mutableMaxAge === undefined ? DEFAULT_MUTABLE_MAX_AGE : normalizeMutableMaxAge(input.mutableMaxAge)
  }
}

/** A `local` target in its stored form, or a `usage` refusal: an absolute folder and its public URL. */
export function normalizeLocalTarget(input: LocalTargetInput): LocalTarget {
  const root = input.root.trim()
  const refuse = (why: string): never => {
    throw new WprmError(
      'usage',
      `--root ${quoted(input.root)} ${why}.`,
      'Give the absolute path of the folder your web server serves, e.g. --root /var/www/updates.'
    )
  }
  if (root === '') refuse('is empty')
  if (controlCharacter(root) !== null) refuse('has a control character in it')
  if (!root.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(root)) refuse('is not an absolute path')
  if (root.split(/[\\/]/).includes('..')) refuse('has a ".." in it')
  const trimmed = root.length > 1 ? root.replace(/[\\/]+$/, '') : root
  return { kind: 'local', root: trimmed === '' ? '/' : trimmed, public_url: normalizePublicUrl(input.publicUrl) }
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
