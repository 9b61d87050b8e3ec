import type { PublishResult } from '../../../../src-shared/model.js'
import type { PublishRequest } from '../publish-job.js'
import type { StoreServer } from './open-store.js'

/** Publishes to an object store. */
export async function publishToStore(request: PublishRequest, server: StoreServer): Promise<PublishResult> {
  throw new Error(`not yet: ${request.plugin.slug} on ${server.name}`)
}
