import { createHash } from 'node:crypto'
import { expiryOf, isSignatureFileName, signatureFileName } from '../../../src-shared/signing.js'
import { WprmError } from '../errors.js'
import { keyIdOf } from '../signing/keys.js'
import type { Signing, SignedSidecar } from '../signing/sign-manifest.js'
import { signatureSidecar } from '../signing/sign-manifest.js'
import { LEDGER_FILE, ledgerBytes } from './ledger.js'
import type { ManifestSignedFields } from './manifest.js'
import { MANIFEST_FILE, serializeManifest } from './manifest.js'
import type { PublishPlan } from './publish-plan.js'

/**
 * The signing side of a publish, apart from the publisher's round trips: the fields a signed manifest
 * carries, the signature files written before the ledger and the manifest, and which old signature files
 * a publish may sweep.
 *
 * Order (README: Security model): each signature file is named after the SHA-256 of the bytes it signs and
 * is renamed into place before the file it signs, so the moment `info.json` goes live its signature is
 * there; a site that read the previous manifest still finds that one's signature, which stays until the
 * publish after next.
 */

/** The manifest's signed fields for a publish at `now`. */
export function signedFields(signing: Signing | undefined, now: Date): ManifestSignedFields | undefined {
  return signing === undefined ? undefined : { expires: expiryOf(now, signing.expiryDays), keys: signing.trusted }
}

/** The signature files of the plan's manifest and ledger (none for an unsigned publish). */
export function signatureSidecars(plan: PublishPlan, signing: Signing | undefined): readonly SignedSidecar[] {
  if (signing === undefined) return []
  return [
    signatureSidecar(LEDGER_FILE, ledgerBytes(plan.ledger), signing.signers),
    signatureSidecar(MANIFEST_FILE, Buffer.from(serializeManifest(plan.manifest)), signing.signers)
  ]
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

/**
 * True for a signature file that no live file names any more: not the signature of the manifest and the
 * ledger on the server now (read under the lock). Swept with the leftovers before the next publish.
 */
export function staleSignature(name: string, live: { readonly manifestText: string | null; readonly ledgerText: string | null }): boolean {
  const keep = new Set<string>()
  if (live.manifestText !== null) keep.add(signatureFileName(MANIFEST_FILE, sha256(live.manifestText)))
  if (live.ledgerText !== null) keep.add(signatureFileName(LEDGER_FILE, sha256(live.ledgerText)))
  return (isSignatureFileName(MANIFEST_FILE, name) || isSignatureFileName(LEDGER_FILE, name)) && !keep.has(name)
}

/** The keys the server's live manifest names as trusted: empty for an unsigned (or unreadable) one. */
function liveTrustedKeys(manifestText: string | null): readonly string[] {
  if (manifestText === null) return []
  try {
    const keys = (JSON.parse(manifestText) as { keys?: unknown }).keys
    return Array.isArray(keys) ? keys.filter((key): key is string => typeof key === 'string') : []
  } catch {
    return []
  }
}

/**
 * Refuses, under the lock and before anything changes, a manifest that every site would refuse: the
 * server's manifest is signed (its `keys` are what sites trust now), and this publish is unsigned (a CI
 * runner or a workstation that has not linked the plugin's key) or signed by none of those keys. Sites
 * fail closed, so such a publish would stop every update of the plugin.
 */
export function assertSitesWillTrust(manifestText: string | null, signing: Signing | undefined, slug: string, host: string): void {
  const trusted = liveTrustedKeys(manifestText)
  if (trusted.length === 0) return
  const ids = trusted.map(keyIdOf).join(', ')
  if (signing === undefined) {
    throw new WprmError(
      'signing-key',
      `The manifest of ${slug} on ${host} is signed (sites trust key ${ids}); an unsigned one from here would be refused by every site. Nothing was changed.`,
      `Link the plugin's key here first: wprm key import NAME (the key file in WPRM_SIGNING_KEY_<NAME>, its passphrase in WPRM_KEY_PASSPHRASE), then wprm plugin set ${slug} --signing-key NAME.`
    )
  }
  if (!signing.signers.some((signer) => trusted.includes(signer.publicKey))) {
    throw new WprmError(
      'signing-key',
      `The manifest of ${slug} on ${host} is trusted by sites under key ${ids}; the key linked here (${signing.signers.map((s) => s.keyId).join(', ')}) is not one of them, so every site would refuse it. Nothing was changed.`,
      `Link the key sites trust (wprm plugin set ${slug} --signing-key NAME), or move sites to the new key with wprm key rotate ${slug} --to NAME, which signs with both.`
    )
  }
}
