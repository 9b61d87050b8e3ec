import type { ProgressEvent, StatsPullResult, StatsReport } from '../../../src-preload/api'
import { settle } from './api-client'
import type { Op, SliceCreator } from './types'
import { BUSY, IDLE, failed, withKey } from './types'

/** A pull of a plugin's server's access logs, running in the background. */
export interface StatsPull {
  readonly op: Op
  /** Bytes of the file being read, while it is read. */
  readonly progress: { readonly done: number; readonly total: number; readonly label: string } | null
  readonly result: StatsPullResult | null
}

/** Install statistics per plugin, the pulls that refresh them, and how many days the screen shows. */
export interface StatsSlice {
  readonly stats: Readonly<Record<string, StatsReport>>
  readonly statsOps: Readonly<Record<string, Op>>
  readonly statsPulls: Readonly<Record<string, StatsPull>>
  readonly statsDays: number
  readonly accessLogOp: Op
  loadStats(slug: string): Promise<void>
  /** Reads what is new in the logs, then shows the report again. */
  pullStats(slug: string): Promise<void>
  setStatsDays(slug: string, days: number): Promise<void>
  /** Names the access log of a server (the Stats screen asks for it when there is none). */
  setAccessLog(server: string, path: string): Promise<boolean>
  receiveStatsProgress(event: ProgressEvent): void
}

/** The stats slice. */
export const createStatsSlice: SliceCreator<StatsSlice> =
  ({ api }) =>
  (set, get) => ({
    stats: {},
    statsOps: {},
    statsPulls: {},
    statsDays: 90,
    accessLogOp: IDLE,

    loadStats: async (slug) => {
      set((s) => ({ statsOps: withKey(s.statsOps, slug, BUSY) }))
      const result = await settle(() => api.getStats({ slug, days: get().statsDays }))
      set((s) =>
        result.ok
          ? { stats: withKey(s.stats, slug, result.value), statsOps: withKey(s.statsOps, slug, IDLE) }
          : { statsOps: withKey(s.statsOps, slug, failed(result.error)) }
      )
    },

    pullStats: async (slug) => {
      if (get().statsPulls[slug]?.op.busy === true) return
      set((s) => ({ statsPulls: withKey(s.statsPulls, slug, { op: BUSY, progress: null, result: null }) }))
      const result = await settle(() => api.pullStats({ slug }))
      set((s) => ({
        statsPulls: withKey(s.statsPulls, slug, {
          op: result.ok ? IDLE : failed(result.error),
          progress: null,
          result: result.ok ? result.value : null
        })
      }))
      if (result.ok) await get().loadStats(slug)
    },

    setStatsDays: async (slug, days) => {
      set({ statsDays: days })
      await get().loadStats(slug)
    },

    setAccessLog: async (server, path) => {
      set({ accessLogOp: BUSY })
      const result = await settle(() => api.setServer({ name: server, accessLogs: [path] }))
      if (!result.ok) {
        set({ accessLogOp: failed(result.error) })
        return false
      }
      set((s) => ({ accessLogOp: IDLE, servers: s.servers.map((p) => (p.name === server ? result.value : p)) }))
      return true
    },

    receiveStatsProgress: (event) =>
      set((s) => {
        const pull = s.statsPulls[event.job.slug]
        if (pull === undefined || !pull.op.busy) return {}
        return {
          statsPulls: withKey(s.statsPulls, event.job.slug, {
            ...pull,
            progress: { done: event.done, total: event.total, label: event.label }
          })
        }
      })
  })
