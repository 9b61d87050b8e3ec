import { settle } from './api-client'
import type { Op, SliceCreator } from './types'
import { BUSY, IDLE, failed, withKey } from './types'

/** Undoing a draft before sites ever see it (a mistyped 10.0.0 would block every lower version). */
export interface DraftsSlice {
  /** "Remove draft", per plugin. */
  readonly removeDraftOps: Readonly<Record<string, Op>>
  /** Removes a draft (main refuses a published version), then reloads the plugin. */
  removeDraft(slug: string, version: string): Promise<boolean>
}

/** The drafts slice. */
export const createDraftsSlice: SliceCreator<DraftsSlice> =
  ({ api }) =>
  (set, get) => ({
    removeDraftOps: {},

    removeDraft: async (slug, version) => {
      set((s) => ({ removeDraftOps: withKey(s.removeDraftOps, slug, BUSY) }))
      const result = await settle(() => api.removeVersion({ slug, version }))
      set((s) => ({ removeDraftOps: withKey(s.removeDraftOps, slug, result.ok ? IDLE : failed(result.error)) }))
      if (result.ok) await Promise.all([get().loadPlugin(slug), get().loadPlugins()])
      return result.ok
    }
  })
