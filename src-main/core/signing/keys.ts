import type { KeyObject } from 'node:crypto'
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto'
import { SHORT_HASH_LENGTH } from '../../../src-shared/signing.js'

/** The DER prefix of an Ed25519 SubjectPublicKeyInfo: what comes before the raw 32-byte key. */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

/** A key pair in memory: the private half never leaves this process unencrypted. */
export interface SigningKeyPair {
  readonly privateKey: KeyObject
  /** The raw 32-byte public key in base64: what sites trust and the database keeps. */
  readonly publicKey: string
  readonly keyId: string
}

/** A new Ed25519 key pair. */
export function generateSigningKey(): SigningKeyPair {
  const { privateKey } = generateKeyPairSync('ed25519')
  return keyPairOf(privateKey)
}

/** The pair of a private key (read from a key file or the environment). */
export function keyPairOf(privateKey: KeyObject): SigningKeyPair {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`not an Ed25519 key (${privateKey.asymmetricKeyType})`)
  const publicKey = rawPublicKey(createPublicKey(privateKey))
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) }
}

function rawPublicKey(key: KeyObject): string {
  return (key.export({ format: 'der', type: 'spki' }) as Buffer).subarray(SPKI_ED25519_PREFIX.length).toString('base64')
}

/** The key id: the first 16 hex digits of the SHA-256 of the raw public key (the PHP updater computes the same). */
export function keyIdOf(publicKey: string): string {
  return createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('hex').slice(0, SHORT_HASH_LENGTH)
}

/** A public key object from its raw base64 form. */
export function publicKeyObject(publicKey: string): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, Buffer.from(publicKey, 'base64')]), format: 'der', type: 'spki' })
}

/** The Ed25519 signature of `bytes`, in base64. */
export function signBytes(privateKey: KeyObject, bytes: Uint8Array): string {
  return sign(null, bytes, privateKey).toString('base64')
}

/** Whether `signature` (base64) is `publicKey`'s signature of `bytes`. */
export function verifyBytes(publicKey: string, bytes: Uint8Array, signature: string): boolean {
  try {
    return verify(null, bytes, publicKeyObject(publicKey), Buffer.from(signature, 'base64'))
  } catch {
    return false
  }
}

/** The private key as PKCS#8 DER (to encrypt into a key file or a vault; never written as it is). */
export function privateKeyBytes(privateKey: KeyObject): Buffer {
  return privateKey.export({ format: 'der', type: 'pkcs8' }) as Buffer
}

/** A private key from PKCS#8 DER, or from a PEM text (`-----BEGIN PRIVATE KEY-----`, as CI secrets hold it). */
export function privateKeyFrom(data: Buffer | string): KeyObject {
  return typeof data === 'string'
    ? createPrivateKey({ key: data, format: 'pem' })
    : createPrivateKey({ key: data, format: 'der', type: 'pkcs8' })
}
