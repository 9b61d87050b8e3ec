import type { PluginVersionRecord } from './model.js'
import { WprmError } from './errors.js'
import { compareVersions, isLive, isPrerelease, latestLive, parseVersion } from './versions.js'

/** What a rollback to one version will do, worked out before anything changes (the screen shows it). */
export interface RollbackPlan {
  readonly slug: string
  readonly target: PluginVersionRecord
  /** Live versions above the target, newest first: deprecated and listed as revoked in the manifest. */
  readonly revoke: readonly PluginVersionRecord[]
  /** The target is not live now and becomes `released` again. */
  readonly reactivate: boolean
  /** What sites are offered today, before the rollback. */
  readonly currentLatest: PluginVersionRecord | null
}

/** The refusal for a version whose ZIP is no longer kept: it cannot be made live again. */
export function zipMissingError(record: PluginVersionRecord): WprmError {
  return new WprmError(
    'zip-missing',
    `The ZIP of ${record.version} is gone${record.file_path ? ` (${record.file_path})` : ' (it was pruned)'}, so ${record.version} cannot be made live again.`,
    'Release a new version built from the source instead.'
  )
}

/**
 * The versions a rollback can go to: kept (built, with a checksum), not drafts, and below the newest
 * live version, newest first. `planRollback` refuses the others; the screen only offers these.
 */
export function rollbackCandidates(versions: readonly PluginVersionRecord[]): PluginVersionRecord[] {
  const latest = latestLive(versions)
  if (latest === null) return []
  return versions
    .filter(
      (v) =>
        v.status !== 'draft' &&
        !isPrerelease(v.version) &&
        v.checksum !== null &&
        v.file_path !== null &&
        compareVersions(v.version, latest.version) < 0
    )
    .sort((a, b) => compareVersions(b.version, a.version))
}

/**
 * Plans a rollback to `to` over a plugin's versions: every live version above it is revoked, and it is
 * live again. Refuses a version that is unknown, was never released, is already the newest live one,
 * or whose ZIP is no longer kept. Whether the kept ZIP still has the released bytes is for the apply
 * step to check: that needs the disk.
 */
export function planRollback(versions: readonly PluginVersionRecord[], to: string): RollbackPlan {
  parseVersion(to)
  const target = versions.find((v) => v.version === to)
  if (target === undefined) {
    const slug = versions[0]?.plugin
    throw new WprmError(
      'not-found',
      slug === undefined ? `This plugin has no version ${to}.` : `Plugin "${slug}" has no version ${to}.`,
      slug === undefined ? 'Add and release a version first.' : `List its versions with: wprm list ${slug}.`
    )
  }
  if (target.status === 'draft') {
    throw new WprmError(
      'invalid-transition',
      `${to} was never released, so there is nothing to roll back to.`,
      'Roll back to a version that was released before.'
    )
  }
  if (isPrerelease(to)) {
    // What every site is offered after a rollback is its target: stable sites never get a pre-release.
    throw new WprmError(
      'invalid-transition',
      `${to} is a pre-release: a rollback makes its target what every site is offered, and stable sites never get a pre-release.`,
      `Roll back to a stable version (wprm list ${target.plugin}); to withdraw ${to} alone, roll back to the stable version below it.`
    )
  }
  // Pre-releases above the target go too: a beta built on the withdrawn code is withdrawn with it.
  const revoke = versions
    .filter((v) => isLive(v.status) && compareVersions(v.version, to) > 0)
    .sort((a, b) => compareVersions(b.version, a.version))
  if (revoke.length === 0 && isLive(target.status)) {
    throw new WprmError('invalid-transition', `${to} is already the newest live version of ${target.plugin}.`, 'Nothing to roll back.')
  }
  if (target.file_path === null || target.checksum === null) throw zipMissingError(target)
  return { slug: target.plugin, target, revoke, reactivate: !isLive(target.status), currentLatest: latestLive(versions) }
}

/** The plan for showing, or null where `planRollback` refuses (a choice the versions no longer allow). */
export function previewRollback(versions: readonly PluginVersionRecord[], to: string): RollbackPlan | null {
  try {
    return planRollback(versions, to)
  } catch (error) {
    if (error instanceof WprmError) return null
    throw error
  }
}

/** The version records a rollback plan writes, stamped with `at`: the revoked ones, then the target if it changes. */
export function rollbackRecords(plan: RollbackPlan, at: string): PluginVersionRecord[] {
  const revoked = plan.revoke.map((v): PluginVersionRecord => ({ ...v, status: 'deprecated', revoked_at: at, updated_at: at }))
  return plan.reactivate ? [...revoked, { ...plan.target, status: 'released', revoked_at: null, updated_at: at }] : revoked
}
