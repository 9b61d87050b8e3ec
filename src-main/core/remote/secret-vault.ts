import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import path from 'node:path'
import type { S3Server, SecretKind, SecretStatus, SftpServer } from '../../../src-shared/model.js'
import { DurableJsonFile } from '../fs/durable-json-file.js'
import { WprmError } from '../errors.js'
import type { SecretProvider } from './secrets.js'
import type { S3Credentials } from './targets/s3-store.js'
import type { SigningKeySource } from '../signing/key-source.js'
import { matching } from '../signing/key-source.js'
import { keyPairOf, privateKeyBytes, privateKeyFrom } from '../signing/keys.js'

/** The vault's entry of a signing key (a colon never occurs in a server name, so the two cannot meet). */
const signingEntry = (name: string): string => `signing-key:${name}`

/**
 * What encrypts secrets at rest: Electron's safeStorage in the app (the OS keychain), AES-GCM with a key
 * held in memory in tests. `basic_text` means the OS offers no real protection.
 */
export interface SecretCipher {
  readonly backend: SecretStatus['backend']
  encrypt(plain: string): Buffer
  decrypt(data: Buffer): string
}

/** AES-256-GCM with a random key that lives only in this process (tests, and nothing on disk can be read later). */
export function createAesCipher(key: Buffer = randomBytes(32)): SecretCipher {
  return {
    backend: 'os',
    encrypt(plain) {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, iv)
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return Buffer.concat([iv, cipher.getAuthTag(), body])
    },
    decrypt(data) {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12))
      decipher.setAuthTag(data.subarray(12, 28))
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8')
    }
  }
}

type Kind = SecretKind

/** The vault file: encrypted blobs (base64) by `<server>/<kind>`; never a secret in plain text. */
interface VaultFile {
  readonly vault: 1
  readonly secrets: Record<string, string>
}

const isVaultFile = (value: unknown): value is VaultFile =>
  typeof value === 'object' && value !== null && (value as VaultFile).vault === 1 && typeof (value as VaultFile).secrets === 'object'

/**
 * Server passwords, key passphrases and S3 key pairs, encrypted by the cipher and kept in `<data>/secrets.json`.
 * The renderer only ever learns whether one is stored.
 */
export class SecretVault {
  private readonly file: DurableJsonFile<VaultFile>

  constructor(
    dataDir: string,
    private readonly cipher: SecretCipher
  ) {
    this.file = new DurableJsonFile(path.join(dataDir, 'secrets.json'), isVaultFile)
  }

  private async load(): Promise<Record<string, string>> {
    return { ...((await this.file.read())?.secrets ?? {}) }
  }

  async status(server: string): Promise<SecretStatus> {
    const secrets = await this.load()
    return {
      server,
      password: `${server}/password` in secrets,
      passphrase: `${server}/passphrase` in secrets,
      s3_access_key_id: `${server}/s3-access-key-id` in secrets,
      s3_secret_access_key: `${server}/s3-secret-access-key` in secrets,
      backend: this.cipher.backend
    }
  }

  /** Stores a secret; refused without consent when the OS cannot really protect it. */
  async store(server: string, kind: Kind, value: string, allowWeakStorage: boolean): Promise<SecretStatus> {
    if (this.cipher.backend === 'unavailable') {
      throw new WprmError(
        'weak-secret-storage',
        'This system offers no way to store secrets.',
        'Use an SSH agent, or a key without a passphrase kept by your OS.'
      )
    }
    if (this.cipher.backend === 'basic_text' && !allowWeakStorage) {
      throw new WprmError(
        'weak-secret-storage',
        'Your system has no secret store (no keyring is running), so the secret would be protected only weakly.',
        'Start a keyring (GNOME Keyring or KWallet) and restart the app, use an SSH agent, or agree to store it anyway.'
      )
    }
    if (value.trim() === '') throw new WprmError('usage', 'The secret is empty.', 'Type the password, passphrase or key.')
    const secrets = await this.load()
    secrets[`${server}/${kind}`] = this.cipher.encrypt(value).toString('base64')
    await this.file.write({ vault: 1, secrets })
    return this.status(server)
  }

  async delete(server: string, kind: Kind): Promise<SecretStatus> {
    const secrets = await this.load()
    delete secrets[`${server}/${kind}`]
    await this.file.write({ vault: 1, secrets })
    return this.status(server)
  }

  /** Secrets for connections: the vault first, then the environment variable the profile names. */
  provider(fallback: SecretProvider, env: NodeJS.ProcessEnv = process.env): SecretProvider {
    return {
      secret: async (server: SftpServer, kind: 'password' | 'passphrase') => {
        const blob = (await this.load())[`${server.name}/${kind}`]
        return blob === undefined ? fallback.secret(server, kind) : this.cipher.decrypt(Buffer.from(blob, 'base64'))
      },
      s3Credentials: async (server: S3Server) => this.s3Credentials(server, env)
    }
  }

  /** An `s3` profile's key pair: each half from the vault, else from the environment variable the profile names. */
  private async s3Credentials(server: S3Server, env: NodeJS.ProcessEnv): Promise<S3Credentials> {
    const secrets = await this.load()
    const read = (kind: 's3-access-key-id' | 's3-secret-access-key', variable: string, what: string): string => {
      const blob = secrets[`${server.name}/${kind}`]
      if (blob !== undefined) return this.cipher.decrypt(Buffer.from(blob, 'base64'))
      const value = env[variable]?.trim() ?? ''
      if (value !== '') return value
      throw new WprmError(
        'auth-failed',
        `No S3 ${what} for server ${server.name}: none is stored in this app and the environment variable ${variable} is not set.`,
        `Store the ${what} on the Servers screen (it goes to the OS keychain), or set ${variable} before starting the app.`
      )
    }
    const sessionToken = env.AWS_SESSION_TOKEN
    return {
      accessKeyId: read('s3-access-key-id', server.access_key_env, 'access key id'),
      secretAccessKey: read('s3-secret-access-key', server.secret_key_env, 'secret access key'),
      ...(sessionToken === undefined || sessionToken === '' ? {} : { sessionToken })
    }
  }

  /**
   * Signing keys kept like SSH secrets: the private key (PKCS#8) encrypted by the cipher (safeStorage) in
   * `secrets.json`. A key not in the vault comes from `fallback` (a key file, the environment).
   */
  keySource(fallback: SigningKeySource): SigningKeySource {
    return {
      fromEnvironment: (name) => fallback.fromEnvironment(name),
      open: async (record) => {
        const blob = (await this.load())[signingEntry(record.name)]
        if (blob === undefined) return fallback.open(record)
        return matching(record, keyPairOf(privateKeyFrom(Buffer.from(this.cipher.decrypt(Buffer.from(blob, 'base64')), 'base64'))))
      },
      keep: async (name, pair) => {
        if (this.cipher.backend !== 'os') return fallback.keep(name, pair)
        const secrets = await this.load()
        secrets[signingEntry(name)] = this.cipher.encrypt(privateKeyBytes(pair.privateKey).toString('base64')).toString('base64')
        await this.file.write({ vault: 1, secrets })
        return { storage: 'vault', file: null }
      }
    }
  }
}
