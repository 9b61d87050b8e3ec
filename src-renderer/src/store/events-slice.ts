import type { SliceCreator } from './types'

/** Events from main routed into the slices they concern. */
export interface EventsSlice {
  /** Subscribes to progress, check and source events; returns the unsubscribe (for useEffect). */
  connectEvents(): () => void
}

/** The events slice: the one place the store subscribes to `window.api.on`. */
export const createEventsSlice: SliceCreator<EventsSlice> =
  ({ api }) =>
  (_set, get) => ({
    connectEvents: () => {
      const off = [
        api.on('progress', (event) => (event.job.kind === 'stats' ? get().receiveStatsProgress(event) : get().receiveProgress(event))),
        api.on('check', (event) => get().receiveCheck(event)),
        api.on('source', (event) => get().receiveSource(event))
      ]
      return () => off.forEach((unsubscribe) => unsubscribe())
    }
  })
