import { publishJob } from '../../../src-shared/jobs.js'
import { requirePlugin, versionsOf } from '../db/lookups.js'
import { recordActivity } from '../db/store.js'
import type { ReleaseContext } from './context.js'
import type { RotateResult } from './keys.js'
import { assertRotation } from './keys.js'
import { changePlugin, commitChange, publishVersions } from './plugin-change.js'

/**
 * Moves a plugin to another signing key: one publish signed by the old key (which sites trust) and the new
 * one, whose manifest names only the new key as trusted. Sites that accept it remember the new key and
 * refuse a later manifest signed by the old key alone; from here on the plugin is signed with the new key.
 * Revoking a key is the same move: rotate to the key that stays.
 */
export function rotateKey(ctx: ReleaseContext, slug: string, to: string): Promise<RotateResult> {
  const purpose = `rotate the signing key of ${slug} to ${to}`
  return changePlugin(ctx, slug, purpose, async () => {
    const snapshot = await ctx.store.read()
    const plugin = assertRotation(snapshot, slug, to)
    const from = plugin.signing_key!
    const published = (await publishVersions(ctx, snapshot, plugin, versionsOf(snapshot, slug), publishJob(slug), {
      rotateTo: to,
      retryCommand: `wprm key rotate ${slug} --to ${to}`
    }))!
    await commitChange(ctx, purpose, snapshot, slug, published, (db) => {
      const current = requirePlugin(db, slug)
      const at = ctx.now().toISOString()
      db.plugins[db.plugins.indexOf(current)] = { ...current, signing_key: to, updated_at: at }
      recordActivity(db, {
        at,
        plugin: slug,
        version: null,
        action: 'key.rotate',
        summary: `Signing key rotated from ${from} to ${to} in manifest #${published.result.manifest_version}`,
        changes: { signing_key: [from, to] }
      })
    })
    return { ...published.result, from, to }
  })
}
