import type { S3Target } from '../../../../src-shared/model.js'
import { WprmError } from '../../errors.js'

/** The parts of an AWS SDK v3 service error we read: its error code (`name`) and the HTTP status. */
interface ServiceErrorShape {
  readonly name?: unknown
  readonly code?: unknown
  readonly $metadata?: { readonly httpStatusCode?: unknown }
}

/** The store refused who we are: a wrong key id, a wrong secret, a clock far off (the signature carries the time). */
const SIGNATURE_CODES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'RequestTimeTooSkewed', 'InvalidToken', 'ExpiredToken'])

/** A bucket in another region than the profile says (Amazon answers a signature for the wrong region so). */
const REGION_CODES = new Set(['AuthorizationHeaderMalformed', 'PermanentRedirect', 'IllegalLocationConstraintException'])

/** Node's codes for a connection that could not be made or was lost. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'EPROTO',
  'ERR_SSL_WRONG_VERSION_NUMBER'
])

/** Where the store is, for messages: the endpoint, or Amazon S3 in its region. */
export function describeStore(target: S3Target): string {
  return target.endpoint ?? `Amazon S3 (${target.region})`
}

/** The HTTP status an SDK error carries, or undefined for one that never got an answer. */
export function httpStatusOf(error: unknown): number | undefined {
  const status = (error as ServiceErrorShape | null)?.$metadata?.httpStatusCode
  return typeof status === 'number' ? status : undefined
}

/** The S3 error code (`NoSuchBucket`) or Node error code (`ECONNREFUSED`) of an error, or ''. */
export function errorCodeOf(error: unknown): string {
  const e = error as ServiceErrorShape | null
  if (typeof e?.code === 'string') return e.code
  return typeof e?.name === 'string' ? e.name : ''
}

/** Whether an S3 error says the write's condition failed: `If-None-Match: *` met an object, or `If-Match` a changed one. */
export function isConditionFailure(error: unknown): boolean {
  const code = errorCodeOf(error)
  // 409 ConditionalRequestConflict: Amazon S3's answer when another conditional write to the key is in flight.
  return code === 'PreconditionFailed' || code === 'ConditionalRequestConflict' || httpStatusOf(error) === 412
}

/**
 * What an S3 or network failure means to the user, as a WprmError naming what was being done (`what`: "writing
 * hello/info.json"); a WprmError is returned as it is, anything that is neither (a bug) too.
 */
export function explainS3Error(error: unknown, target: S3Target, what: string): unknown {
  if (error instanceof WprmError) return error
  const code = errorCodeOf(error)
  const status = httpStatusOf(error)
  const store = describeStore(target)
  const keys = `${target.access_key_env} and ${target.secret_key_env}`
  if (SIGNATURE_CODES.has(code)) {
    return new WprmError(
      'auth-failed',
      `${store} refused the keys while ${what} (${code}).`,
      code === 'RequestTimeTooSkewed'
        ? "Set this computer's clock right (S3 refuses requests signed more than 15 minutes off)."
        : `Check the access key id and its secret in ${keys}: they must be a key pair of this store's account.`,
      { cause: error }
    )
  }
  if (status === 403 && (code === '' || code === 'Unknown')) {
    // A HEAD has no body: the store cannot say whether the keys or their rights were wrong.
    return new WprmError(
      'auth-failed',
      `${store} refused the request while ${what} (HTTP 403).`,
      `Check the key pair in ${keys}, and that it may read, write, list and delete in the bucket "${target.bucket}".`,
      { cause: error }
    )
  }
  if (code === 'AccessDenied' || code === 'AllAccessDisabled' || status === 403) {
    return new WprmError(
      'auth-failed',
      `${store} denied access to the bucket "${target.bucket}" while ${what}${code === '' || code === 'Unknown' ? '' : ` (${code})`}.`,
      `Give the key in ${keys} read, write, list and delete rights on the bucket (and its key prefix), or use a key that has them.`,
      { cause: error }
    )
  }
  if (code === 'NoSuchBucket') {
    return new WprmError(
      'remote-not-found',
      `The bucket "${target.bucket}" does not exist on ${store}.`,
      'Create the bucket, or correct the bucket name (and region) of the server profile.',
      { cause: error }
    )
  }
  if (REGION_CODES.has(code) || status === 301) {
    return new WprmError(
      'connection-failed',
      `The bucket "${target.bucket}" is not in the region ${target.region} on ${store} (${code === '' ? `HTTP ${status}` : code}).`,
      "Give the bucket's own region in the server profile.",
      { cause: error }
    )
  }
  if (isConditionFailure(error)) return conditionFailed(what, error, store)
  if (NETWORK_CODES.has(code) || code === 'TimeoutError' || code === 'RequestTimeout' || code === 'AbortError') {
    return new WprmError(
      'connection-failed',
      `Could not reach ${store} while ${what} (${code}).`,
      'Check the endpoint in the server profile and the network, then try again; a publish that was cut is finished by the next one.',
      { cause: error }
    )
  }
  if (status !== undefined) {
    return new WprmError(
      'remote-io',
      `${store} failed while ${what}: ${code === '' ? 'an error' : code} (HTTP ${status}).`,
      status >= 500 ? 'The store had a problem of its own: try again in a moment.' : "Check the server profile's bucket and key prefix.",
      { cause: error }
    )
  }
  return error
}

/** A write whose condition did not hold: another publish created, changed or deleted the object first. */
export function conditionFailed(what: string, cause: unknown, store?: string): WprmError {
  return new WprmError(
    'remote-conflict',
    `Another publish changed the object${store === undefined ? '' : ` on ${store}`} while ${what}.`,
    'Run the publish again: it reads what the other one wrote first.',
    { cause }
  )
}
