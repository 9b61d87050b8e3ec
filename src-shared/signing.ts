/**
 * The rules of signed manifests that every side shares: the signature file's format and name, the key id
 * format, and the expiry rule. The publisher writes by them, the verifier and the renderer judge by them,
 * and the PHP updater (resources/wordpress/wprm-updater.php) checks the same fields in the same way.
 */

/** The signature file's own format name. */
export const SIGNATURE_FORMAT = 'wprm-signature/1'

/** The only signature algorithm: Ed25519 over the exact bytes of the signed file. */
export const SIGNATURE_ALGORITHM = 'ed25519'

/** How many days a signed manifest stays valid unless the plugin says otherwise. */
export const DEFAULT_EXPIRY_DAYS = 30

/** The expiry a plugin may ask for: at least a day, at most a year (a manifest that never expires can be replayed forever). */
export const MIN_EXPIRY_DAYS = 1
export const MAX_EXPIRY_DAYS = 365

/** A live manifest that expires within this many days is a warning (the app, `wprm verify`). */
export const EXPIRY_WARNING_DAYS = 7

/** How many hex digits of a hash name a signature file or a key: enough to tell them apart, short enough to read. */
export const SHORT_HASH_LENGTH = 16

/** One signature: which key, and the Ed25519 signature in base64. */
export interface SignatureEntry {
  /** `keyIdOf(public key)`: the first 16 hex digits of the SHA-256 of the raw 32-byte public key. */
  readonly keyid: string
  readonly sig: string
}

/** The detached signature file written beside a signed file (room for several signatures, for a key rotation). */
export interface SignatureFile {
  readonly format: typeof SIGNATURE_FORMAT
  /** The file it signs (`info.json`, `ledger.json`), its SHA-256 and size. */
  readonly signed: { readonly file: string; readonly sha256: string; readonly size: number }
  readonly signatures: readonly SignatureEntry[]
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
 * The signature file's name for a signed file with this SHA-256: `info.json.<16 hex>.sig`. The name comes from
 * the bytes, so a site that fetched one manifest fetches that manifest's signature, never another publish's
 * (see README: Security model).
 */
export function signatureFileName(file: string, sha256: string): string {
  return `${file}.${sha256.slice(0, SHORT_HASH_LENGTH)}.sig`
}

/** True for a signature file's name of `file` (what a publish may sweep once no manifest names it). */
export function isSignatureFileName(file: string, name: string): boolean {
  return name.startsWith(`${file}.`) && new RegExp(`^\\.[0-9a-f]{${SHORT_HASH_LENGTH}}\\.sig$`).test(name.slice(file.length))
}

/** A signature file read back, or null when it is not one of ours. */
export function parseSignatureFile(text: string): SignatureFile | null {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  const file = value as Partial<SignatureFile> | null
  if (typeof file !== 'object' || file === null || file.format !== SIGNATURE_FORMAT) return null
  const signed = file.signed
  if (
    typeof signed !== 'object' ||
    signed === null ||
    typeof signed.file !== 'string' ||
    typeof signed.sha256 !== 'string' ||
    !/^[0-9a-f]{64}$/.test(signed.sha256) ||
    typeof signed.size !== 'number'
  )
    return null
  if (!Array.isArray(file.signatures) || file.signatures.length === 0) return null
  for (const entry of file.signatures as unknown[]) {
    const e = entry as Partial<SignatureEntry> | null
    if (typeof e !== 'object' || e === null || !isKeyId(e.keyid) || typeof e.sig !== 'string') return null
  }
  return value as SignatureFile
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
