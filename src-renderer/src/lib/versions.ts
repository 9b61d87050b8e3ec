import type { PluginVersionRecord, VersionStatus } from '../../../src-preload/api'

/**
 * The few version rules the screens need to *show* what will happen. The core stays the authority: it
 * validates again and its error is what the user sees if the two ever disagree.
 */

const VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/

/** The parts of a `MAJOR.MINOR.PATCH` version, or null when the text is not one. */
export function parseVersionParts(text: string): readonly [number, number, number] | null {
  const match = VERSION.exec(text.trim())
  if (match === null) return null
  return [Number(match[1]), Number(match[2]), Number(match[3])]
}

/** The version code the core will compute (MAJOR*10000 + MINOR*100 + PATCH), or null when invalid. */
export function versionCodeOf(text: string): number | null {
  const parts = parseVersionParts(text)
  if (parts === null || parts[1] > 99 || parts[2] > 99) return null
  return parts[0] * 10000 + parts[1] * 100 + parts[2]
}

/** Orders versions numerically (1.10.0 after 1.9.0); unparsable ones sort first. */
export function compareVersionText(a: string, b: string): number {
  const pa = parseVersionParts(a) ?? [-1, -1, -1]
  const pb = parseVersionParts(b) ?? [-1, -1, -1]
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!
  return 0
}

/** True for the statuses sites are offered. */
export function isLiveStatus(status: VersionStatus): boolean {
  return status === 'released' || status === 'update_ready'
}

/** The highest live version: what sites are offered now. */
export function latestLiveOf(versions: readonly PluginVersionRecord[]): PluginVersionRecord | null {
  let best: PluginVersionRecord | null = null
  for (const v of versions) if (isLiveStatus(v.status) && (best === null || compareVersionText(v.version, best.version) > 0)) best = v
  return best
}

/** How a status reads on screen. */
export const STATUS_LABELS: Readonly<Record<VersionStatus, string>> = {
  draft: 'Draft',
  released: 'Released',
  update_ready: 'Update ready',
  deprecated: 'Deprecated'
}
