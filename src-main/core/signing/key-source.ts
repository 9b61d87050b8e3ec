import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import type { SigningKeyRecord } from '../../../src-shared/model.js'
import { WprmError } from '../errors.js'
import { decryptKeyFile, encryptKeyFile, isKeyFileText, readKeyFile, writeKeyFile } from './key-file.js'
import type { SigningKeyPair } from './keys.js'
import { keyPairOf, privateKeyFrom } from './keys.js'

/** The environment variable that holds the passphrase of key files. */
export const KEY_PASSPHRASE_VAR = 'WPRM_KEY_PASSPHRASE'

/** The environment variable that may hold key `name` itself (CI): `WPRM_SIGNING_KEY_<NAME>`, e.g. WPRM_SIGNING_KEY_RELEASE_2026. */
export function keyVariable(name: string): string {
  return `WPRM_SIGNING_KEY_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`
}

/** Where private keys come from and go to: key files and the environment (CLI), the OS secret store (the app). */
export interface SigningKeySource {
  /** The key pair of a known key; refused when its private half is nowhere, or is not that key. */
  open(record: SigningKeyRecord): Promise<SigningKeyPair>
  /** Keeps a new key's private half; says where. */
  keep(name: string, pair: SigningKeyPair): Promise<Pick<SigningKeyRecord, 'storage' | 'file'>>
  /** A key given in the environment, for `key import` (null when the variable is not set). */
  fromEnvironment(name: string): SigningKeyPair | null
}

/** The key folder of a data folder: one encrypted file per key. */
export function keysDir(dataDir: string): string {
  return path.join(dataDir, 'keys')
}

/** A key pair from a variable's text: a key file of ours (encrypted: the passphrase variable opens it) or a PKCS#8 PEM. */
function pairFromText(text: string, name: string, env: NodeJS.ProcessEnv): SigningKeyPair {
  const variable = keyVariable(name)
  if (isKeyFileText(text)) return decryptKeyFile(text, env[KEY_PASSPHRASE_VAR], variable, KEY_PASSPHRASE_VAR)
  try {
    return keyPairOf(privateKeyFrom(text.trim()))
  } catch {
    throw new WprmError(
      'signing-key',
      `${variable} holds neither a key file of ours nor an Ed25519 private key in PEM.`,
      `Put the contents of the key file into ${variable}.`
    )
  }
}

/**
 * Keys for the CLI: the environment variable `WPRM_SIGNING_KEY_<NAME>` first (CI secret stores), else the
 * key's encrypted file, opened with the passphrase in WPRM_KEY_PASSPHRASE. A new key is written encrypted
 * into `<data>/keys/`; without a passphrase it is refused (never written in clear).
 */
export function fileKeySource(dataDir: string, env: NodeJS.ProcessEnv = process.env): SigningKeySource {
  const fromEnvironment = (name: string): SigningKeyPair | null => {
    const text = env[keyVariable(name)]
    return text === undefined || text === '' ? null : pairFromText(text, name, env)
  }
  return {
    fromEnvironment,
    async open(record) {
      const pair =
        fromEnvironment(record.name) ??
        (record.file !== null
          ? await readKeyFile(record.file, env[KEY_PASSPHRASE_VAR], KEY_PASSPHRASE_VAR)
          : missing(record, `set ${keyVariable(record.name)} to it`))
      return matching(record, pair)
    },
    async keep(name, pair) {
      const passphrase = env[KEY_PASSPHRASE_VAR]
      if (passphrase === undefined || passphrase === '')
        throw new WprmError(
          'signing-key',
          `A new signing key needs a passphrase to be kept encrypted, and ${KEY_PASSPHRASE_VAR} is not set.`,
          `Set ${KEY_PASSPHRASE_VAR} (at least 8 characters) and run the command again; keep the passphrase in your password manager.`
        )
      const file = path.join(keysDir(dataDir), `${name}.key.json`)
      // The folder is its owner's only, as ~/.ssh is.
      await mkdir(keysDir(dataDir), { recursive: true, mode: 0o700 })
      await writeKeyFile(file, encryptKeyFile(pair, name, passphrase))
      return { storage: 'file', file }
    }
  }
}

/** Refuses a key whose private half belongs to another public key (a wrong variable, a swapped file). */
export function matching(record: SigningKeyRecord, pair: SigningKeyPair): SigningKeyPair {
  if (pair.publicKey !== record.public_key)
    throw new WprmError(
      'signing-key',
      `The private key given for ${record.name} is another key (id ${pair.keyId}, expected ${record.key_id}).`,
      `Give the private key of ${record.name}; \`wprm key list\` shows its id.`
    )
  return pair
}

function missing(record: SigningKeyRecord, how: string): never {
  throw new WprmError(
    'signing-key',
    `The private key of ${record.name} (id ${record.key_id}) is not on this machine.`,
    `To sign with it here, ${how}.`
  )
}

/** For the vault's source: a key the secret store does not hold. */
export function missingKey(record: SigningKeyRecord, how: string): never {
  return missing(record, how)
}
