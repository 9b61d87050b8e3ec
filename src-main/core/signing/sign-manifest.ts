import { createHash } from 'node:crypto'
import type { SignatureFile } from '../../../src-shared/signing.js'
import { SIGNATURE_FORMAT, parseSignatureFile, signatureFileName } from '../../../src-shared/signing.js'
import type { SigningKeyPair } from './keys.js'
import { keyIdOf, signBytes, verifyBytes } from './keys.js'

/** A file to put beside a signed one: its name under the plugin's folder and its bytes. */
export interface SignedSidecar {
  readonly name: string
  readonly bytes: Buffer
}

/** What a signed publish needs: the keys that sign, the keys sites trust from this manifest on, and the expiry. */
export interface Signing {
  /** Every key that signs (two during a rotation: the old one, which sites trust, and the new one). */
  readonly signers: readonly SigningKeyPair[]
  /** The public keys the manifest names as trusted from now on (`keys`). */
  readonly trusted: readonly string[]
  readonly expiryDays: number
}

/** The detached signature of `bytes` (the file `file`) by every signer, as written beside it. */
export function signatureSidecar(file: string, bytes: Uint8Array, signers: readonly SigningKeyPair[]): SignedSidecar {
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  const signature: SignatureFile = {
    format: SIGNATURE_FORMAT,
    signed: { file, sha256, size: bytes.length },
    signatures: signers.map((pair) => ({ keyid: pair.keyId, sig: signBytes(pair.privateKey, bytes) }))
  }
  return { name: signatureFileName(file, sha256), bytes: Buffer.from(`${JSON.stringify(signature, null, 2)}\n`) }
}

/** How a signature file judges a file's bytes against trusted keys: the ids of the keys whose signature holds, or why none does. */
export function checkSignature(
  signatureText: string | null,
  bytes: Uint8Array,
  trusted: readonly string[]
): { readonly ok: true; readonly keyIds: readonly string[] } | { readonly ok: false; readonly problem: string } {
  if (signatureText === null) return { ok: false, problem: 'its signature file is missing' }
  const parsed = parseSignatureFile(signatureText)
  if (parsed === null) return { ok: false, problem: 'its signature file is not a signature of ours' }
  const byId = new Map(trusted.map((key) => [keyIdOf(key), key]))
  const known = parsed.signatures.filter((s) => byId.has(s.keyid))
  if (known.length === 0)
    return { ok: false, problem: `it is signed by an unknown key (${parsed.signatures.map((s) => s.keyid).join(', ')})` }
  const valid = known.filter((s) => verifyBytes(byId.get(s.keyid)!, bytes, s.sig))
  if (valid.length === 0) return { ok: false, problem: `its signature by key ${known[0]!.keyid} is invalid` }
  return { ok: true, keyIds: valid.map((s) => s.keyid) }
}
