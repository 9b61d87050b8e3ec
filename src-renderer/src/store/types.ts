import type { StateCreator } from 'zustand'
import type { ApiError, DesktopApi, WindowApi } from '../../../src-preload/api'
import type { ActivitySlice } from './activity-slice'
import type { ChangelogSlice } from './changelog-slice'
import type { EventsSlice } from './events-slice'
import type { FilesSlice } from './files-slice'
import type { NavigationSlice } from './navigation-slice'
import type { PluginsSlice } from './plugins-slice'
import type { ReleasesSlice } from './releases-slice'
import type { RollbackSlice } from './rollback-slice'
import type { RolloutSlice } from './rollout-slice'
import type { ServersSlice } from './servers-slice'
import type { SettingsSlice } from './settings-slice'
import type { SyncSlice } from './sync-slice'
import type { DraftsSlice } from './drafts-slice'
import type { StatsSlice } from './stats-slice'
import type { VerifySlice } from './verify-slice'
import type { WorkstationSlice } from './workstation-slice'

/** The whole store: every slice's state and actions side by side. */
export type All = NavigationSlice &
  PluginsSlice &
  ReleasesSlice &
  VerifySlice &
  RollbackSlice &
  RolloutSlice &
  ServersSlice &
  ActivitySlice &
  SettingsSlice &
  EventsSlice &
  SyncSlice &
  DraftsSlice &
  StatsSlice &
  FilesSlice &
  WorkstationSlice &
  ChangelogSlice

/**
 * What the store talks to. Passed in rather than read from `window`, so the unit tests give a stand-in
 * and the app gives the preload's objects; actions are the only code that uses them.
 */
export interface StoreDeps {
  readonly api: WindowApi
  /** Native dialogs: only in the desktop window (absent in the browser tests). */
  readonly desktop: DesktopApi | null
}

/** A slice of the store, made with its dependencies. */
export type SliceCreator<T> = (deps: StoreDeps) => StateCreator<All, [], [], T>

/** Where an operation the user started stands: running, or its last error to show next to it. */
export interface Op {
  readonly busy: boolean
  readonly error: ApiError | null
}

/** An operation that is not running and has no error. */
export const IDLE: Op = Object.freeze({ busy: false, error: null })

/** An operation in progress (its previous error is cleared: the user is trying again). */
export const BUSY: Op = Object.freeze({ busy: true, error: null })

/** An operation that failed with `error`. */
export const failed = (error: ApiError): Op => ({ busy: false, error })

/** The same record with one key replaced (state is never mutated in place). */
export function withKey<V>(record: Readonly<Record<string, V>>, key: string, value: V): Readonly<Record<string, V>> {
  return { ...record, [key]: value }
}

/** The same record without one key. */
export function withoutKey<V>(record: Readonly<Record<string, V>>, key: string): Readonly<Record<string, V>> {
  const { [key]: _removed, ...rest } = record
  return rest
}
