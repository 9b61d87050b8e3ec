import { create } from 'zustand'
import type { ApiError, PluginSummary } from '../../../src-preload/api'

/** The plugins list as the screens see it. */
export interface PluginsState {
  readonly plugins: readonly PluginSummary[]
  readonly loading: boolean
  readonly error: ApiError | null
  loadPlugins(): Promise<void>
}

/** The plugins store: only its actions call `window.api`. */
export const usePluginsStore = create<PluginsState>()((set) => ({
  plugins: [],
  loading: false,
  error: null,
  loadPlugins: async () => {
    set({ loading: true, error: null })
    const result = await window.api.listPlugins()
    set(result.ok ? { plugins: result.value, loading: false } : { error: result.error, loading: false })
  }
}))
