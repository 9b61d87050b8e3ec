import { Store } from '../../src-main/core/db/store.js'
import type { S3Server } from '../../src-shared/model.js'
import { normalizeS3Target } from '../../src-shared/input-rules.js'
import type { ObjectStoreServer } from './object-store.js'

/** The environment variables the test profiles name for the RGW user's key pair. */
export const S3_KEY_ENV = { access: 'WPRM_TEST_S3_ID', secret: 'WPRM_TEST_S3_SECRET' } as const

/** The environment that carries the RGW user's key pair under S3_KEY_ENV's names. */
export function s3KeyEnv(rgw: ObjectStoreServer): NodeJS.ProcessEnv {
  return { [S3_KEY_ENV.access]: rgw.accessKeyId, [S3_KEY_ENV.secret]: rgw.secretAccessKey }
}

/** Where a profile made by s3Profile is: its key prefix in the bucket and its public base URL. */
export function s3Place(rgw: ObjectStoreServer, name: string): { readonly keyPrefix: string; readonly publicUrl: string } {
  return { keyPrefix: `${name}/`, publicUrl: `${rgw.endpoint}/${rgw.bucket}/${name}/` }
}

/**
 * An `s3` server profile `name` on the RGW's bucket under the key prefix `<name>/`, read anonymously at the
 * bucket's own URL. `endpoint` puts something else (a proxy) between the API and the gateway; sites still read
 * the gateway itself.
 */
export function s3Profile(rgw: ObjectStoreServer, name: string, options: { readonly endpoint?: string } = {}): S3Server {
  const at = new Date().toISOString()
  return {
    name,
    access_logs: [],
    created_at: at,
    updated_at: at,
    ...normalizeS3Target({
      endpoint: options.endpoint ?? rgw.endpoint,
      region: rgw.region,
      bucket: rgw.bucket,
      ...s3Place(rgw, name),
      accessKeyEnv: S3_KEY_ENV.access,
      secretKeyEnv: S3_KEY_ENV.secret,
      mutableMaxAge: '30'
    })
  }
}

/** Stores a server profile in a data folder as `server add` does (until it takes s3 profiles). */
export async function storeProfile(dataDir: string, profile: S3Server): Promise<void> {
  await new Store(dataDir).transact(`add the test server ${profile.name}`, (db) => void db.servers.push(profile))
}
