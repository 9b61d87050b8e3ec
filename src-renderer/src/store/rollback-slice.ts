import type { RollbackResult } from '../../../src-preload/api'
import { settle } from './api-client'
import { isServerAhead } from './sync-slice'
import type { Op, SliceCreator } from './types'
import { BUSY, IDLE, failed, withKey } from './types'

/** The rollback screen: the chosen version, the run and what it did. */
export interface RollbackSlice {
  /** The version picked on the rollback screen, per plugin. */
  readonly rollbackTargets: Readonly<Record<string, string | null>>
  readonly rollbackOps: Readonly<Record<string, Op>>
  readonly rollbackResults: Readonly<Record<string, RollbackResult>>
  chooseRollbackTarget(slug: string, version: string | null): void
  /** Rolls back and shows the checklist the core runs afterwards. */
  rollback(slug: string, to: string): Promise<boolean>
}

/** The rollback slice. */
export const createRollbackSlice: SliceCreator<RollbackSlice> =
  ({ api }) =>
  (set, get) => ({
    rollbackTargets: {},
    rollbackOps: {},
    rollbackResults: {},

    chooseRollbackTarget: (slug, version) =>
      set((s) => ({ rollbackTargets: withKey(s.rollbackTargets, slug, version), rollbackOps: withKey(s.rollbackOps, slug, IDLE) })),

    rollback: async (slug, to) => {
      set((s) => ({ rollbackOps: withKey(s.rollbackOps, slug, BUSY) }))
      // The core verifies after publishing; its checks arrive as events while this call runs.
      get().expectVerify(slug, to, 'rollback')
      const result = await settle(() => api.rollback({ slug, to }))
      get().settleVerify(slug, result.ok ? result.value.verify : null)
      // Another workstation published meanwhile: the screen offers the pull instead of a dead end.
      if (!result.ok && isServerAhead(result.error)) get().markServerAhead(slug, result.error)
      set((s) => ({
        rollbackOps: withKey(s.rollbackOps, slug, result.ok ? IDLE : failed(result.error)),
        rollbackResults: result.ok ? withKey(s.rollbackResults, slug, result.value) : s.rollbackResults,
        rollbackTargets: result.ok ? withKey(s.rollbackTargets, slug, null) : s.rollbackTargets
      }))
      await Promise.all([get().loadPlugin(slug), get().loadPlugins()])
      return result.ok
    }
  })
