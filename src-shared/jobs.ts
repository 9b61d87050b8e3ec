import type { Job } from './model.js'

/**
 * The jobs the core runs, built in one place. Faces match progress and check events on a job's fields
 * (`slug`, `kind`, `versions`) and never parse its id apart.
 */

/** The build of one version's ZIP. */
export function buildJob(slug: string, version: string): Job {
  return { id: `${slug}@${version}`, slug, kind: 'build', versions: [version] }
}

/** The publish that makes a status change of these versions public. */
export function releaseJob(slug: string, versions: readonly string[]): Job {
  return { id: `${slug}@${versions.join(',')}`, slug, kind: 'release', versions: [...versions] }
}

/** A publish of the plugin's state as it stands (finishing an interrupted one). */
export function publishJob(slug: string): Job {
  return { id: `${slug}@publish`, slug, kind: 'publish', versions: [] }
}

/** The publish after retention removed old ZIPs. */
export function pruneJob(slug: string): Job {
  return { id: `${slug}@prune`, slug, kind: 'prune', versions: [] }
}

/** A rollback to one version. */
export function rollbackJob(slug: string, to: string): Job {
  return { id: `${slug}@rollback-${to}`, slug, kind: 'rollback', versions: [to] }
}

/** The checklist of one version. */
export function verifyJob(slug: string, version: string): Job {
  return { id: `${slug}@verify-${version}`, slug, kind: 'verify', versions: [version] }
}

/** Reading the access logs for install statistics: of one plugin's server, or ('') of every server. */
export function statsJob(slug: string): Job {
  return { id: `${slug === '' ? 'all' : slug}@stats`, slug, kind: 'stats', versions: [] }
}
