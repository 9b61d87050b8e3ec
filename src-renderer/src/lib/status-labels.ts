import type { VersionStatus } from '../../../src-preload/api'

/** How a status reads on screen. The version rules themselves live in src-shared/versions.ts. */
export const STATUS_LABELS: Readonly<Record<VersionStatus, string>> = {
  draft: 'Draft',
  released: 'Released',
  update_ready: 'Update ready',
  deprecated: 'Deprecated'
}
