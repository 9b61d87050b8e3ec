import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import type * as SdkModule from '@aws-sdk/client-s3'
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3'
import type { S3Target } from '../../../../src-shared/model.js'
import { WprmError } from '../../errors.js'
import type {
  ConditionalSupport,
  ObjectBody,
  ObjectHead,
  ObjectInfo,
  ObjectStore,
  PutOptions,
  StoredObject,
  WriteCondition
} from './object-store.js'
import { conditionFailed, describeStore, errorCodeOf, explainS3Error, httpStatusOf, isConditionFailure } from './s3-errors.js'

/** An S3 access key pair, as read from the environment (the CLI) or the OS keychain (the app). */
export interface S3Credentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  /** For temporary keys (STS); most stores' keys have none. */
  readonly sessionToken?: string
}

/** Reads a target's key pair from the environment variables it names; `auth-failed` naming the variable when one is empty. */
export function s3CredentialsFromEnvironment(target: S3Target, env: NodeJS.ProcessEnv = process.env): S3Credentials {
  const read = (variable: string, what: string): string => {
    const value = env[variable]
    if (value === undefined || value.trim() === '') {
      throw new WprmError(
        'auth-failed',
        `No S3 ${what} for the bucket "${target.bucket}": the environment variable ${variable} is empty or not set.`,
        `Put the ${what} in ${variable} (from your store's console, or your CI's secret store); wprm never stores it.`
      )
    }
    return value.trim()
  }
  const sessionToken = env.AWS_SESSION_TOKEN
  return {
    accessKeyId: read(target.access_key_env, 'access key id'),
    secretAccessKey: read(target.secret_key_env, 'secret access key'),
    ...(sessionToken === undefined || sessionToken === '' ? {} : { sessionToken })
  }
}

/** Options of an S3 store. */
export interface S3StoreOptions {
  /** No byte moving for this long on an open connection is a stall: the request fails (and is retried). */
  readonly stallMs?: number
  readonly connectTimeoutMs?: number
  /** Tries per request, the first included (the SDK's own backoff between them). */
  readonly maxAttempts?: number
  /** Files larger than this go up in parts (lib-storage); smaller ones in one PUT with a Content-MD5. */
  readonly multipartThreshold?: number
  readonly partSize?: number
  /** Parts in flight at once. */
  readonly queueSize?: number
}

const DEFAULT_STALL_MS = 30_000
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000
const DEFAULT_MAX_ATTEMPTS = 3
/** Below this a file is read into memory and sent with a Content-MD5, so that the store checks the bytes it got. */
const DEFAULT_MULTIPART_THRESHOLD = 16 * 1024 * 1024
/** As `aws s3 cp`: 8 MiB parts; four in flight keep a 2-core machine's link full without holding much memory. */
const DEFAULT_PART_SIZE = 8 * 1024 * 1024
const DEFAULT_QUEUE_SIZE = 4
/** The metadata key of the SHA-256 we record (`x-amz-meta-sha256`). */
const SHA256_METADATA = 'sha256'

type Sdk = typeof SdkModule

/** How a store compares an `If-Match` value: RFC 9110's quoted entity tag, or bare hex (Ceph 16 matches only that). */
type EtagForm = 'quoted' | 'bare'

/** An ETag without its quotes (and without a weak `W/` prefix), as kept everywhere in wprm. */
function bareEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^W\//, '').replaceAll('"', '')
}

/** Percent-encodes each segment of a key, keeping the slashes. */
function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/')
}

/**
 * A target's bucket over the S3 API (AWS SDK for JavaScript v3): the ObjectStore a publish uses for an `s3`
 * server profile. Keys are relative to the profile's key prefix.
 */
export class S3Store implements ObjectStore {
  private conditional: Promise<ConditionalSupport & { readonly etagForm: EtagForm | null }> | undefined

  private constructor(
    private readonly sdk: Sdk,
    private readonly client: S3Client,
    private readonly target: S3Target,
    private readonly options: Required<Pick<S3StoreOptions, 'multipartThreshold' | 'partSize' | 'queueSize'>>
  ) {}

  /**
   * A store for the target. Nothing is sent yet (S3 has no session to open); the SDK is loaded here, so the CLI's
   * commands that never touch a bucket do not pay for it.
   */
  static async open(target: S3Target, credentials: S3Credentials, options: S3StoreOptions = {}): Promise<S3Store> {
    const sdk = await import('@aws-sdk/client-s3')
    const config: S3ClientConfig = {
      region: target.region,
      ...(target.endpoint === null ? {} : { endpoint: target.endpoint }),
      forcePathStyle: target.path_style,
      credentials,
      maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      // Checksums only where S3 requires them: Ceph 16 and other older stores refuse the SDK's default trailing
      // checksums on streamed bodies (411). Our integrity check is the recorded SHA-256 and the Content-MD5.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: {
        connectionTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        socketTimeout: options.stallMs ?? DEFAULT_STALL_MS
      }
    }
    return new S3Store(sdk, new sdk.S3Client(config), target, {
      multipartThreshold: options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD,
      partSize: options.partSize ?? DEFAULT_PART_SIZE,
      queueSize: options.queueSize ?? DEFAULT_QUEUE_SIZE
    })
  }

  /** The key in the bucket: the target's prefix and the key. */
  private fullKey(key: string): string {
    if (key === '' || key.startsWith('/') || key.split('/').some((part) => part === '..' || part === '.')) {
      throw new Error(`not an object key: ${JSON.stringify(key)}`)
    }
    return `${this.target.key_prefix}${key}`
  }

  /** Runs one SDK call; an expected failure comes back as the WprmError saying what was being done. */
  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (error) {
      throw explainS3Error(error, this.target, what)
    }
  }

  async put(key: string, body: ObjectBody, options: PutOptions): Promise<{ readonly etag: string }> {
    const condition = options.condition ?? { kind: 'always' }
    const what = `writing ${key}`
    const size = body.kind === 'bytes' ? body.bytes.length : (await stat(body.path)).size
    const common = {
      Bucket: this.target.bucket,
      Key: this.fullKey(key),
      CacheControl: options.cacheControl,
      ContentType: options.contentType,
      Metadata: { [SHA256_METADATA]: options.sha256 }
    }
    if (size > this.options.multipartThreshold && body.kind === 'file') {
      // CompleteMultipartUpload has no dependable condition (Ceph 16 ignores If-None-Match on it): conditional
      // writes are for the small files (the lock, the ledger), never for a ZIP.
      if (condition.kind !== 'always') throw new Error(`a conditional write of ${key} (${size} bytes) would go up in parts`)
      await this.abortUnfinishedUploads(common.Key)
      const { Upload } = await import('@aws-sdk/lib-storage')
      const upload = new Upload({
        client: this.client,
        params: { ...common, Body: createReadStream(body.path, { highWaterMark: 1024 * 1024 }) },
        partSize: this.options.partSize,
        queueSize: this.options.queueSize,
        // A failed upload aborts its parts, so that no half-made object and no stored parts are left to pay for.
        leavePartsOnError: false
      })
      upload.on('httpUploadProgress', (p) => options.onProgress?.(p.loaded ?? 0, size))
      const done = await this.call(what, () => upload.done())
      return { etag: bareEtag(done.ETag) }
    }
    const bytes = body.kind === 'bytes' ? body.bytes : await readFile(body.path)
    const conditionHeaders = await this.conditionHeaders(condition)
    const out = await this.call(what, async () => {
      try {
        return await this.client.send(
          new this.sdk.PutObjectCommand({
            ...common,
            ...conditionHeaders,
            Body: bytes,
            ContentLength: bytes.length,
            ContentMD5: createHash('md5').update(bytes).digest('base64')
          })
        )
      } catch (error) {
        // Ceph 16 answers an If-Match on an object deleted meanwhile with 404 NoSuchKey, not 412: the same lost race.
        if (condition.kind === 'replace' && errorCodeOf(error) === 'NoSuchKey')
          throw conditionFailed(what, error, describeStore(this.target))
        throw error
      }
    })
    options.onProgress?.(bytes.length, bytes.length)
    return { etag: bareEtag(out.ETag) }
  }

  /**
   * Aborts the unfinished multipart uploads of exactly this key, so that their stored parts stop costing: a
   * publish cut off mid-upload could not abort its own over the dead connection. The caller holds the plugin's
   * lock, so no other upload of the key is under way. Best effort: a key without the right to list or abort
   * uploads still publishes.
   */
  private async abortUnfinishedUploads(fullKey: string): Promise<void> {
    const Bucket = this.target.bucket
    const listed = await this.client.send(new this.sdk.ListMultipartUploadsCommand({ Bucket, Prefix: fullKey })).catch(() => null)
    const stale = (listed?.Uploads ?? []).filter((u) => u.Key === fullKey && u.UploadId !== undefined)
    await Promise.all(
      stale.map((u) =>
        this.client.send(new this.sdk.AbortMultipartUploadCommand({ Bucket, Key: fullKey, UploadId: u.UploadId })).catch(() => undefined)
      )
    )
  }

  /** The request headers of a write's condition, in the form this store honours. */
  private async conditionHeaders(condition: WriteCondition): Promise<{ IfNoneMatch?: string; IfMatch?: string }> {
    switch (condition.kind) {
      case 'always':
        return {}
      case 'create':
        return { IfNoneMatch: '*' }
      case 'replace': {
        const support = await this.probeConditionalWrites()
        // The publish must have chosen the lock instead: replacing without a working If-Match would lose a version.
        if (!support.replace || support.etagForm === null) throw new Error('this store does not honour If-Match: use the lock')
        return { IfMatch: this.etagHeader(condition.etag, support.etagForm) }
      }
    }
  }

  private etagHeader(etag: string, form: EtagForm): string {
    return form === 'quoted' ? `"${bareEtag(etag)}"` : bareEtag(etag)
  }

  async get(key: string): Promise<StoredObject | null> {
    try {
      const out = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.target.bucket, Key: this.fullKey(key) }))
      const bytes = Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array())
      return {
        bytes,
        head: {
          key,
          size: out.ContentLength ?? bytes.length,
          etag: bareEtag(out.ETag),
          sha256: out.Metadata?.[SHA256_METADATA] ?? null,
          cacheControl: out.CacheControl ?? null,
          contentType: out.ContentType ?? null
        }
      }
    } catch (error) {
      if (errorCodeOf(error) === 'NoSuchKey') return null
      throw explainS3Error(error, this.target, `reading ${key}`)
    }
  }

  async head(key: string): Promise<ObjectHead | null> {
    try {
      const out = await this.client.send(new this.sdk.HeadObjectCommand({ Bucket: this.target.bucket, Key: this.fullKey(key) }))
      return {
        key,
        size: out.ContentLength ?? 0,
        etag: bareEtag(out.ETag),
        sha256: out.Metadata?.[SHA256_METADATA] ?? null,
        cacheControl: out.CacheControl ?? null,
        contentType: out.ContentType ?? null
      }
    } catch (error) {
      // A HEAD's 404 has no body: a missing bucket looks like a missing object here (a write then names it).
      if (httpStatusOf(error) === 404) return null
      throw explainS3Error(error, this.target, `looking up ${key}`)
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const found: ObjectInfo[] = []
    const strip = this.target.key_prefix.length
    let token: string | undefined
    do {
      const out = await this.call(`listing ${prefix === '' ? 'the bucket' : prefix}`, () =>
        this.client.send(
          new this.sdk.ListObjectsV2Command({
            Bucket: this.target.bucket,
            Prefix: `${this.target.key_prefix}${prefix}`,
            ...(token === undefined ? {} : { ContinuationToken: token })
          })
        )
      )
      for (const o of out.Contents ?? []) {
        if (o.Key === undefined) continue
        found.push({ key: o.Key.slice(strip), size: o.Size ?? 0, etag: bareEtag(o.ETag) })
      }
      token = out.IsTruncated === true ? out.NextContinuationToken : undefined
    } while (token !== undefined)
    return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  }

  async delete(key: string): Promise<void> {
    await this.call(`deleting ${key}`, () =>
      this.client.send(new this.sdk.DeleteObjectCommand({ Bucket: this.target.bucket, Key: this.fullKey(key) }))
    )
  }

  async copy(fromKey: string, toKey: string, options: { readonly cacheControl: string }): Promise<{ readonly etag: string }> {
    const source = await this.head(fromKey)
    if (source === null) {
      throw new WprmError(
        'remote-not-found',
        `${fromKey} is not in the bucket "${this.target.bucket}", so it cannot be copied to ${toKey}.`,
        'Publish again: it uploads what is missing first.'
      )
    }
    const out = await this.call(`copying ${fromKey} to ${toKey}`, () =>
      this.client.send(
        new this.sdk.CopyObjectCommand({
          Bucket: this.target.bucket,
          Key: this.fullKey(toKey),
          CopySource: `${encodeURIComponent(this.target.bucket)}/${encodeKey(this.fullKey(fromKey))}`,
          // REPLACE, to give the copy its own Cache-Control; so the metadata and type are given again, as read.
          MetadataDirective: 'REPLACE',
          CacheControl: options.cacheControl,
          ...(source.contentType === null ? {} : { ContentType: source.contentType }),
          Metadata: source.sha256 === null ? {} : { [SHA256_METADATA]: source.sha256 },
          // The bytes copied are those the metadata was read with (an ETag is empty from Ceph 16's multipart).
          ...(source.etag === '' ? {} : { CopySourceIfMatch: `"${source.etag}"` })
        })
      )
    )
    return { etag: bareEtag(out.CopyObjectResult?.ETag) }
  }

  publicUrl(key: string): string {
    return new URL(encodeKey(key), this.target.public_url).toString()
  }

  /**
   * Which conditional writes this store honours, found once per store by trying them on a probe object (and
   * which form of `If-Match` it compares); the probe object is deleted whatever happened.
   */
  probeConditionalWrites(): Promise<ConditionalSupport & { readonly etagForm: EtagForm | null }> {
    this.conditional ??= this.probe().catch((error: unknown) => {
      this.conditional = undefined
      throw error
    })
    return this.conditional
  }

  private async probe(): Promise<ConditionalSupport & { readonly etagForm: EtagForm | null }> {
    const key = `.wprm-probe-${randomBytes(8).toString('hex')}`
    const write = async (text: string, headers: { IfNoneMatch?: string; IfMatch?: string }): Promise<string | null> => {
      try {
        const out = await this.client.send(
          new this.sdk.PutObjectCommand({ Bucket: this.target.bucket, Key: this.fullKey(key), Body: Buffer.from(text), ...headers })
        )
        return bareEtag(out.ETag)
      } catch (error) {
        if (isConditionFailure(error)) return null
        throw explainS3Error(error, this.target, 'probing conditional writes')
      }
    }
    try {
      const first = await write('1', { IfNoneMatch: '*' })
      if (first === null) throw new Error(`the probe object ${key} was there already`)
      // The writes expected to be refused go out at once: none of them changes the object on a store that honours
      // the conditions (each on its own connection: Ceph answers a 412 on a kept-alive one about 45 ms late).
      const stale = 'ffffffffffffffffffffffffffffffff'
      const [again, staleQuoted, staleBare] = await Promise.all([
        write('2', { IfNoneMatch: '*' }),
        write('3', { IfMatch: `"${stale}"` }),
        write('3', { IfMatch: stale })
      ])
      const create = again === null
      const staleRefused = staleQuoted === null && staleBare === null
      let etagForm: EtagForm | null = null
      if (staleRefused) {
        // A store that ignored If-None-Match has taken the second write: its ETag is then that one's.
        const current = create ? first : ((await this.head(key))?.etag ?? first)
        if ((await write('4', { IfMatch: this.etagHeader(current, 'quoted') })) !== null) etagForm = 'quoted'
        else if ((await write('4', { IfMatch: this.etagHeader(current, 'bare') })) !== null) etagForm = 'bare'
      }
      return { create, replace: etagForm !== null, etagForm }
    } finally {
      await this.delete(key).catch(() => undefined)
    }
  }

  close(): void {
    this.client.destroy()
  }
}
