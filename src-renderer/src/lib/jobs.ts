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
  verify: 'Verify',
  read: 'Read logs'
}
