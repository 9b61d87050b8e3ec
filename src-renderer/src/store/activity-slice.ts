import type { ActivityEntry } from '../../../src-preload/api'
import { settle } from './api-client'
import type { Op, SliceCreator } from './types'
import { BUSY, IDLE, failed } from './types'

/** The activity log, newest first, optionally for one plugin. */
export interface ActivitySlice {
  readonly activity: readonly ActivityEntry[]
  readonly activityLoaded: boolean
  /** The plugin shown; '' for every plugin (and server changes). */
  readonly activityFilter: string
  readonly activityOp: Op
  loadActivity(): Promise<void>
  setActivityFilter(slug: string): Promise<void>
}

/** How many entries the screen asks for: enough for months of releases, bounded for IPC. */
const ACTIVITY_LIMIT = 500

/** The activity slice. */
export const createActivitySlice: SliceCreator<ActivitySlice> = ({ api }) => {
  // Answers can come back out of order when the filter changes quickly: only the newest request counts.
  let latestRequest = 0
  return (set, get) => ({
    activity: [],
    activityLoaded: false,
    activityFilter: '',
    activityOp: IDLE,

    loadActivity: async () => {
      const request = ++latestRequest
      const filter = get().activityFilter
      set({ activityOp: BUSY })
      const result = await settle(() =>
        api.listActivity(filter === '' ? { limit: ACTIVITY_LIMIT } : { slug: filter, limit: ACTIVITY_LIMIT })
      )
      if (request !== latestRequest) return
      set(
        result.ok
          ? { activity: result.value, activityLoaded: true, activityOp: IDLE }
          : { activityOp: failed(result.error), activityLoaded: true }
      )
    },

    setActivityFilter: async (slug) => {
      set({ activityFilter: slug })
      await get().loadActivity()
    }
  })
}
