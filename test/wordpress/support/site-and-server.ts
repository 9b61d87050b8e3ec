import type { UpdateServer } from '../../support/update-server.js'
import { startUpdateServer } from '../../support/update-server.js'
import type { StartWordPressOptions, WordPressSite } from './wordpress-site.js'
import { startWordPress } from './wordpress-site.js'

/**
 * Starts a WordPress site and the update server side by side: both or neither (one that started is stopped
 * again when the other failed, and the other's error is thrown).
 */
export async function startSiteAndUpdateServer(
  options: StartWordPressOptions = {}
): Promise<{ readonly site: WordPressSite; readonly server: UpdateServer }> {
  const [wordpress, updates] = await Promise.allSettled([startWordPress(options), startUpdateServer()])
  if (wordpress.status === 'rejected' || updates.status === 'rejected') {
    if (wordpress.status === 'fulfilled') await wordpress.value.stop()
    if (updates.status === 'fulfilled') await updates.value.stop()
    throw wordpress.status === 'rejected' ? wordpress.reason : (updates as PromiseRejectedResult).reason
  }
  return { site: wordpress.value, server: updates.value }
}
