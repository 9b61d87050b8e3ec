import { unlink } from 'node:fs/promises'
import type {
  AddVersionInput,
  BuildResult,
  ChangeStatusInput,
  ChangeStatusResult,
  PluginRecord,
  PluginVersionRecord,
  PublishResult,
  RollbackResult,
  VerifyReport,
  VersionStatus
} from '../../../src-shared/model.js'
import { hashFile } from '../build/checksums.js'
import { WprmError, isErrnoCode } from '../errors.js'
import { buildVersionZip, pointLatestLink } from '../build/packager.js'
import { readSourceInfo } from '../source/plugin-source.js'
import { publishPlugin } from '../remote/publisher.js'
import { requirePlugin, requireServer, requireVersion, versionsOf } from '../db/lookups.js'
import type { ReleaseContext } from './context.js'
import { CHECKLIST_LENGTH, verifyRelease } from '../remote/verifier.js'
import type { Database } from '../db/store.js'
import { recordActivity } from '../db/store.js'
import { assertNewVersionAllowed, assertTransitionAllowed, compareVersions, isLive, latestLive, parseVersion, versionCode } from '../../../src-shared/versions.js'

function replaceVersion(db: Database, record: PluginVersionRecord): void {
  const index = db.versions.findIndex((v) => v.plugin === record.plugin && v.version === record.version)
  if (index === -1) db.versions.push(record)
  else db.versions[index] = record
}

/**
 * A new version record from the three fields the user gives: the rest is copied from the previous
 * version (or, for the first, read from the plugin header) or computed.
 */
export function autoFillVersion(
  input: AddVersionInput,
  previous: PluginVersionRecord | null,
  header: { readonly requires_php: string | null; readonly requires_wp: string | null },
  now: Date
): PluginVersionRecord {
  const at = now.toISOString()
  return {
    plugin: input.slug,
    version: input.version,
    status: 'draft',
    changelog: input.changelog.trim(),
    version_code: versionCode(input.version),
    min_api_version: input.minApiVersion ?? previous?.min_api_version ?? null,
    min_platform_version: input.minPlatformVersion ?? previous?.min_platform_version ?? header.requires_wp,
    min_php_version: input.minPhpVersion ?? previous?.min_php_version ?? header.requires_php,
    force_update: input.forceUpdate ?? false,
    file_path: null,
    file_size: null,
    checksum: null,
    checksum_md5: null,
    released_at: null,
    revoked_at: null,
    created_at: at,
    updated_at: at
  }
}

/**
 * Adds a version with three fields (version, changelog, status); a live status builds it at once.
 */
export function addVersion(ctx: ReleaseContext, input: AddVersionInput): Promise<ChangeStatusResult> {
  return ctx.store.transact(`add version ${input.slug} ${input.version}`, async (db) => {
    const plugin = requirePlugin(db, input.slug)
    const existing = versionsOf(db, plugin.slug)
    assertNewVersionAllowed(input.version, existing.map((v) => v.version))
    if (input.changelog.trim() === '') {
      throw new WprmError('usage', 'The changelog is empty.', 'Say what changed in this version (--changelog "Fixed …").')
    }
    const status = input.status ?? 'draft'
    if (status === 'deprecated') {
      throw new WprmError('invalid-transition', 'A new version cannot start as deprecated.', 'Add it as draft, released or update_ready.')
    }
    const source = await readSourceInfo(plugin.source_dir, plugin.main_file, plugin.version_constant)
    const record = autoFillVersion(input, existing[0] ?? null, source, ctx.now())
    db.versions.push(record)
    recordActivity(db, {
      at: record.created_at,
      plugin: plugin.slug,
      version: record.version,
      action: 'version.add',
      summary: `Added ${record.version} as draft`,
      changes: { version: [null, record.version], changelog: [null, record.changelog] }
    })
    if (status === 'draft') return { versions: [record], builds: [], publish: null }
    return applyStatusChange(ctx, db, plugin, [record.version], status)
  })
}

/**
 * Moves one or several versions to a new status (the bulk actions), all or none.
 */
export function changeStatus(ctx: ReleaseContext, input: ChangeStatusInput): Promise<ChangeStatusResult> {
  if (input.versions.length === 0) {
    return Promise.reject(new WprmError('usage', 'No version given.', 'Name one or more versions.'))
  }
  return ctx.store.transact(`${input.status} ${input.slug} ${input.versions.join(' ')}`, (db) =>
    applyStatusChange(ctx, db, requirePlugin(db, input.slug), input.versions, input.status)
  )
}

/** Checks that a kept ZIP is still the one recorded, before a version goes live again. */
async function assertZipIntact(record: PluginVersionRecord): Promise<void> {
  const missing = (): never => {
    throw new WprmError(
      'zip-missing',
      `The ZIP of ${record.version} is gone${record.file_path ? ` (${record.file_path})` : ' (it was pruned)'}, so ${record.version} cannot be made live again.`,
      'Release a new version built from the source instead.'
    )
  }
  if (record.file_path === null || record.checksum === null) return missing()
  try {
    const actual = await hashFile(record.file_path)
    if (actual.sha256 !== record.checksum) {
      throw new WprmError(
        'zip-conflict',
        `The ZIP of ${record.version} at ${record.file_path} is not the one released (SHA-256 ${actual.sha256.slice(0, 12)}…, recorded ${record.checksum.slice(0, 12)}…).`,
        'Put the original file back, or release a new version instead.'
      )
    }
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT')) missing()
    throw error
  }
}

async function applyStatusChange(
  ctx: ReleaseContext,
  db: Database,
  plugin: PluginRecord,
  versions: readonly string[],
  status: VersionStatus
): Promise<ChangeStatusResult> {
  const unique = [...new Set(versions)]
  const records = unique.map((v) => {
    parseVersion(v)
    return requireVersion(db, plugin.slug, v)
  })
  for (const record of records) assertTransitionAllowed(record.version, record.status, status)

  const before = versionsOf(db, plugin.slug)
  const after = before.map((v) => (unique.includes(v.version) ? { ...v, status } : v))
  if (latestLive(before) !== null && latestLive(after) === null) {
    throw new WprmError(
      'last-live-version',
      `Deprecating ${unique.join(', ')} would leave ${plugin.slug} with no live version: sites would have nothing to install.`,
      'Roll back instead (make an older version live again), or release a newer version first.'
    )
  }

  // Builds first, in version order; records change only once every build has succeeded.
  const builds: BuildResult[] = []
  const created: string[] = []
  const at = ctx.now().toISOString()
  const changed: PluginVersionRecord[] = []
  try {
    for (const record of [...records].sort((a, b) => compareVersions(a.version, b.version))) {
      // A version made live again is no longer withdrawn.
      let next: PluginVersionRecord = { ...record, status, updated_at: at, revoked_at: isLive(status) ? null : record.revoked_at }
      if (isLive(status) && record.status === 'draft') {
        const build = await buildVersionZip({ plugin, version: record.version, job: `${plugin.slug}@${record.version}`, onProgress: ctx.onProgress })
        builds.push(build)
        if (!build.reused) created.push(build.file_path)
        next = {
          ...next,
          file_path: build.file_path,
          file_size: build.file_size,
          checksum: build.checksum,
          checksum_md5: build.checksum_md5,
          released_at: record.released_at ?? at
        }
      } else if (isLive(status)) {
        await assertZipIntact(record)
      }
      changed.push(next)
    }
  } catch (error) {
    // Nothing half-done: ZIPs this change created go with it.
    await Promise.all(created.map((file) => unlink(file).catch(() => undefined)))
    throw error
  }

  for (const next of changed) {
    const previous = records.find((r) => r.version === next.version)!
    replaceVersion(db, next)
    const build = builds.find((b) => b.version === next.version)
    recordActivity(db, {
      at,
      plugin: plugin.slug,
      version: next.version,
      action: 'version.status',
      summary: `${next.version}: ${previous.status} → ${status}${build ? ` (built ${build.file_size} bytes, SHA-256 ${build.checksum.slice(0, 12)}…)` : ''}`,
      changes: {
        status: [previous.status, status],
        ...(build ? { checksum: [previous.checksum, build.checksum], file_size: [previous.file_size, build.file_size] } : {})
      }
    })
  }
  let publish: PublishResult | null
  try {
    // Published before the database is written: if the server cannot take it, nothing changes here either.
    publish = await publishIfConfigured(ctx, db, plugin, `${plugin.slug}@${unique.join(',')}`)
  } catch (error) {
    await Promise.all(created.map((file) => unlink(file).catch(() => undefined)))
    throw error
  }
  await pointLatestLink(plugin.dist_dir, plugin.slug, latestLive(versionsOf(db, plugin.slug))?.version ?? null)
  return { versions: changed, builds, publish }
}

/**
 * Publishes the plugin's state as it stands in `db` when it has a server, and records the manifest
 * version; returns null for a plugin without a server.
 */
export async function publishIfConfigured(
  ctx: ReleaseContext,
  db: Database,
  plugin: PluginRecord,
  job: string,
  options: { readonly breakStaleLock?: boolean; readonly retire?: readonly string[] } = {}
): Promise<PublishResult | null> {
  if (plugin.server === null) return null
  const server = requireServer(db, plugin.server)
  const result = await publishPlugin({
    plugin,
    versions: versionsOf(db, plugin.slug),
    server,
    secrets: ctx.secrets,
    now: ctx.now,
    job,
    onProgress: ctx.onProgress,
    breakStaleLock: options.breakStaleLock,
    retire: options.retire,
    lockWaitMs: ctx.remoteLockWaitMs,
    session: ctx.sessionOptions
  })
  const at = ctx.now().toISOString()
  const index = db.plugins.findIndex((p) => p.slug === plugin.slug)
  db.plugins[index] = { ...db.plugins[index]!, manifest_version: result.manifest_version, published_at: at, updated_at: at }
  recordActivity(db, {
    at,
    plugin: plugin.slug,
    version: result.latest,
    action: 'publish',
    summary: `Published manifest #${result.manifest_version} to ${server.name}: ${result.latest} live${result.uploaded.length ? `, uploaded ${result.uploaded.join(', ')}` : ''}`,
    changes: { manifest_version: [plugin.manifest_version, result.manifest_version] }
  })
  return result
}

/** Republishes a plugin's current state (finishes an interrupted publish). */
export function publishNow(ctx: ReleaseContext, slug: string, breakStaleLock = false): Promise<PublishResult> {
  return ctx.store.transact(`publish ${slug}`, async (db) => {
    const plugin = requirePlugin(db, slug)
    if (plugin.server === null) {
      throw new WprmError('usage', `${slug} has no server to publish to.`, `Choose one: wprm plugin set ${slug} --server NAME.`)
    }
    for (const record of versionsOf(db, slug).filter((v) => isLive(v.status))) await assertZipIntact(record)
    return (await publishIfConfigured(ctx, db, plugin, `${slug}@publish`, { breakStaleLock }))!
  })
}

/**
 * Rolls back to an older version: every live version above it is deprecated and listed as revoked, the
 * target is live again, and the result is published in one publish; then the checklist runs.
 */
export async function rollback(ctx: ReleaseContext, slug: string, to: string): Promise<RollbackResult> {
  parseVersion(to)
  const changed = await ctx.store.transact(`rollback ${slug} to ${to}`, async (db) => {
    const plugin = requirePlugin(db, slug)
    const target = requireVersion(db, slug, to)
    if (target.status === 'draft') {
      throw new WprmError('invalid-transition', `${to} was never released, so there is nothing to roll back to.`, 'Roll back to a version that was released before.')
    }
    const above = versionsOf(db, slug).filter((v) => isLive(v.status) && compareVersions(v.version, to) > 0)
    if (above.length === 0 && isLive(target.status)) {
      throw new WprmError('invalid-transition', `${to} is already the newest live version of ${slug}.`, 'Nothing to roll back.')
    }
    await assertZipIntact(target)
    const at = ctx.now().toISOString()
    for (const record of above) {
      replaceVersion(db, { ...record, status: 'deprecated', revoked_at: at, updated_at: at })
    }
    if (!isLive(target.status)) replaceVersion(db, { ...target, status: 'released', revoked_at: null, updated_at: at })
    recordActivity(db, {
      at,
      plugin: slug,
      version: to,
      action: 'rollback',
      summary: `Rolled back to ${to}; revoked ${above.map((v) => v.version).join(', ')}`,
      changes: Object.fromEntries([...above.map((v) => [`${v.version}.status`, [v.status, 'deprecated']] as const), [`${to}.status`, [target.status, 'released']] as const])
    })
    const publish = await publishIfConfigured(ctx, db, plugin, `${slug}@rollback-${to}`)
    await pointLatestLink(plugin.dist_dir, slug, to)
    return { plugin, revoked: above.map((v) => v.version), publish }
  })
  const verify = changed.publish === null ? null : await verifyVersion(ctx, slug, to)
  return { slug, live: to, revoked: changed.revoked, publish: changed.publish, verify }
}

/** Runs the checklist for a version (the latest live one by default). */
export async function verifyVersion(ctx: ReleaseContext, slug: string, version?: string): Promise<VerifyReport> {
  const db = await ctx.store.read()
  const plugin = requirePlugin(db, slug)
  const versions = versionsOf(db, slug)
  const record = version === undefined ? latestLive(versions) : requireVersion(db, slug, version)
  if (record === null) {
    throw new WprmError('not-found', `${slug} has no live version to verify.`, `Name a version: wprm verify ${slug} <version>.`)
  }
  const job = `${slug}@verify-${record.version}`
  return verifyRelease({
    plugin,
    versions,
    version: record,
    server: plugin.server === null ? null : requireServer(db, plugin.server),
    secrets: ctx.secrets,
    session: ctx.sessionOptions,
    onCheck: (check) => ctx.onCheck?.({ ...check, job, total: CHECKLIST_LENGTH })
  })
}
