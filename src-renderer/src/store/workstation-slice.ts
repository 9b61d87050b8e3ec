import type { ImportPluginInput, PluginRecord } from '../../../src-preload/api'
import { liveOnServer } from '../../../src-shared/undo-rules'
import { settle } from './api-client'
import type { All, Op, SliceCreator } from './types'
import { BUSY, IDLE, failed, withKey, withoutKey } from './types'

/**
 * Which plugins this workstation holds: one imported from an update server (another workstation
 * published it), one removed from here. The server is the shared truth: removing a plugin here never
 * touches what sites are offered.
 */
export interface WorkstationSlice {
  readonly importPluginOp: Op
  /** The plugin whose removal waits for the user's confirmation. */
  readonly pendingRemoval: string | null
  readonly removePluginOps: Readonly<Record<string, Op>>
  /** Imports a plugin from a server's ledger (versions and ZIPs pulled), then reloads the list. */
  importPlugin(input: ImportPluginInput): Promise<PluginRecord | null>
  /** Asks for confirmation before removing a plugin from this workstation. */
  requestRemovePlugin(slug: string): void
  cancelRemovePlugin(): void
  /**
   * Removes the plugin whose removal was confirmed. When its server offers a live version (as the list
   * shows it), the confirmation said the server keeps it, so `keepServer` is sent; when the list was
   * stale, the core's refusal is shown as it words it and the list is read again.
   */
  confirmRemovePlugin(): Promise<boolean>
}

/** What a plugin left behind in the window's state: gone with it, so nothing shows a removed plugin. */
function forget(s: All, slug: string): Partial<All> {
  return {
    details: withoutKey(s.details, slug),
    detailsOps: withoutKey(s.detailsOps, slug),
    nextVersions: withoutKey(s.nextVersions, slug),
    selection: withoutKey(s.selection, slug),
    runs: withoutKey(s.runs, slug),
    sources: withoutKey(s.sources, slug),
    sourceErrors: withoutKey(s.sourceErrors, slug),
    serverSync: withoutKey(s.serverSync, slug),
    verifyRuns: withoutKey(s.verifyRuns, slug),
    slug: s.slug === slug ? null : s.slug
  }
}

/** The text fields of the import form: blank means "not given", as the CLI's absent option. */
function given(text: string | undefined): string | undefined {
  const trimmed = text?.trim() ?? ''
  return trimmed === '' ? undefined : trimmed
}

/** The workstation slice: import from a server, remove from here. */
export const createWorkstationSlice: SliceCreator<WorkstationSlice> =
  ({ api }) =>
  (set, get) => ({
    importPluginOp: IDLE,
    pendingRemoval: null,
    removePluginOps: {},

    importPlugin: async (input) => {
      const sourceDir = given(input.sourceDir)
      const distDir = given(input.distDir)
      set({ importPluginOp: BUSY })
      const result = await settle(() =>
        api.importPlugin({
          server: input.server,
          slug: input.slug.trim(),
          ...(sourceDir === undefined ? {} : { sourceDir }),
          ...(distDir === undefined ? {} : { distDir })
        })
      )
      if (!result.ok) {
        set({ importPluginOp: failed(result.error) })
        return null
      }
      set({ importPluginOp: IDLE })
      await get().loadPlugins()
      return result.value
    },

    requestRemovePlugin: (slug) => set((s) => ({ pendingRemoval: slug, removePluginOps: withKey(s.removePluginOps, slug, IDLE) })),

    cancelRemovePlugin: () => set({ pendingRemoval: null }),

    confirmRemovePlugin: async () => {
      const slug = get().pendingRemoval
      if (slug === null) return false
      const summary = get().plugins.find((p) => p.plugin.slug === slug)
      const keepServer = summary !== undefined && liveOnServer(summary.plugin, summary.latest_live) !== null
      set((s) => ({ removePluginOps: withKey(s.removePluginOps, slug, BUSY) }))
      const result = await settle(() => api.removePlugin(keepServer ? { slug, keepServer } : { slug }))
      if (!result.ok) {
        set((s) => ({ pendingRemoval: null, removePluginOps: withKey(s.removePluginOps, slug, failed(result.error)) }))
        // Refused on what the core knows and this list did not: the next confirmation says it right.
        await get().loadPlugins()
        return false
      }
      set((s) => ({ ...forget(s, slug), pendingRemoval: null, removePluginOps: withoutKey(s.removePluginOps, slug) }))
      await get().loadPlugins()
      return true
    }
  })
