import type { JobPhase } from '../../../src-preload/api'

/** The phases of a release, in the order they run. */
export const JOB_PHASES: readonly JobPhase[] = ['scan', 'zip', 'hash', 'upload', 'manifest', 'verify']

/** How each phase reads on screen. */
export const PHASE_LABELS: Readonly<Record<JobPhase, string>> = {
  scan: 'Scan',
  zip: 'Zip',
  hash: 'Hash',
  upload: 'Upload',
  manifest: 'Manifest',
  verify: 'Verify'
}

/**
 * The plugin a job belongs to. Job ids are `<slug>@<what>` (`hello@1.2.0`, `hello@1.2.0,1.3.0`,
 * `hello@verify-1.2.0`, `hello@rollback-1.0.0`); a slug never contains `@`.
 */
export function jobSlug(job: string): string {
  const at = job.indexOf('@')
  return at === -1 ? job : job.slice(0, at)
}

/** The part of a job id after the slug. */
export function jobSubject(job: string): string {
  const at = job.indexOf('@')
  return at === -1 ? '' : job.slice(at + 1)
}
