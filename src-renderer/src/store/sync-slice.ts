import type { ApiError, PullResult } from '../../../src-preload/api'
import { settle } from './api-client'
import type { SliceCreator } from './types'
import { withKey } from './types'

/**
 * How a plugin stands with its update server, as far as this window knows: the server holds the truth
 * other workstations published, so a plugin's screen takes it in when it opens (`pull`), and says so
 * when it cannot (the server is ahead with changes that clash here) instead of letting a publish fail late.
 */
export type ServerSync =
  | { readonly state: 'checking' }
  | { readonly state: 'in-sync'; readonly result: PullResult }
  /** The server has what this workstation does not, and it could not be taken in: publishing is refused. */
  | { readonly state: 'ahead'; readonly error: ApiError }
  /** The server could not be asked (offline, a login problem): nothing is known either way. */
  | { readonly state: 'unreachable'; readonly error: ApiError }

/** The server state per plugin, and taking it in. */
export interface SyncSlice {
  readonly serverSync: Readonly<Record<string, ServerSync>>
  /** Takes the server's state of one plugin in (`pull`), then shows what changed. */
  pullPlugin(slug: string): Promise<void>
  /** A refusal that says the server is ahead (another workstation published meanwhile). */
  markServerAhead(slug: string, error: ApiError): void
}

/** The failures that mean "the server knows more than this workstation": a pull, or a refused publish. */
export function isServerAhead(error: ApiError): boolean {
  return error.kind === 'server-ahead' || error.kind === 'remote-conflict'
}

/** True when a pull changed this workstation's records (the plugin's screen then reloads them). */
function changedAnything(result: PullResult): boolean {
  return (
    result.manifest_version !== result.manifest_version_before || result.added.length + result.updated.length + result.downloaded.length > 0
  )
}

/** The sync slice: pull on open, and the "server is ahead" state. */
export const createSyncSlice: SliceCreator<SyncSlice> =
  ({ api }) =>
  (set, get) => ({
    serverSync: {},

    pullPlugin: async (slug) => {
      set((s) => ({ serverSync: withKey(s.serverSync, slug, { state: 'checking' }) }))
      const result = await settle(() => api.pull({ slugs: [slug] }))
      if (!result.ok) {
        const next: ServerSync = isServerAhead(result.error)
          ? { state: 'ahead', error: result.error }
          : { state: 'unreachable', error: result.error }
        set((s) => ({ serverSync: withKey(s.serverSync, slug, next) }))
        return
      }
      const pulled = result.value.find((r) => r.slug === slug)
      if (pulled === undefined) return
      set((s) => ({ serverSync: withKey(s.serverSync, slug, { state: 'in-sync', result: pulled }) }))
      if (changedAnything(pulled)) await Promise.all([get().loadPlugin(slug), get().loadPlugins()])
    },

    markServerAhead: (slug, error) => set((s) => ({ serverSync: withKey(s.serverSync, slug, { state: 'ahead', error }) }))
  })
