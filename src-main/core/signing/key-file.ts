import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { WprmError } from '../errors.js'
import { writeFileAtomic } from '../fs/atomic-file.js'
import type { SigningKeyPair } from './keys.js'
import { keyPairOf, privateKeyBytes, privateKeyFrom } from './keys.js'

/** The key file's own format name. */
export const KEY_FILE_FORMAT = 'wprm-signing-key/1'

/** scrypt's cost: 2^15 rounds of 8 × 1 KiB blocks, about 32 MiB and a tenth of a second, per try of a passphrase. */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const

/** A key file: the private key encrypted with a key derived from a passphrase (scrypt, AES-256-GCM); the public half in clear. */
interface KeyFile {
  readonly format: typeof KEY_FILE_FORMAT
  readonly name: string
  readonly key_id: string
  readonly public_key: string
  readonly kdf: { readonly name: 'scrypt'; readonly salt: string; readonly N: number; readonly r: number; readonly p: number }
  readonly cipher: 'aes-256-gcm'
  readonly iv: string
  readonly tag: string
  readonly data: string
}

/** The text of a key file for `pair`, encrypted with `passphrase`; the public key and its id stay readable. */
export function encryptKeyFile(pair: SigningKeyPair, name: string, passphrase: string): string {
  if (passphrase.length < 8)
    throw new WprmError(
      'usage',
      'The key passphrase is shorter than 8 characters.',
      'Choose a longer passphrase (a password manager can make one).'
    )
  const salt = randomBytes(16)
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', scryptSync(passphrase, salt, 32, SCRYPT), iv)
  const data = Buffer.concat([cipher.update(privateKeyBytes(pair.privateKey)), cipher.final()])
  const file: KeyFile = {
    format: KEY_FILE_FORMAT,
    name,
    key_id: pair.keyId,
    public_key: pair.publicKey,
    kdf: { name: 'scrypt', salt: salt.toString('base64'), N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p },
    cipher: 'aes-256-gcm',
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64')
  }
  return `${JSON.stringify(file, null, 2)}\n`
}

function isKeyFile(value: unknown): value is KeyFile {
  const f = value as Partial<KeyFile> | null
  return (
    typeof f === 'object' &&
    f !== null &&
    f.format === KEY_FILE_FORMAT &&
    f.kdf?.name === 'scrypt' &&
    f.cipher === 'aes-256-gcm' &&
    [f.name, f.key_id, f.public_key, f.iv, f.tag, f.data, f.kdf.salt].every((v) => typeof v === 'string') &&
    [f.kdf.N, f.kdf.r, f.kdf.p].every((v) => Number.isInteger(v))
  )
}

/** True when `text` looks like a key file of ours (rather than a PEM key). */
export function isKeyFileText(text: string): boolean {
  try {
    return isKeyFile(JSON.parse(text))
  } catch {
    return false
  }
}

/** The key pair in a key file's text; `where` names the file or variable in errors. */
export function decryptKeyFile(text: string, passphrase: string | undefined, where: string, passphraseVar: string): SigningKeyPair {
  let file: unknown
  try {
    file = JSON.parse(text)
  } catch {
    file = null
  }
  if (!isKeyFile(file))
    throw new WprmError('signing-key', `${where} is not a WP Release Manager key file.`, 'Point at the file `wprm key generate` wrote.')
  if (passphrase === undefined || passphrase === '')
    throw new WprmError(
      'signing-key',
      `The signing key ${file.name} is encrypted and ${passphraseVar} is not set.`,
      `Set ${passphraseVar} to the key's passphrase.`
    )
  let der: Buffer
  try {
    const { N, r, p } = file.kdf
    const key = scryptSync(passphrase, Buffer.from(file.kdf.salt, 'base64'), 32, { N, r, p, maxmem: SCRYPT.maxmem * 4 })
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(file.iv, 'base64'))
    decipher.setAuthTag(Buffer.from(file.tag, 'base64'))
    der = Buffer.concat([decipher.update(Buffer.from(file.data, 'base64')), decipher.final()])
  } catch {
    throw new WprmError(
      'signing-key',
      `The passphrase in ${passphraseVar} does not open the signing key ${file.name} (${where}).`,
      `Set ${passphraseVar} to the passphrase the key was made with.`
    )
  }
  const pair = keyPairOf(privateKeyFrom(der))
  if (pair.publicKey !== file.public_key)
    throw new WprmError(
      'signing-key',
      `${where} is damaged: its private key does not match its public key.`,
      'Restore the key file from a backup.'
    )
  return pair
}

/** Writes a key file readable by its owner only (0600), whole or not at all. */
export async function writeKeyFile(file: string, text: string): Promise<void> {
  await writeFileAtomic(file, text, { mode: 0o600 })
}

/** Reads a key file and opens it with the passphrase. */
export async function readKeyFile(file: string, passphrase: string | undefined, passphraseVar: string): Promise<SigningKeyPair> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT')
      throw new WprmError(
        'signing-key',
        `The key file ${file} is missing.`,
        'Restore it from a backup, or set the key in the environment (see README: Signed releases).'
      )
    throw error
  })
  return decryptKeyFile(text, passphrase, file, passphraseVar)
}
