/**
 * What a publish needs from a store of objects (an S3-compatible bucket today; the shape `local` and `sftp`
 * targets can be given too): whole-object writes with their caching and checksum, reads, listing, deletion,
 * a copy inside the store, and conditional writes for the lock and the ledger's compare-and-swap.
 *
 * Keys are relative to the target's key prefix (`hello/info.json`, `hello/hello-v1.2.0.zip`): the store adds
 * its prefix, so the publish plan speaks of the same names on every target.
 */

/** `Cache-Control` of the files whose names never change: a versioned ZIP, artwork (revisioned by `?rev=`). */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable'

/**
 * `Cache-Control` of the files that change in place (info.json, its signature, the ledger, `-latest.zip`): short, so
 * that a CDN passes a release on within `maxAge` seconds (the profile's `mutable_max_age`, 60 by default).
 */
export function mutableCacheControl(maxAge: number): string {
  // max-age=0 alone lets a cache serve a stale copy while it revalidates; must-revalidate forbids that.
  return maxAge === 0 ? 'public, max-age=0, must-revalidate' : `public, max-age=${maxAge}`
}

/** What a listing tells about an object. */
export interface ObjectInfo {
  /** Relative to the key prefix. */
  readonly key: string
  readonly size: number
  /** Without its quotes. Not an MD5 for multipart uploads (`<hex>-<parts>`), and empty from Ceph 16's multipart. */
  readonly etag: string
}

/** What a HEAD (or a GET) tells about an object. */
export interface ObjectHead extends ObjectInfo {
  /** The SHA-256 recorded at upload (`x-amz-meta-sha256`), lowercase hex; null when it has none. */
  readonly sha256: string | null
  readonly cacheControl: string | null
  readonly contentType: string | null
}

/** An object read whole. */
export interface StoredObject {
  readonly head: ObjectHead
  readonly bytes: Buffer
}

/**
 * How a write relates to what is there: unconditional; `create` only where nothing is (`If-None-Match: *`,
 * the lock); `replace` only while the object still has this ETag (`If-Match`, the ledger's compare-and-swap).
 */
export type WriteCondition = { readonly kind: 'always' } | { readonly kind: 'create' } | { readonly kind: 'replace'; readonly etag: string }

/** What to write: bytes in memory (manifests, the ledger) or a file (a ZIP, artwork), sent from disk. */
export type ObjectBody = { readonly kind: 'bytes'; readonly bytes: Buffer } | { readonly kind: 'file'; readonly path: string }

/** How an object is written. */
export interface PutOptions {
  readonly cacheControl: string
  readonly contentType: string
  /** Lowercase hex; recorded as `x-amz-meta-sha256` for verify, and checked by the store as Content-MD5 where it is cheap. */
  readonly sha256: string
  readonly condition?: WriteCondition
  /** Bytes sent so far of the whole; called as parts (or the single request) finish. */
  readonly onProgress?: (done: number, total: number) => void
}

/** Which conditional writes a store honours, as probed (some S3-compatible stores accept the headers and ignore them). */
export interface ConditionalSupport {
  /** `If-None-Match: *` refuses a second create. */
  readonly create: boolean
  /** `If-Match` refuses a stale ETag and accepts the current one. */
  readonly replace: boolean
}

/** The operations a publish, verify, rollback and prune need from a target's store. */
export interface ObjectStore {
  /** Writes one object whole (one PUT; multipart for large files). A failed condition is a `remote-conflict`. */
  put(key: string, body: ObjectBody, options: PutOptions): Promise<{ readonly etag: string }>
  /** Reads an object whole; null when there is none. */
  get(key: string): Promise<StoredObject | null>
  /** The object's size, ETag, checksum and caching; null when there is none. */
  head(key: string): Promise<ObjectHead | null>
  /** Every object whose key starts with `prefix` (relative to the key prefix), in key order. */
  list(prefix: string): Promise<ObjectInfo[]>
  /** Deletes an object; deleting one that is not there is not an error. */
  delete(key: string): Promise<void>
  /** Copies an object inside the store (no bytes through this machine), with new caching; keeps its metadata. */
  copy(fromKey: string, toKey: string, options: { readonly cacheControl: string }): Promise<{ readonly etag: string }>
  /** Where sites fetch `key` from: the target's public URL (the CDN's or the bucket's) plus the key. */
  publicUrl(key: string): string
  /** Tries the conditional writes on a probe object and reports which the store honours; leaves nothing behind. */
  probeConditionalWrites(): Promise<ConditionalSupport>
  /** Frees the connections. */
  close(): void
}
