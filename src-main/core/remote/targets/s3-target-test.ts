import { createHash, randomBytes } from 'node:crypto'
import type { S3Target, ServerTestResult } from '../../../../src-shared/model.js'
import { sequentialChecks } from '../checklist-runner.js'
import { mutableCacheControl } from './object-store.js'
import type { ObjectStore } from './object-store.js'

/** How long the anonymous GET through the public URL may take (a CDN's first miss goes to the origin). */
const PUBLIC_GET_TIMEOUT_MS = 15_000

/**
 * "Test connection" for an `s3` target: an authenticated write, read and delete of a probe object, an anonymous
 * GET of it through the public URL (the CDN's or the bucket's: proof that sites can read what a publish writes,
 * by bucket policy or object ACL), and which conditional writes the store honours (the lock and the ledger's
 * compare-and-swap use them; without them a publish falls back to the lock file). The probe is deleted whatever
 * happened; one check failing does not stop the others, so the report is always whole.
 */
export async function testS3Target(name: string, target: S3Target, store: ObjectStore): Promise<ServerTestResult> {
  const { checks, run } = sequentialChecks()
  const where = `s3://${target.bucket}/${target.key_prefix}`
  const key = `.wprm-probe-${randomBytes(6).toString('hex')}.txt`
  const body = Buffer.from(randomBytes(16).toString('hex'))
  const sha256 = createHash('sha256').update(body).digest('hex')
  const cacheControl = mutableCacheControl(target.mutable_max_age)

  const written = await run(`Write to ${where}`, async () => {
    await store.put(key, { kind: 'bytes', bytes: body }, { cacheControl, contentType: 'text/plain', sha256 })
    return `wrote ${key}`
  })
  await run(`Read it back from ${where}`, async () => {
    if (!written) throw new Error('skipped: the probe could not be written')
    const read = await store.get(key)
    if (read === null) throw new Error(`${key} is not there right after it was written`)
    if (!read.bytes.equals(body)) throw new Error(`${key} came back with other content`)
    if (read.head.sha256 !== sha256) throw new Error(`${key} came back without its SHA-256 in the metadata (x-amz-meta-sha256)`)
    return `same bytes, SHA-256 kept in the metadata, Cache-Control "${read.head.cacheControl ?? ''}"`
  })
  await run(`Serve ${target.public_url} to anyone`, async () => {
    if (!written) throw new Error('skipped: the probe could not be written')
    const url = store.publicUrl(key)
    const response = await fetch(url, { signal: AbortSignal.timeout(PUBLIC_GET_TIMEOUT_MS) })
    const text = await response.text()
    if (response.status === 403 || response.status === 401) {
      throw new Error(
        `${url} → HTTP ${response.status} without credentials: sites could not download. Allow public reads (s3:GetObject for "*" in a bucket policy, or a public-read ACL), or put the CDN in front with its own access to the bucket.`
      )
    }
    if (response.status !== 200 || text !== body.toString()) {
      throw new Error(
        `${url} → HTTP ${response.status}${response.status === 200 ? ' with other content' : ''}: the public URL does not serve ${where}`
      )
    }
    return `${url} → HTTP 200 with the probe's content, Cache-Control "${response.headers.get('cache-control') ?? ''}"`
  })
  await run('Conditional writes (lock and ledger)', async () => {
    if (!written) throw new Error('skipped: the bucket could not be written')
    const support = await store.probeConditionalWrites()
    if (support.create && support.replace) return 'If-None-Match: * and If-Match are honoured: the lock and the ledger use them'
    return `${support.create ? 'If-None-Match: * is' : 'If-None-Match: * is not'} honoured, ${support.replace ? 'If-Match is' : 'If-Match is not'}: publishes take the lock file instead`
  })
  await run(`Delete from ${where}`, async () => {
    if (!written) throw new Error('skipped: the probe could not be written')
    await store.delete(key)
    if ((await store.head(key)) !== null) throw new Error(`${key} is still there after the delete`)
    return `deleted ${key} (prune and rollback delete old ZIPs)`
  })
  return { server: name, ok: checks.every((c) => c.ok), checks }
}
