import type { ApiError, PluginRecord, PluginSummary, SourceStatus } from '../../../src-preload/api'
import { settle } from './api-client'
import type { Op, SliceCreator } from './types'
import { BUSY, IDLE, failed, withKey } from './types'

/** The plugins list and what the source watcher says about each plugin's folder. */
export interface PluginsSlice {
  readonly plugins: readonly PluginSummary[]
  /** False until the first answer, so the empty state is not flashed while loading. */
  readonly pluginsLoaded: boolean
  readonly pluginsOp: Op
  /** The latest SourceStatus per plugin, from `getSourceStatus` and then from `source` events. */
  readonly sources: Readonly<Record<string, SourceStatus>>
  readonly sourceErrors: Readonly<Record<string, ApiError>>
  readonly addPluginOp: Op
  /** "Write version into source", per plugin. */
  readonly bumpOps: Readonly<Record<string, Op>>
  loadPlugins(): Promise<void>
  loadSourceStatus(slug: string): Promise<void>
  /** A `source` event: the watcher saw the folder change. */
  receiveSource(status: SourceStatus): void
  /** Adds a plugin from its folder; the core reads the header for slug and name. */
  addPlugin(sourceDir: string): Promise<PluginRecord | null>
  /** Writes a version into the source's header, constant and readme (`bumpSource`). */
  bumpSource(slug: string, version: string): Promise<boolean>
}

/** The plugins slice: list, add, source status and the source bump. */
export const createPluginsSlice: SliceCreator<PluginsSlice> =
  ({ api }) =>
  (set, get) => ({
    plugins: [],
    pluginsLoaded: false,
    pluginsOp: IDLE,
    sources: {},
    sourceErrors: {},
    addPluginOp: IDLE,
    bumpOps: {},

    loadPlugins: async () => {
      set({ pluginsOp: BUSY })
      const result = await settle(() => api.listPlugins())
      if (!result.ok) {
        set({ pluginsOp: failed(result.error), pluginsLoaded: true })
        return
      }
      set({ plugins: result.value, pluginsLoaded: true, pluginsOp: IDLE })
      // The list has no source facts: each plugin's status comes from the watcher's view of its folder.
      await Promise.all(result.value.map((p) => get().loadSourceStatus(p.plugin.slug)))
    },

    loadSourceStatus: async (slug) => {
      const result = await settle(() => api.getSourceStatus({ slug }))
      if (result.ok) get().receiveSource(result.value)
      else set((s) => ({ sourceErrors: withKey(s.sourceErrors, slug, result.error) }))
    },

    receiveSource: (status) =>
      set((s) => {
        const known = s.sources[status.slug]
        // Events and answers can cross: never let an older view replace a newer one.
        if (known !== undefined && known.checked_at > status.checked_at) return {}
        const { [status.slug]: _dropped, ...sourceErrors } = s.sourceErrors
        return { sources: withKey(s.sources, status.slug, status), sourceErrors }
      }),

    addPlugin: async (sourceDir) => {
      const trimmed = sourceDir.trim()
      if (trimmed === '') {
        set({
          addPluginOp: failed({
            kind: 'usage',
            message: 'No folder given.',
            hint: "Type the plugin's source folder, or choose it with Browse…."
          })
        })
        return null
      }
      set({ addPluginOp: BUSY })
      const result = await settle(() => api.addPlugin({ sourceDir: trimmed }))
      if (!result.ok) {
        set({ addPluginOp: failed(result.error) })
        return null
      }
      set({ addPluginOp: IDLE })
      await get().loadPlugins()
      return result.value
    },

    bumpSource: async (slug, version) => {
      set((s) => ({ bumpOps: withKey(s.bumpOps, slug, BUSY) }))
      const result = await settle(() => api.bumpSource({ slug, version }))
      set((s) => ({ bumpOps: withKey(s.bumpOps, slug, result.ok ? IDLE : failed(result.error)) }))
      if (!result.ok) return false
      // The watcher will report the change too; asking now shows it without waiting for its debounce.
      await Promise.all([get().loadSourceStatus(slug), get().loadPlugin(slug)])
      return true
    }
  })
