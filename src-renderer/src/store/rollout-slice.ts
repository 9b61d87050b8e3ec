import type { RolloutInput } from '../../../src-preload/api'
import { settle } from './api-client'
import type { Op, SliceCreator } from './types'
import { BUSY, IDLE, failed, withKey } from './types'

/** The Rollout panel: the version picked and the change in progress, per plugin. */
export interface RolloutSlice {
  readonly rolloutTargets: Readonly<Record<string, string | null>>
  readonly rolloutOps: Readonly<Record<string, Op>>
  chooseRolloutTarget(slug: string, version: string | null): void
  /** Sets, advances, halts or resumes a rollout (a live version's is published at once), then reloads the plugin. */
  changeRollout(slug: string, change: Omit<RolloutInput, 'slug'>): Promise<boolean>
}

/** The rollout slice. */
export const createRolloutSlice: SliceCreator<RolloutSlice> =
  ({ api }) =>
  (set, get) => ({
    rolloutTargets: {},
    rolloutOps: {},

    chooseRolloutTarget: (slug, version) =>
      set((s) => ({ rolloutTargets: withKey(s.rolloutTargets, slug, version), rolloutOps: withKey(s.rolloutOps, slug, IDLE) })),

    changeRollout: async (slug, change) => {
      set((s) => ({ rolloutOps: withKey(s.rolloutOps, slug, BUSY) }))
      const result = await settle(() => api.setRollout({ slug, ...change }))
      set((s) => ({ rolloutOps: withKey(s.rolloutOps, slug, result.ok ? IDLE : failed(result.error)) }))
      await get().loadPlugin(slug)
      return result.ok
    }
  })
