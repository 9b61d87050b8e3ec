import type { SignatureEntry } from '../../../src-shared/signing.js'
import { envelopeText, splitEnvelope } from '../../../src-shared/signing.js'
import type { SigningKeyPair } from './keys.js'
import { keyIdOf, signBytes, verifyBytes } from './keys.js'

/** What a signed publish needs: the keys that sign, the keys sites trust from this manifest on, and the expiry. */
export interface Signing {
  /** Every key that signs (two during a rotation: the old one, which sites trust, and the new one). */
  readonly signers: readonly SigningKeyPair[]
  /** The public keys the manifest names as trusted from now on (`keys`). */
  readonly trusted: readonly string[]
  readonly expiryDays: number
}

/** The file to write for a signed JSON text: the message with every signer's signature of its exact bytes appended (envelopeText). */
export function signEnvelope(message: string, signers: readonly SigningKeyPair[]): Buffer {
  const bytes = Buffer.from(message)
  const signatures: SignatureEntry[] = signers.map((pair) => ({ keyid: pair.keyId, sig: signBytes(pair.privateKey, bytes) }))
  return Buffer.from(envelopeText(message, signatures))
}

/**
 * How a signed file's text judges against trusted keys: the signed message and the ids of the keys whose
 * signature of it holds, or why none does (the updater's order: no signature, an unknown key, an invalid one).
 */
export function checkSignature(
  text: string,
  trusted: readonly string[]
): { readonly ok: true; readonly keyIds: readonly string[]; readonly message: string } | { readonly ok: false; readonly problem: string } {
  const split = splitEnvelope(text)
  if (split === null) return { ok: false, problem: 'it carries no signature' }
  const byId = new Map(trusted.map((key) => [keyIdOf(key), key]))
  const known = split.signatures.filter((s) => byId.has(s.keyid))
  if (known.length === 0)
    return { ok: false, problem: `it is signed by an unknown key (${split.signatures.map((s) => s.keyid).join(', ')})` }
  const bytes = Buffer.from(split.message)
  const valid = known.filter((s) => verifyBytes(byId.get(s.keyid)!, bytes, s.sig))
  if (valid.length === 0) return { ok: false, problem: `its signature by key ${known[0]!.keyid} is invalid` }
  return { ok: true, keyIds: valid.map((s) => s.keyid), message: split.message }
}
