/**
 * The manifest as our PHP updater reads it (`parse_manifest` in resources/wordpress/wprm-updater.php),
 * written once more in TypeScript so that wprm can refuse to publish what sites would refuse, and
 * verify can say why a published one is refused.
 *
 * Same fields, same order, same verdicts: the corpus in test/fixtures/manifests/ runs through both
 * (test/shared/manifest-schema.test.ts). Where JSON decoded by PHP and by JavaScript differ, this side
 * is the stricter one, with one exception it cannot see: a number written `5.0` or `1e3` is a float to
 * PHP (refused as a size) and 5 or 1000 to JavaScript. wprm writes manifests with JSON.stringify, which
 * never writes a whole number that way.
 *
 * A signed manifest is judged by its signed message, the file without its trailing signatures member, as the
 * updater parses it (src-shared/signing.ts: splitEnvelope; its own corpus is test/fixtures/envelopes/).
 */

/** The only manifest format the updater understands. */
export const MANIFEST_FORMAT = 'wprm-manifest/1'

/** The updater cuts a manifest off at this many bytes, and then refuses it as malformed JSON (MAX_MANIFEST_BYTES). */
export const MAX_MANIFEST_BYTES = 2_097_152

/** Why the updater would refuse a manifest: the field it names (null for the whole), and its words. */
export interface ManifestProblem {
  readonly field: string | null
  readonly message: string
}

/** PHP's `array`: what json_decode(…, true) makes of a JSON object or list. */
type PhpArray = Readonly<Record<string, unknown>>

function isPhpArray(value: unknown): value is PhpArray {
  return typeof value === 'object' && value !== null
}

/** PHP's `isset($data[$key])`: there, and not null. */
function isSet(data: PhpArray, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(data, key) && data[key] !== null && data[key] !== undefined
}

/** A refusal as the updater words it, with the field it names. */
class Refusal extends Error {
  constructor(
    readonly field: string,
    message: string
  ) {
    super(message)
  }
}

/** `is_version`: a digit, then up to 63 digits, letters, `.`, `+` or `-` (JavaScript's `$` is PHP's `$` with D). */
const VERSION = /^[0-9][0-9A-Za-z.+-]{0,63}$/

function isVersion(value: unknown): value is string {
  return typeof value === 'string' && VERSION.test(value)
}

/**
 * `is_http_url`: at most 2,048 bytes, scheme http or https, a host. The updater asks wp_parse_url; here a
 * URL must also parse as a WHATWG URL and carry no white space or control character, which only makes
 * this side stricter.
 */
export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string' || new TextEncoder().encode(value).length > 2048) return false
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(value)) return false
  const authority = /^(https?):\/\/([^/?#]*)/i.exec(value)?.[2]
  if (authority === undefined) return false
  const host = authority.slice(authority.lastIndexOf('@') + 1).replace(/:\d*$/, '')
  if (host === '') return false
  try {
    return new URL(value).hostname !== ''
  } catch {
    return false
  }
}

function version(data: PhpArray, key: string, where = ''): string {
  const value = data[key]
  if (!isVersion(value)) throw new Refusal(`${where}${key}`, `"${where}${key}" is not a version`)
  return value
}

function optionalVersion(data: PhpArray, key: string): void {
  if (isSet(data, key)) version(data, key)
}

function versionList(data: PhpArray, key: string): void {
  if (!isSet(data, key)) return
  const list = data[key]
  if (!isPhpArray(list) || !Object.values(list).every(isVersion)) throw new Refusal(key, `"${key}" is not a list of versions`)
}

function url(data: PhpArray, key: string, where = ''): void {
  if (!isHttpUrl(data[key])) throw new Refusal(`${where}${key}`, `"${where}${key}" is not an http(s) URL`)
}

function sha256(data: PhpArray, key: string, where = ''): void {
  const value = data[key]
  if (typeof value !== 'string' || !/^[0-9a-fA-F]{64}$/.test(value)) {
    throw new Refusal(`${where}${key}`, `"${where}${key}" is not a SHA-256 in hex`)
  }
}

function size(data: PhpArray, key: string, where = ''): void {
  const value = data[key]
  // PHP's is_int: a JSON number without fraction or exponent, within 64 bits; JavaScript keeps 53 of them exactly.
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new Refusal(`${where}${key}`, `"${where}${key}" is not a positive whole number of bytes`)
  }
}

function flag(data: PhpArray, key: string, where = ''): void {
  if (isSet(data, key) && typeof data[key] !== 'boolean') throw new Refusal(`${where}${key}`, `"${where}${key}" is not true or false`)
}

const STATUSES: readonly unknown[] = ['draft', 'released', 'update_ready', 'deprecated']

/** `is_utc_time`: ISO 8601 in UTC, as JavaScript's toISOString writes it (the milliseconds optional). */
const UTC_TIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,3})?Z$/

function isUtcTime(value: unknown): value is string {
  return typeof value === 'string' && UTC_TIME.test(value)
}

function optionalVersionIn(data: PhpArray, key: string, where: string): void {
  if (isSet(data, key)) version(data, key, where)
}

function status(data: PhpArray, where: string): void {
  if (isSet(data, 'status') && !STATUSES.includes(data.status))
    throw new Refusal(`${where}status`, `"${where}status" is not a version status`)
}

function channel(data: PhpArray, where: string): void {
  if (!isSet(data, 'channel')) return
  // The channel follows from the version: a stable site must never take a pre-release listed as stable.
  const expected = String(data.version).includes('-') ? 'beta' : 'stable'
  if (data.channel !== expected) throw new Refusal(`${where}channel`, `"${where}channel" is not the channel of its version`)
}

function rollout(data: PhpArray, where: string): void {
  if (!isSet(data, 'rollout')) return
  const value = data.rollout
  const at = `${where}rollout`
  if (!isPhpArray(value) || !isPhpArray(value.steps) || Object.keys(value.steps).length === 0) {
    throw new Refusal(at, `"${at}" is not a rollout`)
  }
  for (const [index, step] of Object.entries(value.steps)) {
    const here = `${at}.steps[${index}]`
    if (!isPhpArray(step)) throw new Refusal(here, `"${here}" is not a rollout`)
    const percent = step.percent
    if (typeof percent !== 'number' || !Number.isInteger(percent) || percent < 1 || percent > 100) {
      throw new Refusal(`${here}.percent`, `"${here}.percent" is not a whole percent from 1 to 100`)
    }
    if (!isUtcTime(step.at)) throw new Refusal(`${here}.at`, `"${here}.at" is not a UTC time`)
  }
  if (isSet(value, 'halted_at') && !isUtcTime(value.halted_at)) throw new Refusal(`${at}.halted_at`, `"${at}.halted_at" is not a UTC time`)
  flag(value, 'forced', `${at}.`)
}

function versionEntries(data: PhpArray): void {
  if (!isSet(data, 'versions')) return
  const entries = data.versions
  if (!isPhpArray(entries)) throw new Refusal('versions', '"versions" is not a list')
  for (const [index, entry] of Object.entries(entries)) {
    const where = `versions[${index}].`
    if (!isPhpArray(entry)) throw new Refusal(`versions[${index}]`, `"versions[${index}]" is not an object`)
    version(entry, 'version', where)
    url(entry, 'download_url', where)
    sha256(entry, 'sha256', where)
    size(entry, 'size', where)
    flag(entry, 'force_update', where)
    flag(entry, 'revoked', where)
    optionalVersionIn(entry, 'requires', where)
    optionalVersionIn(entry, 'requires_php', where)
    status(entry, where)
    channel(entry, where)
    flag(entry, 'required', where)
    rollout(entry, where)
  }
}

/**
 * What the updater would say about a decoded manifest for the plugin in folder `slug`: null when it
 * accepts it, else the first field it refuses, in the updater's order and words. Display fields
 * (name, tested, homepage, author, last_updated, upgrade_notice, sections) never refuse a manifest.
 */
export function manifestProblem(data: unknown, slug: string): ManifestProblem | null {
  if (!isPhpArray(data)) return { field: null, message: 'it is not a JSON object' }
  try {
    if (data.format !== MANIFEST_FORMAT) throw new Refusal('format', `its "format" is not "${MANIFEST_FORMAT}"`)
    if (data.slug !== slug) throw new Refusal('slug', `its "slug" is not "${slug}", the folder of this plugin`)
    version(data, 'version')
    url(data, 'download_url')
    sha256(data, 'sha256')
    size(data, 'size')
    optionalVersion(data, 'requires')
    optionalVersion(data, 'requires_php')
    flag(data, 'force_update')
    flag(data, 'autoupdate')
    flag(data, 'update_ready')
    versionList(data, 'revoked')
    versionEntries(data)
    return null
  } catch (error) {
    if (error instanceof Refusal) return { field: error.field, message: error.message }
    throw error
  }
}

/** The updater's size cap, on the bytes of the manifest as served: null when they fit. */
export function manifestSizeProblem(bytes: number): ManifestProblem | null {
  return bytes <= MAX_MANIFEST_BYTES
    ? null
    : {
        field: null,
        message: `it is ${bytes.toLocaleString('en-US')} bytes, over the updater's cap of ${MAX_MANIFEST_BYTES.toLocaleString('en-US')}`
      }
}
