import type { LocalServer, S3Server } from '../../../../src-shared/model.js'
import type { SecretProvider } from '../secrets.js'
import { LocalStore } from './local-store.js'
import type { ObjectStore } from './object-store.js'
import type { S3StoreOptions } from './s3-store.js'
import { S3Store, s3CredentialsFromEnvironment } from './s3-store.js'

/** A server profile whose files are objects: an S3-compatible bucket or a folder here. */
export type StoreServer = S3Server | LocalServer

/**
 * The ObjectStore of an `s3` or `local` profile. An S3 target's keys come from the secret provider (the app's
 * keychain first) or else the environment variables the profile names; a missing key is `auth-failed` saying where
 * to put it, before anything is sent.
 */
export async function openStore(server: StoreServer, secrets: SecretProvider, options: S3StoreOptions = {}): Promise<ObjectStore> {
  if (server.kind === 'local') return new LocalStore(server)
  const credentials = secrets.s3Credentials === undefined ? s3CredentialsFromEnvironment(server) : await secrets.s3Credentials(server)
  return S3Store.open(server, credentials, options)
}
