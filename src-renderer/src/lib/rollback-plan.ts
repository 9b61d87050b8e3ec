import type { PluginVersionRecord } from '../../../src-preload/api'
import { compareVersions, isLive, latestLive } from '../../../src-shared/versions'

/** What a rollback to one version will do, worked out before the user confirms. */
export interface RollbackPlan {
  readonly target: PluginVersionRecord
  /** Live versions above the target: deprecated and listed as revoked in the manifest. */
  readonly revoke: readonly PluginVersionRecord[]
  /** The target is not live now and becomes `released` again. */
  readonly reactivate: boolean
  /** What sites are offered today, before the rollback. */
  readonly currentLatest: PluginVersionRecord | null
}

/**
 * The versions a rollback can go to: kept (built, with a checksum), not drafts, and below the newest
 * live version. The core refuses the others; the screen only offers these.
 */
export function rollbackCandidates(versions: readonly PluginVersionRecord[]): PluginVersionRecord[] {
  const latest = latestLive(versions)
  if (latest === null) return []
  return versions
    .filter((v) => v.status !== 'draft' && v.checksum !== null && v.file_path !== null && compareVersions(v.version, latest.version) < 0)
    .sort((a, b) => compareVersions(b.version, a.version))
}

/** Mirrors the core's rollback: every live version above the target is revoked, the target is live. */
export function planRollback(versions: readonly PluginVersionRecord[], to: string): RollbackPlan | null {
  const target = versions.find((v) => v.version === to)
  if (target === undefined) return null
  const revoke = versions
    .filter((v) => isLive(v.status) && compareVersions(v.version, to) > 0)
    .sort((a, b) => compareVersions(b.version, a.version))
  return { target, revoke, reactivate: !isLive(target.status), currentLatest: latestLive(versions) }
}
