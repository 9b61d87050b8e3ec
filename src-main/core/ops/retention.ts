import { pruneJob } from '../../../src-shared/jobs.js'
import { unlink } from 'node:fs/promises'
import type { PluginVersionRecord, PruneResult } from '../../../src-shared/model.js'
import { compareVersions, isPrerelease, latestLiveBeta } from '../../../src-shared/versions.js'
import { WprmError, isErrnoCode } from '../errors.js'
import type { ReleaseContext } from './context.js'
import { requirePlugin, versionsOf } from '../db/lookups.js'
import { recordActivity } from '../db/store.js'
import { changePlugin, commitChange, publishVersions } from './plugin-change.js'

/** The fewest ZIPs kept for an emergency rollback, as the system we replace required. */
export const MIN_KEEP = 3

/**
 * The ZIPs `prune --keep N` removes from `withZip` (a plugin's versions with a ZIP, newest first): deprecated
 * stable versions beyond the newest `keep` stable ones (what a rollback can go to: always stable), and
 * deprecated pre-releases below the highest live version (a beta superseded by what came after it).
 * For a plugin without pre-releases: the deprecated ones beyond the newest `keep`, as before channels.
 */
export function pruneCandidates(withZip: readonly PluginVersionRecord[], keep: number): PluginVersionRecord[] {
  const keptStable = new Set(
    withZip
      .filter((v) => !isPrerelease(v.version))
      .slice(0, keep)
      .map((v) => v.version)
  )
  const highest = latestLiveBeta(withZip)
  return withZip.filter(
    (v) =>
      v.status === 'deprecated' &&
      (isPrerelease(v.version) ? highest !== null && compareVersions(v.version, highest.version) < 0 : !keptStable.has(v.version))
  )
}

/**
 * Removes the ZIPs of old deprecated versions beyond the newest `keep` ZIPs, here and on the plugin's
 * server. A live version's ZIP is never removed, nor one of the newest `keep`. Nothing is ever pruned
 * without being asked.
 */
export function pruneZips(ctx: ReleaseContext, slug: string, keep: number = MIN_KEEP): Promise<PruneResult> {
  if (!Number.isInteger(keep) || keep < MIN_KEEP) {
    return Promise.reject(
      new WprmError(
        'usage',
        `--keep must be a whole number of at least ${MIN_KEEP} (got ${keep}).`,
        `Keep at least ${MIN_KEEP} ZIPs so that a rollback is always possible.`
      )
    )
  }
  const purpose = `prune ${slug}`
  return changePlugin(ctx, slug, purpose, async () => {
    const snapshot = await ctx.store.read()
    const plugin = requirePlugin(snapshot, slug)
    const versions = versionsOf(snapshot, slug)
    const withZip = versions.filter((v) => v.file_path !== null)
    const candidates = pruneCandidates(withZip, keep)
    const kept = withZip.filter((record) => !candidates.includes(record)).map((v) => v.version)
    if (candidates.length === 0) return { removed: [], kept }
    // The server first (a manifest without them, then their files): if it fails, nothing here changes.
    const published = await publishVersions(ctx, snapshot, plugin, versions, pruneJob(slug), { retire: candidates.map((v) => v.version) })
    const gone: typeof candidates = []
    for (const record of candidates) {
      // A file that cannot be removed stays recorded (and listed as kept): the database never claims
      // a ZIP is gone while it is still there.
      const removed = await unlink(record.file_path!).then(
        () => true,
        (error: unknown) => isErrnoCode(error, 'ENOENT')
      )
      if (removed) gone.push(record)
      else kept.push(record.version)
    }
    const at = ctx.now().toISOString()
    await commitChange(
      ctx,
      purpose,
      snapshot,
      slug,
      published,
      (db) => {
        for (const record of gone) {
          const i = db.versions.findIndex((v) => v.plugin === slug && v.version === record.version)
          db.versions[i] = { ...record, file_path: null, updated_at: at }
          recordActivity(db, {
            at,
            plugin: slug,
            version: record.version,
            action: 'zip.prune',
            summary: `Removed the ZIP of deprecated ${record.version}`,
            changes: { file_path: [record.file_path, null] }
          })
        }
      },
      { publishFirst: true }
    )
    return { removed: gone.map((v) => v.version), kept }
  })
}
