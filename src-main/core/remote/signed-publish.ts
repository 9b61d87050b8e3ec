import type { Ledger } from '../../../src-shared/ledger.js'
import { expiryOf, isSignatureFileName, signedMessage, splitEnvelope } from '../../../src-shared/signing.js'
import { WprmError } from '../errors.js'
import { keyIdOf } from '../signing/keys.js'
import type { Signing } from '../signing/sign-manifest.js'
import { checkSignature, signEnvelope } from '../signing/sign-manifest.js'
import { LEDGER_FILE, ledgerText } from './ledger.js'
import type { ManifestSignedFields } from './manifest.js'
import { MANIFEST_FILE, serializeManifest } from './manifest.js'
import type { PublishPlan } from './publish-plan.js'

/**
 * The signing side of a publish, apart from the publisher's round trips: the fields a signed manifest
 * carries, the bytes of `info.json` and `ledger.json` with their signatures inside (src-shared/signing.ts:
 * envelopeText), and the refusal of a publish every site would refuse. Every target (SFTP, object stores)
 * writes its files through `publishedFiles`, so all sign the same way.
 *
 * A signature travels inside the file it signs (README: Security model): one object, renamed into place at
 * once, so a site never sees a manifest without its signature, or with another manifest's.
 */

/** The manifest's signed fields for a publish at `now`. */
export function signedFields(signing: Signing | undefined, now: Date): ManifestSignedFields | undefined {
  return signing === undefined ? undefined : { expires: expiryOf(now, signing.expiryDays), keys: signing.trusted }
}

/** A JSON text as written to the server: signed by every signer, or as it is for an unsigned publish. */
function signedBytes(text: string, signing: Signing | undefined): Buffer {
  return signing === undefined ? Buffer.from(text) : signEnvelope(text, signing.signers)
}

/** The bytes of a ledger as written to the server (signed like the manifest it goes with). */
export function ledgerFileBytes(ledger: Ledger, signing: Signing | undefined): Buffer {
  return signedBytes(ledgerText(ledger), signing)
}

/** The bytes of the plan's manifest and ledger as written to the server, by any target. */
export function publishedFiles(plan: PublishPlan, signing: Signing | undefined): { readonly manifest: Buffer; readonly ledger: Buffer } {
  return { manifest: signedBytes(serializeManifest(plan.manifest), signing), ledger: ledgerFileBytes(plan.ledger, signing) }
}

/**
 * True for a detached signature file that earlier versions wrote beside the manifest and the ledger
 * (`info.json.<16 hex>.sig`): nothing reads them any more, so a publish sweeps them with the leftovers.
 */
export function staleSignature(name: string): boolean {
  return isSignatureFileName(MANIFEST_FILE, name) || isSignatureFileName(LEDGER_FILE, name)
}

/** The keys the server's live manifest names as trusted: empty for an unsigned (or unreadable) one. */
function liveTrustedKeys(manifestText: string | null): readonly string[] {
  if (manifestText === null) return []
  try {
    const keys = (JSON.parse(signedMessage(manifestText)) as { keys?: unknown }).keys
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

/**
 * Refuses a server ledger this workstation cannot trust, before anything is taken from it (a pull) or built
 * on it (a publish's compare-and-swap): one signed by none of `trusted` (the public keys this workstation
 * holds for the plugin), one whose signature does not hold, and an unsigned one while the live manifest names
 * trusted keys (sites take the plugin as signed), or, for a pull (`signedHere`), while the plugin is linked to a key here. The ledger carries the ids of the keys that signed it in
 * its signatures member, which is how a data folder that has the key but not the link learns of it (pull).
 * Returns the ids of the trusted keys whose signature holds (none for an unsigned ledger of an unsigned plugin).
 */
export function assertLedgerTrusted(
  ledgerText: string | null,
  manifestText: string | null,
  trusted: readonly string[],
  slug: string,
  host: string,
  options: { readonly signedHere?: boolean } = {}
): readonly string[] {
  if (ledgerText === null) return []
  const split = splitEnvelope(ledgerText)
  if (split === null) {
    // Signed as far as this workstation knows: the live manifest names trusted keys, or (`signedHere`, for what a
    // pull takes in) the plugin is linked to a key here, so that replacing both files with unsigned copies does not
    // make it look unsigned. A publish may build on an unsigned ledger: that is how a plugin moves to a key.
    const signedHere = options.signedHere === true
    if (liveTrustedKeys(manifestText).length === 0 && !signedHere) return []
    throw new WprmError(
      'signing-key',
      `${LEDGER_FILE} of ${slug} on ${host} is not signed, though ${
        signedHere ? 'this workstation signs the plugin' : 'its manifest names the keys sites trust'
      }: it was not written by wprm with the plugin's key. Nothing was changed.`,
      `Find out who changed ${LEDGER_FILE} on ${host}; a publish from a workstation that has the records and the key (wprm publish ${slug}) writes it again.${
        signedHere
          ? ` If ${slug} was never published signed, publish it first from the workstation that linked its key; if your team stopped signing it on purpose, unlink the key here (wprm plugin set ${slug} --no-signing-key).`
          : ''
      }`
    )
  }
  const verdict = checkSignature(ledgerText, trusted)
  if (verdict.ok) return verdict.keyIds
  const ids = split.signatures.map((s) => s.keyid).join(', ')
  throw new WprmError(
    'signing-key',
    trusted.length === 0
      ? `${LEDGER_FILE} of ${slug} on ${host} is signed by key ${ids}, which this workstation does not hold for ${slug}. Nothing was changed.`
      : `${LEDGER_FILE} of ${slug} on ${host} cannot be trusted: ${verdict.problem}. Nothing was changed.`,
    `Import the plugin's key (wprm key import NAME, the key file in WPRM_SIGNING_KEY_<NAME>) and link it (wprm plugin set ${slug} --signing-key NAME); if the key is linked already, find out who changed ${LEDGER_FILE} on ${host}.`
  )
}

/** The public keys a publish's signing trusts for the server's ledger: every signer's, and those the manifest names. */
export function trustedByWorkstation(signing: Signing | undefined): readonly string[] {
  return signing === undefined ? [] : [...new Set([...signing.signers.map((s) => s.publicKey), ...signing.trusted])]
}
