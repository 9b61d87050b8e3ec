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
import { planRollback, rollbackRecords, zipMissingError } from '../../../src-shared/rollback-plan.js'
import { planStatusChange, statusRecord, withRecords } from '../../../src-shared/status-plan.js'
import type { RequirementField } from '../../../src-shared/input-rules.js'
import { normalizeChangelog, normalizeRequirement } from '../../../src-shared/input-rules.js'
import { assertNewVersionAllowed, isLive, latestLive, normalizeVersion, versionCode } from '../../../src-shared/versions.js'
import { hashFile } from '../build/checksums.js'
import { WprmError, isErrnoCode } from '../errors.js'
import { buildVersionZip, pointLatestLink } from '../build/packager.js'
import { readSourceInfo } from '../source/plugin-source.js'
import { readSourceReadme } from '../source/readme-file.js'
import { entryFor } from '../source/readme-txt.js'
import { requirePlugin, requireServer, requireVersion, versionsOf } from '../db/lookups.js'
import type { ReleaseContext } from './context.js'
import { requireKey } from './keys.js'
import { buildJob, publishJob, releaseJob, rollbackJob, verifyJob } from '../../../src-shared/jobs.js'
import { CHECKLIST_LENGTH, verifyRelease } from '../remote/verifier.js'
import { revokedSitesNotes } from './stats.js'
import type { Database } from '../db/store.js'
import { recordActivity } from '../db/store.js'
import type { Published } from './plugin-change.js'
import { changePlugin, commitChange, publishVersions } from './plugin-change.js'
import { assertOutsideSource } from './plugins.js'

/** The requirements a new version gets, each in its stored form or null. */
interface Requirements {
  readonly min_api_version: string | null
  readonly min_platform_version: string | null
  readonly min_php_version: string | null
}
import { alreadyInStatus, repeatedAdd } from './already.js'
import { assertFirstVersionFromSource } from '../../../src-shared/versions.js'

/**
 * The requirements of a new version: each given one, else the previous version's, else the plugin
 * header's. Whatever the source, the value must be one sites can compare with
 * (`normalizeRequirement`): a header or an inherited value that is not is refused with what to fix,
 * never passed on to a manifest that the updater would refuse.
 */
export function fillRequirements(
  input: AddVersionInput,
  previous: PluginVersionRecord | null,
  header: { readonly requires_php: string | null; readonly requires_wp: string | null },
  mainFile: string
): Requirements {
  const fill = (field: RequirementField, given: string | undefined, inherited: string | null, fromHeader: string | null): string | null => {
    if (given !== undefined) return normalizeRequirement(field, given, { kind: 'input' })
    if (previous !== null && inherited !== null)
      return normalizeRequirement(field, inherited, { kind: 'previous', version: previous.version })
    return fromHeader === null ? null : normalizeRequirement(field, fromHeader, { kind: 'header', file: mainFile })
  }
  return {
    min_api_version: fill('api', input.minApiVersion, previous?.min_api_version ?? null, null),
    min_platform_version: fill('wp', input.minPlatformVersion, previous?.min_platform_version ?? null, header.requires_wp),
    min_php_version: fill('php', input.minPhpVersion, previous?.min_php_version ?? null, header.requires_php)
  }
}

/**
 * A new version record from the three fields the user gives (already in their stored form) and the
 * filled requirements; the rest is computed.
 */
export function newVersionRecord(
  input: AddVersionInput & { readonly version: string; readonly changelog: string },
  requirements: Requirements,
  now: Date
): PluginVersionRecord {
  const at = now.toISOString()
  return {
    plugin: input.slug,
    version: input.version,
    status: 'draft',
    changelog: input.changelog,
    version_code: versionCode(input.version),
    ...requirements,
    force_update: input.forceUpdate ?? false,
    file_path: null,
    file_size: null,
    checksum: null,
    checksum_md5: null,
    released_at: null,
    revoked_at: null,
    allowed_files: [...new Set(input.allow ?? [])],
    ...(input.required === true ? { required: true } : {}),
    created_at: at,
    updated_at: at
  }
}

/** The CLI word of each status change, for the command an interruption's hint names. */
const STATUS_COMMANDS: Readonly<Record<VersionStatus, string>> = {
  draft: 'version add',
  released: 'release',
  update_ready: 'update-ready',
  deprecated: 'deprecate'
}

function replaceVersion(db: Database, record: PluginVersionRecord): void {
  const index = db.versions.findIndex((v) => v.plugin === record.plugin && v.version === record.version)
  if (index === -1) db.versions.push(record)
  else db.versions[index] = record
}

/**
 * Adds a version with three fields (version, changelog, status); a live status builds it at once. Without
 * a changelog, the version's entry in readme.txt's changelog is taken; requirements the main file's
 * header lacks come from readme.txt's header.
 */
export async function addVersion(ctx: ReleaseContext, given: AddVersionInput): Promise<ChangeStatusResult> {
  // Checked and put in their stored form at the door: " 1.2.4" is 1.2.4 in the record, the ZIP name and the source.
  const version = normalizeVersion(given.version)
  // Without a changelog, the version's entry in readme.txt is taken (below).
  const input = {
    ...given,
    version,
    changelog: given.changelog === undefined || given.changelog.trim() === '' ? undefined : normalizeChangelog(given.changelog)
  }
  const purpose = `add version ${input.slug} ${version}`
  return changePlugin(ctx, input.slug, purpose, async () => {
    const snapshot = await ctx.store.read()
    const plugin = requirePlugin(snapshot, input.slug)
    const existing = versionsOf(snapshot, plugin.slug)
    const status = input.status ?? 'draft'
    // Run again (a retried CI job, or after an interruption was reconciled): nothing to do, or the release is left.
    const repeat = await repeatedAdd(
      plugin,
      existing.find((v) => v.version === input.version),
      input
    )
    if (repeat?.kind === 'done') return repeat.result
    const retry = `wprm version add ${plugin.slug} ${input.version} --status ${status} --changelog …`
    if (repeat?.kind === 'release')
      return applyStatusChange(ctx, purpose, snapshot, plugin, existing, [input.version], status, input.allow ?? [], () => undefined, retry)
    assertNewVersionAllowed(
      version,
      existing.map((v) => v.version)
    )
    const readme = await readSourceReadme(plugin.source_dir)
    const fromReadme = input.changelog === undefined && readme !== null ? entryFor(readme.changelog, input.version) : null
    if (input.changelog === undefined && fromReadme === null) {
      throw new WprmError(
        'usage',
        `The changelog is empty, and readme.txt has no entry for ${input.version}.`,
        `Say what changed in this version (--changelog "Fixed …"), or add a "= ${input.version} =" entry under "== Changelog ==" in readme.txt.`
      )
    }
    const changelog = input.changelog ?? normalizeChangelog(fromReadme!)
    if (status === 'deprecated') {
      throw new WprmError('invalid-transition', 'A new version cannot start as deprecated.', 'Add it as draft, released or update_ready.')
    }
    const source = await readSourceInfo(plugin.source_dir, plugin.main_file, plugin.version_constant)
    if (existing.length === 0) assertFirstVersionFromSource(input.version, source.header_version)
    // The main file's requirements first, as WordPress reads them; readme.txt's where the header has none.
    const header = {
      requires_php: source.requires_php ?? readme?.headers.requires_php ?? null,
      requires_wp: source.requires_wp ?? readme?.headers.requires ?? null
    }
    const requirements = fillRequirements(input, existing[0] ?? null, header, plugin.main_file)
    const record = newVersionRecord({ ...input, changelog }, requirements, ctx.now())
    const add = (db: Database): void => {
      db.versions.push(record)
      recordActivity(db, {
        at: record.created_at,
        plugin: plugin.slug,
        version: record.version,
        action: 'version.add',
        summary: `Added ${record.version} as draft`,
        changes: { version: [null, record.version], changelog: [null, record.changelog] }
      })
    }
    if (status === 'draft') {
      await commitChange(ctx, purpose, snapshot, plugin.slug, null, add)
      return { versions: [record], builds: [], publish: null }
    }
    return applyStatusChange(ctx, purpose, snapshot, plugin, [...existing, record], [record.version], status, [], add, retry)
  })
}

/**
 * Moves one or several versions to a new status (the bulk actions), all or none.
 */
export async function changeStatus(ctx: ReleaseContext, given: ChangeStatusInput): Promise<ChangeStatusResult> {
  if (given.versions.length === 0) throw new WprmError('usage', 'No version given.', 'Name one or more versions.')
  const input = { ...given, versions: given.versions.map(normalizeVersion) }
  const purpose = `${input.status} ${input.slug} ${input.versions.join(' ')}`
  return changePlugin(ctx, input.slug, purpose, async () => {
    const snapshot = await ctx.store.read()
    const plugin = requirePlugin(snapshot, input.slug)
    const done = await alreadyInStatus(plugin, versionsOf(snapshot, plugin.slug), input.versions, input.status)
    if (done !== null) return done
    return applyStatusChange(
      ctx,
      purpose,
      snapshot,
      plugin,
      versionsOf(snapshot, plugin.slug),
      input.versions,
      input.status,
      input.allow ?? [],
      () => undefined
    )
  })
}

/** Checks that a kept ZIP is still the one recorded, before a version goes live again. */
async function assertZipIntact(record: PluginVersionRecord): Promise<void> {
  if (record.file_path === null || record.checksum === null) throw zipMissingError(record)
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
    if (isErrnoCode(error, 'ENOENT')) throw zipMissingError(record)
    throw error
  }
}

/**
 * Applies a status change over `versions` (the plugin's versions as planned from, newest first): plan,
 * build, publish, then commit with `before` (what else the command records, run first). A build may
 * carry the flagged files its version allows and those in `allow`.
 */
async function applyStatusChange(
  ctx: ReleaseContext,
  purpose: string,
  snapshot: Readonly<Database>,
  plugin: PluginRecord,
  versions: readonly PluginVersionRecord[],
  targets: readonly string[],
  status: VersionStatus,
  allow: readonly string[],
  before: (db: Database) => void,
  retryCommand = `wprm ${STATUS_COMMANDS[status]} ${plugin.slug} ${targets.join(' ')}`
): Promise<ChangeStatusResult> {
  const plan = planStatusChange(versions, targets, status)
  // A record from before the rule may still have its dist folder inside the source: refused before building.
  if (plan.steps.some((step) => step.build)) await assertOutsideSource(plugin, ctx.store.dataDir)
  // Builds first, in version order; records change only once every build has succeeded.
  const builds: BuildResult[] = []
  const created: string[] = []
  const at = ctx.now().toISOString()
  const changed: PluginVersionRecord[] = []
  let published: Published | null
  try {
    for (const step of plan.steps) {
      if (step.build) {
        const build = await buildVersionZip({
          plugin,
          version: step.before.version,
          job: buildJob(plugin.slug, step.before.version),
          onProgress: ctx.onProgress,
          allow: [...step.before.allowed_files, ...allow],
          trustedKey: plugin.signing_key === null ? undefined : requireKey(snapshot, plugin.signing_key).public_key
        })
        builds.push(build)
        if (!build.reused) created.push(build.file_path)
        changed.push(statusRecord(plan, step, at, build))
        continue
      }
      if (step.checkZip) await assertZipIntact(step.before)
      changed.push(statusRecord(plan, step, at, null))
    }
    // Published before the database is written: if the server cannot take it, nothing changes here either.
    published = await publishVersions(ctx, snapshot, plugin, withRecords(versions, changed), releaseJob(plugin.slug, plan.versions), {
      retryCommand
    })
    await commitChange(ctx, purpose, snapshot, plugin.slug, published, (db) => {
      before(db)
      for (const next of changed) {
        const previous = plan.steps.find((s) => s.before.version === next.version)!.before
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
    })
  } catch (error) {
    // Nothing half-done: ZIPs this change created go with it.
    await Promise.all(created.map((file) => unlink(file).catch(() => undefined)))
    throw error
  }
  await pointLatestLink(plugin.dist_dir, plugin.slug, plan.latestAfter)
  return { versions: changed, builds, publish: published?.result ?? null }
}

/** Republishes a plugin's current state (finishes an interrupted publish). */
export function publishNow(ctx: ReleaseContext, slug: string, breakStaleLock = false): Promise<PublishResult> {
  const purpose = `publish ${slug}`
  return changePlugin(ctx, slug, purpose, async () => {
    const snapshot = await ctx.store.read()
    const plugin = requirePlugin(snapshot, slug)
    if (plugin.server === null) {
      throw new WprmError('usage', `${slug} has no server to publish to.`, `Choose one: wprm plugin set ${slug} --server NAME.`)
    }
    const versions = versionsOf(snapshot, slug)
    for (const record of versions.filter((v) => isLive(v.status))) await assertZipIntact(record)
    const published = (await publishVersions(ctx, snapshot, plugin, versions, publishJob(slug), {
      breakStaleLock,
      retryCommand: `wprm publish ${slug}`
    }))!
    await commitChange(ctx, purpose, snapshot, slug, published, () => undefined)
    // Finishing an interrupted change finishes its local side too: the link a killed command left
    // pointing at the old version (or half-made) follows the database again.
    await pointLatestLink(plugin.dist_dir, slug, latestLive(versions)?.version ?? null)
    return published.result
  })
}

/**
 * Rolls back to an older version: every live version above it is deprecated and listed as revoked, the
 * target is live again, and the result is published in one publish; then the checklist runs.
 */
export async function rollback(ctx: ReleaseContext, slug: string, target: string): Promise<RollbackResult> {
  // One connection for the job: the checklist uses the one the publish logged in with.
  return ctx.sessions === undefined
    ? rollbackAndVerify(ctx, slug, target)
    : ctx.sessions.holdWhile(() => rollbackAndVerify(ctx, slug, target))
}

async function rollbackAndVerify(ctx: ReleaseContext, slug: string, target: string): Promise<RollbackResult> {
  const to = normalizeVersion(target)
  const purpose = `rollback ${slug} to ${to}`
  const changed = await changePlugin(ctx, slug, purpose, async () => {
    const snapshot = await ctx.store.read()
    const plugin = requirePlugin(snapshot, slug)
    requireVersion(snapshot, slug, to)
    const versions = versionsOf(snapshot, slug)
    // Run again once it is done (a retry, or after an interruption was reconciled): nothing to do.
    if (latestLive(versions)?.version === to) return { revoked: [], publish: null, already: true }
    const plan = planRollback(versions, to)
    await assertZipIntact(plan.target)
    const at = ctx.now().toISOString()
    const records = rollbackRecords(plan, at)
    const published = await publishVersions(ctx, snapshot, plugin, withRecords(versions, records), rollbackJob(slug, to), {
      retryCommand: `wprm rollback ${slug} --to ${to}`
    })
    await commitChange(ctx, purpose, snapshot, slug, published, (db) => {
      for (const record of records) replaceVersion(db, record)
      recordActivity(db, {
        at,
        plugin: slug,
        version: to,
        action: 'rollback',
        summary: `Rolled back to ${to}; revoked ${plan.revoke.map((v) => v.version).join(', ')}`,
        changes: Object.fromEntries([
          ...plan.revoke.map((v) => [`${v.version}.status`, [v.status, 'deprecated']] as const),
          [`${to}.status`, [plan.target.status, 'released']] as const
        ])
      })
    })
    await pointLatestLink(plugin.dist_dir, slug, to)
    return { revoked: plan.revoke.map((v) => v.version), publish: published?.result ?? null, already: false }
  })
  const verify = changed.publish === null ? null : await verifyVersion(ctx, slug, to)
  return { slug, live: to, revoked: changed.revoked, publish: changed.publish, verify, ...(changed.already ? { already: true } : {}) }
}

/** Runs the checklist for a version (the latest live one by default). */
export async function verifyVersion(ctx: ReleaseContext, slug: string, version?: string): Promise<VerifyReport> {
  const db = await ctx.store.read()
  const plugin = requirePlugin(db, slug)
  const versions = versionsOf(db, slug)
  const record = version === undefined ? latestLive(versions) : requireVersion(db, slug, normalizeVersion(version))
  if (record === null) {
    throw new WprmError('not-found', `${slug} has no live version to verify.`, `Name a version: wprm verify ${slug} <version>.`)
  }
  const job = verifyJob(slug, record.version)
  const report = await verifyRelease({
    plugin,
    versions,
    version: record,
    server: plugin.server === null ? null : requireServer(db, plugin.server),
    secrets: ctx.secrets,
    session: ctx.sessionOptions,
    sessions: ctx.sessions,
    onCheck: (check) => ctx.onCheck?.({ ...check, job, total: CHECKLIST_LENGTH }),
    trustedKey: plugin.signing_key === null ? undefined : requireKey(db, plugin.signing_key).public_key,
    now: ctx.now()
  })
  const notes = await revokedSitesNotes(ctx, slug)
  return notes.length === 0 ? report : { ...report, notes }
}
