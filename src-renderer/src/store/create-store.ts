import { createStore } from 'zustand/vanilla'
import type { StoreApi } from 'zustand/vanilla'
import { createActivitySlice } from './activity-slice'
import { createChangelogSlice } from './changelog-slice'
import { createEventsSlice } from './events-slice'
import { createFilesSlice } from './files-slice'
import { createNavigationSlice } from './navigation-slice'
import { createPluginsSlice } from './plugins-slice'
import { createReleasesSlice } from './releases-slice'
import { createRollbackSlice } from './rollback-slice'
import { createRolloutSlice } from './rollout-slice'
import { createServersSlice } from './servers-slice'
import { createSettingsSlice } from './settings-slice'
import { createSyncSlice } from './sync-slice'
import { createDraftsSlice } from './drafts-slice'
import { createStatsSlice } from './stats-slice'
import type { All, StoreDeps } from './types'
import { createVerifySlice } from './verify-slice'
import { createWorkstationSlice } from './workstation-slice'

/** The app's store, made from its slices over the given API (the window's, or a test's stand-in). */
export function createAppStore(deps: StoreDeps): StoreApi<All> {
  return createStore<All>()((...a) => ({
    ...createNavigationSlice(deps)(...a),
    ...createPluginsSlice(deps)(...a),
    ...createReleasesSlice(deps)(...a),
    ...createVerifySlice(deps)(...a),
    ...createRollbackSlice(deps)(...a),
    ...createRolloutSlice(deps)(...a),
    ...createServersSlice(deps)(...a),
    ...createActivitySlice(deps)(...a),
    ...createSettingsSlice(deps)(...a),
    ...createEventsSlice(deps)(...a),
    ...createSyncSlice(deps)(...a),
    ...createDraftsSlice(deps)(...a),
    ...createStatsSlice(deps)(...a),
    ...createFilesSlice(deps)(...a),
    ...createWorkstationSlice(deps)(...a),
    ...createChangelogSlice(deps)(...a),
    ...createEventsSlice(deps)(...a)
  }))
}
