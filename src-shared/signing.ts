/**
 * The rules of signed manifests that every side shares: the signed envelope (where a signature sits in the
 * file it signs), the key id format, and the expiry rule. The publisher writes by them, the verifier and the
 * renderer judge by them, and the PHP updater (resources/wordpress/wprm-updater.php) checks the same fields in
 * the same way.
 */

/** The only signature algorithm: Ed25519 over the exact bytes of the signed message (see envelopeText). */
export const SIGNATURE_ALGORITHM = 'ed25519'

/** How many days a signed manifest stays valid unless the plugin says otherwise. */
export const DEFAULT_EXPIRY_DAYS = 30

/** The expiry a plugin may ask for: at least a day, at most a year (a manifest that never expires can be replayed forever). */
export const MIN_EXPIRY_DAYS = 1
export const MAX_EXPIRY_DAYS = 365

/** A live manifest that expires within this many days is a warning (the app, `wprm verify`). */
export const EXPIRY_WARNING_DAYS = 7

/** How many hex digits of a hash name a key (and named the signature files of earlier versions). */
export const SHORT_HASH_LENGTH = 16

/** One signature: which key, and the Ed25519 signature in base64. */
export interface SignatureEntry {
  /** `keyIdOf(public key)`: the first 16 hex digits of the SHA-256 of the raw 32-byte public key. */
  readonly keyid: string
  readonly sig: string
}

/** The key id format: 16 lowercase hex digits. */
export function isKeyId(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{16}$/.test(value)
}

/** A raw Ed25519 public key in base64 (32 bytes: 44 characters ending in one `=`). */
export function isPublicKeyText(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/.test(value)
}

/**
 * True for a detached signature file of earlier versions (`info.json.<16 hex>.sig`): no longer written, since
 * the signature travels inside the file it signs; a publish sweeps such leftovers.
 */
export function isSignatureFileName(file: string, name: string): boolean {
  return name.startsWith(`${file}.`) && new RegExp(`^\\.[0-9a-f]{${SHORT_HASH_LENGTH}}\\.sig$`).test(name.slice(file.length))
}

/** How many signatures one file may carry: two during a key rotation, a few more to spare. */
export const MAX_SIGNATURES = 8

/** The member a signed file ends with, up to its list: `,"signatures":[`. */
const MEMBER_START = ',"signatures":['

/** One entry exactly as written: a key id of 16 hex digits and a 64-byte signature in base64. */
const ENTRY = '\\{"keyid":"[0-9a-f]{16}","sig":"[A-Za-z0-9+/]{86}=="\\}'

/** The tail of a signed file from its member on: the member, the object's `}`, an optional newline, nothing else. */
const TAIL = new RegExp(`^,"signatures":\\[(${ENTRY}(?:,${ENTRY}){0,${MAX_SIGNATURES - 1}})\\]\\}(\\n?)$`)

/**
 * The signed envelope (README: Security model), one rule for `info.json` and `ledger.json`: the file is the signed
 * JSON object with one member appended before its closing brace, `,"signatures":[{"keyid":…,"sig":…},…]`, written
 * compactly and always last. The signed message is exactly the file without that member. One file, one request:
 * a site never sees a manifest without its signature, and plugin-update-checker reads the file as JSON (an unknown
 * field). The PHP updater (split_signed) finds the member the same way and parses the message, never the whole
 * file, so nothing written after the signature counts.
 */
export function envelopeText(message: string, signatures: readonly SignatureEntry[]): string {
  const close = /\}\n?$/.exec(message)
  if (close === null || !/^\{\s*"/.test(message)) throw new Error('only a JSON object with members can carry signatures')
  const member = `${MEMBER_START}${signatures.map((s) => JSON.stringify({ keyid: s.keyid, sig: s.sig })).join(',')}]`
  const text = message.slice(0, close.index) + member + message.slice(close.index)
  if (splitEnvelope(text)?.message !== message) throw new Error('a signature entry is not in the signed format')
  return text
}

/** A signed file taken apart: the signed message and its signatures; null when the text carries no signatures member. */
export function splitEnvelope(text: string): { readonly message: string; readonly signatures: readonly SignatureEntry[] } | null {
  const at = text.lastIndexOf(MEMBER_START)
  if (at < 0) return null
  const tail = TAIL.exec(text.slice(at))
  if (tail === null) return null
  const signatures = [...tail[1]!.matchAll(/\{"keyid":"([0-9a-f]{16})","sig":"([A-Za-z0-9+/]{86}==)"\}/g)].map((m) => ({
    keyid: m[1]!,
    sig: m[2]!
  }))
  return { message: `${text.slice(0, at)}}${tail[2]!}`, signatures }
}

/** The signed message of a file: the text without its signatures member, or the whole text when it has none. */
export function signedMessage(text: string): string {
  return splitEnvelope(text)?.message ?? text
}

/** The expiry of a manifest published at `now` with `days` of validity (ISO 8601, whole seconds). */
export function expiryOf(now: Date, days: number): string {
  return new Date(Math.floor(now.getTime() / 1000) * 1000 + days * 86_400_000).toISOString().replace('.000Z', 'Z')
}

/** Whether `days` is an expiry a plugin may ask for. */
export function isExpiryDays(days: unknown): days is number {
  return typeof days === 'number' && Number.isInteger(days) && days >= MIN_EXPIRY_DAYS && days <= MAX_EXPIRY_DAYS
}

/** What an expiry means at `now`: expired, expiring within the warning window, or fine; null when it is not a date. */
export function expiryState(
  expires: string | null | undefined,
  now: Date
): { readonly state: 'expired' | 'soon' | 'ok'; readonly days: number } | null {
  if (typeof expires !== 'string') return null
  const at = Date.parse(expires)
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(expires) || Number.isNaN(at)) return null
  const days = (at - now.getTime()) / 86_400_000
  return { state: days <= 0 ? 'expired' : days < EXPIRY_WARNING_DAYS ? 'soon' : 'ok', days }
}
