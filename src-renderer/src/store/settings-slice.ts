import type { SetPluginInput, UpdaterInstallResult } from '../../../src-preload/api'
import { settle } from './api-client'
import type { Op, SliceCreator } from './types'
import { BUSY, IDLE, failed, withKey, withoutKey } from './types'

/** A plugin's publishing settings, and the native pickers of the desktop window. */
export interface SettingsSlice {
  /** True in the desktop window, where a native folder/file dialog exists. */
  readonly canPickFiles: boolean
  readonly pluginSettingsOps: Readonly<Record<string, Op>>
  readonly updaterOps: Readonly<Record<string, Op>>
  readonly updaterResults: Readonly<Record<string, UpdaterInstallResult>>
  /** "Change slug", per plugin (by the slug it had). */
  readonly renameOps: Readonly<Record<string, Op>>
  /** Saves a plugin's server and verification strings (`setPlugin`). */
  savePluginSettings(input: SetPluginInput): Promise<boolean>
  /**
   * Changes a plugin's slug (`setPlugin` with `newSlug`; the core allows it only before the first
   * release), then follows it: the plugin screens show it under its new slug.
   */
  renamePlugin(slug: string, newSlug: string): Promise<boolean>
  /** Copies the PHP updater into the plugin's source and learns the line that registers it. */
  installUpdater(slug: string): Promise<boolean>
  /** Opens the native folder dialog; null when cancelled or not in the desktop window. */
  pickFolder(title: string): Promise<string | null>
  /** Opens the native file dialog; null when cancelled or not in the desktop window. */
  pickFile(title: string): Promise<string | null>
}

/** The settings slice: per-plugin settings and the pickers. */
export const createSettingsSlice: SliceCreator<SettingsSlice> =
  ({ api, desktop }) =>
  (set, get) => ({
    canPickFiles: desktop !== null,
    pluginSettingsOps: {},
    renameOps: {},
    updaterOps: {},
    updaterResults: {},

    savePluginSettings: async (input) => {
      set((s) => ({ pluginSettingsOps: withKey(s.pluginSettingsOps, input.slug, BUSY) }))
      const result = await settle(() => api.setPlugin(input))
      set((s) => ({ pluginSettingsOps: withKey(s.pluginSettingsOps, input.slug, result.ok ? IDLE : failed(result.error)) }))
      if (!result.ok) return false
      await Promise.all([get().loadPlugin(input.slug), get().loadPlugins()])
      return true
    },

    renamePlugin: async (slug, newSlug) => {
      set((s) => ({ renameOps: withKey(s.renameOps, slug, BUSY) }))
      const result = await settle(() => api.setPlugin({ slug, newSlug: newSlug.trim() }))
      if (!result.ok) {
        set((s) => ({ renameOps: withKey(s.renameOps, slug, failed(result.error)) }))
        return false
      }
      const renamed = result.value.slug
      set((s) => ({
        renameOps: withoutKey(s.renameOps, slug),
        // The old slug names nothing any more: what was known under it goes, the screens follow the new one.
        details: withoutKey(s.details, slug),
        detailsOps: withoutKey(s.detailsOps, slug),
        nextVersions: withoutKey(s.nextVersions, slug),
        sources: withoutKey(s.sources, slug),
        slug: s.slug === slug ? renamed : s.slug
      }))
      await Promise.all([get().loadPlugin(renamed), get().loadPlugins()])
      return true
    },

    installUpdater: async (slug) => {
      set((s) => ({ updaterOps: withKey(s.updaterOps, slug, BUSY) }))
      const result = await settle(() => api.installUpdater({ slug }))
      set((s) => ({
        updaterOps: withKey(s.updaterOps, slug, result.ok ? IDLE : failed(result.error)),
        updaterResults: result.ok ? withKey(s.updaterResults, slug, result.value) : s.updaterResults
      }))
      return result.ok
    },

    // A failing dialog is not worth an error panel: the path can always be typed instead.
    pickFolder: async (title) => (desktop === null ? null : desktop.pickFolder({ title }).catch(() => null)),
    pickFile: async (title) => (desktop === null ? null : desktop.pickFile({ title }).catch(() => null))
  })
