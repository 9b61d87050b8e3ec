import type { PluginRecord, PluginVersionRecord } from './model.js'
import { latestLive } from './versions.js'

/**
 * When a mistake can still be undone, and what undoing it touches: one rule for the core, which enforces
 * it, and the window, which offers only what the core allows and says beforehand what will happen.
 */

/**
 * True while a plugin's slug can still change: before its first release. Sites know a plugin by its
 * folder name and the server by its slug, so once any of its `versions` left the drafts (or a manifest
 * went out) the slug is fixed.
 */
export function canChangeSlug(plugin: PluginRecord, versions: readonly PluginVersionRecord[]): boolean {
  return plugin.manifest_version === 0 && versions.every((v) => v.status === 'draft')
}

/**
 * The version the plugin's server offers sites now, when it has published one; null when removing the
 * plugin here leaves nobody's sites without an owner (no server, never published, nothing live).
 */
export function liveOnServer(plugin: PluginRecord, live: PluginVersionRecord | null): PluginVersionRecord | null {
  return plugin.server !== null && plugin.manifest_version > 0 ? live : null
}

/**
 * True when changing this version's changelog publishes the manifest at once: the changelog of a
 * version that left the drafts is in the manifest sites read (while the plugin has a live version and a
 * server to publish to); a draft's changes here only.
 */
export function changelogEditPublishes(
  plugin: PluginRecord,
  record: PluginVersionRecord,
  versions: readonly PluginVersionRecord[]
): boolean {
  return plugin.server !== null && record.status !== 'draft' && latestLive(versions) !== null
}
