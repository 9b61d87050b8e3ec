import { createHash } from 'node:crypto'
import type { Ledger } from '../../../../src-shared/ledger.js'
import type { Signing } from '../../signing/sign-manifest.js'
import type { PluginTruth } from '../ledger.js'
import { LEDGER_FILE, readTruthPair } from '../ledger.js'
import { MANIFEST_FILE } from '../manifest.js'
import { ledgerFileBytes } from '../signed-publish.js'
import { mutableCacheControl } from './object-store.js'
import type { ObjectStore } from './object-store.js'

/** What a store holds for a plugin: the truth of its manifest and ledger, and the ledger's ETag to replace it against. */
export type StoreTruth = PluginTruth & {
  /** The ETag the ledger was read with (the base of the compare-and-swap); null when there is none. */
  readonly ledgerEtag: string | null
}

/** Reads a plugin's `info.json` and `ledger.json` from a store (both at once), as readServerTruth does over SFTP. */
export function readStoreTruth(store: ObjectStore, slug: string): Promise<StoreTruth> {
  return readTruthPair(slug, async () => {
    const [manifest, ledger] = await Promise.all([store.get(`${slug}/${MANIFEST_FILE}`), store.get(`${slug}/${LEDGER_FILE}`)])
    return {
      manifestText: manifest === null ? null : manifest.bytes.toString('utf8'),
      ledgerText: ledger === null ? null : ledger.bytes.toString('utf8'),
      ledgerEtag: ledger?.head.etag ?? null
    }
  })
}

/**
 * Writes a plugin's ledger in one compare-and-swap: created where there was none (`basedOn` null), else replaced
 * only while it still has the ETag it was read with. A publish that lost the race gets `remote-conflict` and
 * nothing changed: it reads the truth again and builds on the winner's ledger, so no version is lost. A signed
 * plugin's ledger carries its signatures inside, as over SFTP (signed-publish.ts).
 */
export async function writeStoreLedger(
  store: ObjectStore,
  ledger: Ledger,
  basedOn: string | null,
  maxAge: number,
  signing?: Signing
): Promise<{ readonly etag: string }> {
  const bytes = ledgerFileBytes(ledger, signing)
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
