import type { S3Server, SftpServer } from '../../../src-shared/model.js'
import type { S3Credentials } from './targets/s3-store.js'
import { s3CredentialsFromEnvironment } from './targets/s3-store.js'

/** Where passwords and key passphrases come from: the environment for the CLI, safeStorage for the app. */
export interface SecretProvider {
  secret(server: SftpServer, kind: 'password' | 'passphrase'): Promise<string | null>
  /** An `s3` target's key pair (the app's keychain, then the environment); without it, the environment variables the profile names. */
  s3Credentials?(server: S3Server): Promise<S3Credentials>
}

/** Reads secrets from the environment variables a profile names. */
export function environmentSecrets(env: NodeJS.ProcessEnv = process.env): SecretProvider {
  return {
    secret: async (server, kind) => {
      const variable =
        kind === 'password' && server.auth.kind === 'password'
          ? server.auth.password_env
          : kind === 'passphrase' && (server.auth.kind === 'key' || server.auth.kind === 'key-env')
            ? server.auth.passphrase_env
            : null
      const value = variable === null ? undefined : env[variable]
      return value === undefined || value === '' ? null : value
    },
    s3Credentials: async (server) => s3CredentialsFromEnvironment(server, env)
  }
}
