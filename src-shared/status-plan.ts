import type { PluginVersionRecord, VersionStatus } from './model.js'
import { WprmError } from './errors.js'
import { rolloutFromRelease } from './rollout.js'
import { assertTransitionAllowed, compareVersions, isLive, latestLive, latestLiveBeta, parseVersion } from './versions.js'

/** One version's part of a status change. */
export interface StatusStep {
  readonly before: PluginVersionRecord
  /** A draft going live: its ZIP is built from the source first. */
  readonly build: boolean
  /** An earlier release going live again: its kept ZIP must still hold the released bytes. */
  readonly checkZip: boolean
}

/** What a status change will do, worked out before anything is built or published. */
export interface StatusPlan {
  readonly slug: string
  readonly status: VersionStatus
  /** The versions named, each once, in the order given (the job id names them so). */
  readonly versions: readonly string[]
  /** One step per version, in version order (oldest first): the order they are built in. */
  readonly steps: readonly StatusStep[]
  /** The newest live version after the change: what sites will be offered (null when none). */
  readonly latestAfter: string | null
}

/** What a build adds to a version record. */
export interface BuiltZip {
  readonly file_path: string
  readonly file_size: number
  readonly checksum: string
  readonly checksum_md5: string
  /** Flagged files the build let through because the version allowed them. */
  readonly allowed_files: readonly string[]
}

/**
 * Plans moving `targets` of a plugin (whose versions are `versions`) to `status`, all or none: every
 * version must exist and be allowed that transition, and a plugin that has a live version keeps one.
 */
export function planStatusChange(versions: readonly PluginVersionRecord[], targets: readonly string[], status: VersionStatus): StatusPlan {
  if (targets.length === 0) throw new WprmError('usage', 'No version given.', 'Name one or more versions.')
  const slug = versions[0]?.plugin
  const unique = [...new Set(targets)]
  const records = unique.map((version) => {
    parseVersion(version)
    const record = versions.find((v) => v.version === version)
    if (record === undefined) {
      throw new WprmError(
        'not-found',
        slug === undefined ? `This plugin has no version ${version}.` : `Plugin "${slug}" has no version ${version}.`,
        slug === undefined ? 'Add it first: wprm version add <slug> <version>.' : `List its versions with: wprm list ${slug}.`
      )
    }
    return record
  })
  for (const record of records) assertTransitionAllowed(record.version, record.status, status)

  const after = versions.map((v) => (unique.includes(v.version) ? { ...v, status } : v))
  const latestAfter = latestLive(after)
  if (latestLive(versions) !== null && latestAfter === null) {
    throw new WprmError(
      'last-live-version',
      `Deprecating ${unique.join(', ')} would leave ${slug} with no live version: sites would have nothing to install.`,
      'Roll back instead (make an older version live again), or release a newer version first.'
    )
  }
  if (latestAfter === null && latestLiveBeta(after) !== null) {
    // The manifest's top fields are the stable offer, which plugin-update-checker and stable sites read.
    throw new WprmError(
      'last-live-version',
      `${unique.join(', ')} would leave ${slug} with pre-releases only: sites on the stable channel would have nothing to install.`,
      'Release a stable version first (1.0.0, …); pre-releases go out beside it to sites that opted in to beta updates.'
    )
  }
  const steps = [...records]
    .sort((a, b) => compareVersions(a.version, b.version))
    .map((before): StatusStep => ({
      before,
      build: isLive(status) && before.status === 'draft',
      checkZip: isLive(status) && before.status !== 'draft'
    }))
  return { slug: records[0]!.plugin, status, versions: unique, steps, latestAfter: latestAfter?.version ?? null }
}

/**
 * The record a step writes, stamped with `at`; `built` is the ZIP of a step that builds. A version made
 * live again is no longer withdrawn.
 */
export function statusRecord(plan: StatusPlan, step: StatusStep, at: string, built: BuiltZip | null): PluginVersionRecord {
  const { before } = step
  const next: PluginVersionRecord = {
    ...before,
    status: plan.status,
    updated_at: at,
    revoked_at: isLive(plan.status) ? null : before.revoked_at
  }
  if (built === null) return next
  // Only the ZIP's fields: a build result carries more than the record keeps.
  const { file_path, file_size, checksum, checksum_md5, allowed_files } = built
  const rollout = before.rollout === undefined ? {} : { rollout: rolloutFromRelease(before.rollout, at) }
  return { ...next, file_path, file_size, checksum, checksum_md5, allowed_files, released_at: before.released_at ?? at, ...rollout }
}

/** A plugin's versions with `changed` records in place of theirs (and added where new), newest first. */
export function withRecords(versions: readonly PluginVersionRecord[], changed: readonly PluginVersionRecord[]): PluginVersionRecord[] {
  const byVersion = new Map(changed.map((v) => [v.version, v]))
  const merged = versions.map((v) => byVersion.get(v.version) ?? v)
  for (const record of changed) if (!versions.some((v) => v.version === record.version)) merged.push(record)
  return merged.sort((a, b) => compareVersions(b.version, a.version))
}
