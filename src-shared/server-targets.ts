import type { SecretKind, SecretStatus, ServerProfile } from './model.js'

/**
 * What a server profile's target kind decides, in one place: where a plugin's files live on it and how
 * messages name it. Every other rule (the plan, the manifest, the ledger) is the same on every kind.
 */

/**
 * Where a plugin's files live on its server: a folder under the remote root over SFTP; on an object store or a
 * local folder, the key prefix (relative to the target's root, which the store adds).
 */
export function pluginFolder(server: ServerProfile, slug: string): string {
  if (server.kind !== 'sftp') return slug
  return `${server.remote_root.replace(/\/+$/, '')}/${slug}`
}

/** How messages name the place a server's files go: `host`, `s3://bucket/prefix`, or the folder. */
export function targetPlace(server: ServerProfile): string {
  switch (server.kind) {
    case 'sftp':
      return server.host
    case 's3':
      return `s3://${server.bucket}/${server.key_prefix}`
    case 'local':
      return server.root
  }
}

/** The server's login and place in one line, as `server list` and the screens show it. */
export function targetSummary(server: ServerProfile): string {
  switch (server.kind) {
    case 'sftp':
      return `${server.user}@${server.host}:${server.port}${server.remote_root}`
    case 's3':
      return `s3://${server.bucket}/${server.key_prefix}${server.endpoint === null ? ` (${server.region})` : ` at ${server.endpoint}`}`
    case 'local':
      return `folder ${server.root}`
  }
}

/** How wprm logs in to the target, without the secret: the SFTP auth kind, the S3 keys' variables, nothing for a folder. */
export function targetAuth(server: ServerProfile): string {
  switch (server.kind) {
    case 'sftp':
      return server.auth.kind
    case 's3':
      return `$${server.access_key_env}, $${server.secret_key_env}`
    case 'local':
      return '-'
  }
}

/**
 * The secrets the app can keep for a server (in the OS keychain, never in the profile): an SFTP password or key
 * passphrase, an S3 key pair; none for an SSH agent or a local folder.
 */
export function targetSecrets(server: ServerProfile): readonly SecretKind[] {
  switch (server.kind) {
    case 'sftp':
      return server.auth.kind === 'agent' ? [] : server.auth.kind === 'password' ? ['password'] : ['passphrase']
    case 's3':
      return ['s3-access-key-id', 's3-secret-access-key']
    case 'local':
      return []
  }
}

/** Whether the app keeps this secret of a server, as its SecretStatus says. */
export function isSecretStored(status: SecretStatus, kind: SecretKind): boolean {
  switch (kind) {
    case 'password':
      return status.password
    case 'passphrase':
      return status.passphrase
    case 's3-access-key-id':
      return status.s3_access_key_id
    case 's3-secret-access-key':
      return status.s3_secret_access_key
  }
}
