import { rename } from 'node:fs/promises'
import path from 'node:path'
import type {
  ChangeStatusResult,
  EditVersionInput,
  PluginRecord,
  PluginVersionRecord,
  RemovePluginInput
} from '../../../src-shared/model.js'
import { publishJob } from '../../../src-shared/jobs.js'
import { withRecords } from '../../../src-shared/status-plan.js'
import { canChangeSlug, changelogEditPublishes, liveOnServer } from '../../../src-shared/undo-rules.js'
import { latestLive } from '../../../src-shared/versions.js'
import { requirePlugin, requireVersion, versionsOf } from '../db/lookups.js'
import { recordActivity } from '../db/store.js'
import { WprmError, isErrnoCode } from '../errors.js'
import type { ReleaseContext } from './context.js'
import { changePlugin, commitChange, publishVersions } from './plugin-change.js'
import { assertValidSlug } from './plugins.js'

/**
 * Mistakes undone before they reach sites: a draft removed or its changelog corrected, a plugin removed
 * from this workstation, a slug changed before the first release. What sites already have is never
 * undone here: a published version is deprecated or rolled back instead, and a published changelog's
 * correction is published at once.
 */

/** Removes a draft (a mistyped `10.0.0` would otherwise block every lower version). */
export function removeVersion(ctx: ReleaseContext, slug: string, version: string): Promise<PluginVersionRecord> {
  const purpose = `remove version ${slug} ${version}`
  return changePlugin(ctx, slug, purpose, async () => {
    const snapshot = await ctx.store.read()
    const record = requireVersion(snapshot, slug, version)
    if (record.status !== 'draft') {
      throw new WprmError(
        'invalid-transition',
        `${slug} ${version} is ${record.status}: only a draft can be removed (sites may have this version).`,
        record.status === 'deprecated'
          ? 'It stays in the history; `wprm prune` removes old ZIPs.'
          : `Deprecate it (wprm deprecate ${slug} ${version}) or roll back (wprm rollback ${slug} --to <version>).`
      )
    }
    await commitChange(ctx, purpose, snapshot, slug, null, (db) => {
      db.versions = db.versions.filter((v) => !(v.plugin === slug && v.version === version))
      recordActivity(db, {
        at: ctx.now().toISOString(),
        plugin: slug,
        version,
        action: 'version.remove',
        summary: `Removed draft ${version}`,
        changes: { version: [version, null], changelog: [record.changelog, null] }
      })
    })
    return record
  })
}

/**
 * Changes a version's changelog. A draft's changes here only; a published version's (its changelog is in
 * the manifest) is published at once, and recorded only once the server has it.
 */
export function editVersion(ctx: ReleaseContext, input: EditVersionInput): Promise<ChangeStatusResult> {
  const { slug, version } = input
  const changelog = input.changelog.trim()
  if (changelog === '') {
    return Promise.reject(new WprmError('usage', 'The changelog is empty.', 'Say what changed in this version (--changelog "Fixed …").'))
  }
  const purpose = `edit version ${slug} ${version}`
  return changePlugin(ctx, slug, purpose, async () => {
    const snapshot = await ctx.store.read()
    const plugin = requirePlugin(snapshot, slug)
    const record = requireVersion(snapshot, slug, version)
    if (record.changelog === changelog) return { versions: [record], builds: [], publish: null, already: true }
    const at = ctx.now().toISOString()
    const next: PluginVersionRecord = { ...record, changelog, updated_at: at }
    const versions = withRecords(versionsOf(snapshot, slug), [next])
    const published = changelogEditPublishes(plugin, record, versions)
      ? await publishVersions(ctx, snapshot, plugin, versions, publishJob(slug), {
          retryCommand: `wprm version edit ${slug} ${version} --changelog …`
        })
      : null
    await commitChange(ctx, purpose, snapshot, slug, published, (db) => {
      const index = db.versions.findIndex((v) => v.plugin === slug && v.version === version)
      db.versions[index] = next
      recordActivity(db, {
        at,
        plugin: slug,
        version,
        action: 'version.edit',
        summary: `Changed the changelog of ${version}${published === null ? '' : ' (published)'}`,
        changes: { changelog: [record.changelog, changelog] }
      })
    })
    return { versions: [next], builds: [], publish: published?.result ?? null }
  })
}

/**
 * Removes a plugin from this workstation: its records and its activity stay in the log; its ZIPs stay in
 * the dist folder. Refused while it has live versions on a server, unless `keepServer` says the server
 * keeps offering them (another workstation can import it from there).
 */
export function removePlugin(ctx: ReleaseContext, input: RemovePluginInput): Promise<PluginRecord> {
  const { slug } = input
  const purpose = `remove plugin ${slug}`
  return changePlugin(ctx, slug, purpose, async () => {
    const snapshot = await ctx.store.read()
    const plugin = requirePlugin(snapshot, slug)
    const live = liveOnServer(plugin, latestLive(versionsOf(snapshot, slug)))
    if (live !== null && input.keepServer !== true) {
      throw new WprmError(
        'invalid-transition',
        `${slug} has live versions on ${plugin.server} (${live.version} is offered to sites); removing it here would leave nobody in charge of them.`,
        `Add --keep-server to remove it from this workstation only (the server keeps offering ${live.version}; wprm plugin import --server ${plugin.server} ${slug} brings it back).`
      )
    }
    return ctx.store.transact(purpose, (db) => {
      db.plugins = db.plugins.filter((p) => p.slug !== slug)
      db.versions = db.versions.filter((v) => v.plugin !== slug)
      recordActivity(db, {
        at: ctx.now().toISOString(),
        plugin: slug,
        version: null,
        action: 'plugin.remove',
        summary: `Removed ${plugin.name} from this workstation${plugin.server !== null && plugin.manifest_version > 0 ? `; ${plugin.server} keeps what it has` : ''}; ZIPs kept in ${plugin.dist_dir}`,
        changes: { slug: [slug, null] }
      })
      return plugin
    })
  })
}

/**
 * Changes a plugin's slug: only before its first release (sites know a plugin by its folder, and the
 * server by it too). Its records follow, and its dist folder when it is the default one.
 */
export function renamePlugin(ctx: ReleaseContext, slug: string, newSlug: string): Promise<PluginRecord> {
  assertValidSlug(newSlug)
  const purpose = `rename plugin ${slug} to ${newSlug}`
  return changePlugin(ctx, slug, purpose, async () => {
    const snapshot = await ctx.store.read()
    const plugin = requirePlugin(snapshot, slug)
    if (newSlug === slug) return plugin
    const versions = versionsOf(snapshot, slug)
    if (!canChangeSlug(plugin, versions)) {
      const released = versions.filter((v) => v.status !== 'draft')
      throw new WprmError(
        'invalid-transition',
        `${slug} was released already (${released.map((v) => v.version).join(', ') || `manifest #${plugin.manifest_version}`}): its slug is the folder name sites have, so it can no longer change.`,
        'Keep the slug; a different slug is a different plugin (add it anew with --slug).'
      )
    }
    if (snapshot.plugins.some((p) => p.slug === newSlug)) {
      throw new WprmError('already-exists', `A plugin "${newSlug}" already exists.`, 'Choose another slug.')
    }
    const defaultDist = path.join(ctx.store.dataDir, 'dist', slug)
    const distDir = plugin.dist_dir === defaultDist ? path.join(ctx.store.dataDir, 'dist', newSlug) : plugin.dist_dir
    const at = ctx.now().toISOString()
    const next: PluginRecord = { ...plugin, slug: newSlug, dist_dir: distDir, updated_at: at }
    const renamed = await ctx.store.transact(purpose, (db) => {
      if (db.plugins.some((p) => p.slug === newSlug))
        throw new WprmError('already-exists', `A plugin "${newSlug}" already exists.`, 'Choose another slug.')
      const index = db.plugins.findIndex((p) => p.slug === slug)
      db.plugins[index] = next
      db.versions = db.versions.map((v) => (v.plugin === slug ? { ...v, plugin: newSlug, updated_at: at } : v))
      recordActivity(db, {
        at,
        plugin: newSlug,
        version: null,
        action: 'plugin.rename',
        summary: `Slug changed from ${slug} to ${newSlug}`,
        changes: { slug: [slug, newSlug], dist_dir: [plugin.dist_dir, distDir] }
      })
      return next
    })
    // Drafts have no ZIP; the folder may still hold stray files, which follow.
    if (distDir !== plugin.dist_dir) {
      await rename(plugin.dist_dir, distDir).catch((error: unknown) => {
        if (!isErrnoCode(error, 'ENOENT')) throw error
      })
    }
    return renamed
  })
}
