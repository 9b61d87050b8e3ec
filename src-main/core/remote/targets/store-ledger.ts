import { createHash } from 'node:crypto'
import type { Ledger, ServerTruth } from '../../../../src-shared/ledger.js'
import { serverTruth } from '../../../../src-shared/ledger.js'
import { LEDGER_FILE, ledgerBytes, manifestVersionOf, parseLedger } from '../ledger.js'
import { MANIFEST_FILE } from '../manifest.js'
import { mutableCacheControl } from './object-store.js'
import type { ObjectStore } from './object-store.js'

/** What a store holds for a plugin: the truth of its manifest and ledger, and the ledger's ETag to replace it against. */
export interface StoreTruth extends ServerTruth {
  readonly ledger: Ledger | null
  /** The ETag the ledger was read with (the base of the compare-and-swap); null when there is none. */
  readonly ledgerEtag: string | null
  readonly manifestText: string | null
  readonly ledgerText: string | null
}

/**
 * Reads a plugin's `info.json` and `ledger.json` from a store (both at once) and takes the truth from the two,
 * as readServerTruth does over SFTP; a pair read across another publish's writes is read again.
 */
export async function readStoreTruth(store: ObjectStore, slug: string): Promise<StoreTruth> {
  for (let attempt = 1; ; attempt++) {
    const [manifest, ledgerObject] = await Promise.all([store.get(`${slug}/${MANIFEST_FILE}`), store.get(`${slug}/${LEDGER_FILE}`)])
    const manifestText = manifest === null ? null : manifest.bytes.toString('utf8')
    const ledgerText = ledgerObject === null ? null : ledgerObject.bytes.toString('utf8')
    const ledger = ledgerText === null ? null : parseLedger(ledgerText, slug)
    const truth =
      ledgerText !== null && ledger === null
        ? {
            manifest_version: manifestVersionOf(manifestText),
            state: null,
            problem: `${LEDGER_FILE} on the server is not a ledger of ${slug}`
          }
        : serverTruth(ledger, manifestVersionOf(manifestText))
    if (truth.problem === null || ledger === null || attempt >= 3)
      return { ...truth, ledger, ledgerEtag: ledgerObject?.head.etag ?? null, manifestText, ledgerText }
  }
}

/**
 * Writes a plugin's ledger in one compare-and-swap: created where there was none (`basedOn` null), else replaced
 * only while it still has the ETag it was read with. A publish that lost the race gets `remote-conflict` and
 * nothing changed: it reads the truth again and builds on the winner's ledger, so no version is lost.
 */
export async function writeStoreLedger(
  store: ObjectStore,
  ledger: Ledger,
  basedOn: string | null,
  maxAge: number
): Promise<{ readonly etag: string }> {
  const bytes = ledgerBytes(ledger)
  return store.put(
    `${ledger.slug}/${LEDGER_FILE}`,
    { kind: 'bytes', bytes },
    {
      cacheControl: mutableCacheControl(maxAge),
      contentType: 'application/json',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      condition: basedOn === null ? { kind: 'create' } : { kind: 'replace', etag: basedOn }
    }
  )
}
