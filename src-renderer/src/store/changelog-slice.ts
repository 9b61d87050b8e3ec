import type { ChangeStatusResult } from '../../../src-preload/api'
import { settle } from './api-client'
import { isServerAhead } from './sync-slice'
import type { Op, SliceCreator } from './types'
import { BUSY, IDLE, failed, withKey, withoutKey } from './types'

/** The version whose changelog is being edited. */
export interface ChangelogTarget {
  readonly slug: string
  readonly version: string
}

/** The last changelog saved per plugin: which version, and the manifest it went out in (null: saved here only). */
export interface ChangelogSaved {
  readonly version: string
  readonly publish: ChangeStatusResult['publish']
}

/** Correcting a version's changelog (`editVersion`); a published version's correction is published at once. */
export interface ChangelogSlice {
  readonly changelogEditor: ChangelogTarget | null
  /** The save, per plugin. */
  readonly changelogOps: Readonly<Record<string, Op>>
  readonly changelogSaved: Readonly<Record<string, ChangelogSaved>>
  openChangelogEditor(slug: string, version: string): void
  closeChangelogEditor(): void
  /** Saves the changelog; the core publishes it when the version is in the manifest. */
  saveChangelog(slug: string, version: string, changelog: string): Promise<boolean>
}

/** The changelog slice: one editor open at a time, its save and what the save did. */
export const createChangelogSlice: SliceCreator<ChangelogSlice> =
  ({ api }) =>
  (set, get) => ({
    changelogEditor: null,
    changelogOps: {},
    changelogSaved: {},

    openChangelogEditor: (slug, version) =>
      set((s) => ({
        changelogEditor: { slug, version },
        changelogOps: withKey(s.changelogOps, slug, IDLE),
        changelogSaved: withoutKey(s.changelogSaved, slug)
      })),

    closeChangelogEditor: () => set({ changelogEditor: null }),

    saveChangelog: async (slug, version, changelog) => {
      set((s) => ({ changelogOps: withKey(s.changelogOps, slug, BUSY) }))
      const result = await settle(() => api.editVersion({ slug, version, changelog }))
      if (!result.ok) {
        // Another workstation published meanwhile: the plugin's screen offers the pull.
        if (isServerAhead(result.error)) get().markServerAhead(slug, result.error)
        set((s) => ({ changelogOps: withKey(s.changelogOps, slug, failed(result.error)) }))
        return false
      }
      set((s) => ({
        changelogEditor: null,
        changelogOps: withKey(s.changelogOps, slug, IDLE),
        changelogSaved: withKey(s.changelogSaved, slug, { version, publish: result.value.publish })
      }))
      await Promise.all([get().loadPlugin(slug), get().loadPlugins()])
      return true
    }
  })
