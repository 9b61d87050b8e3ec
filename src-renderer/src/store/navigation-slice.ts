import type { SliceCreator } from './types'

/** The screens of the app. The plugin screens work on the selected plugin (`slug`). */
export type Screen = 'plugins' | 'releases' | 'verify' | 'rollback' | 'emergency' | 'stats' | 'servers' | 'activity'

/** Which screen is open, and for which plugin. */
export interface NavigationSlice {
  readonly screen: Screen
  /** The plugin the plugin screens show; kept when moving between them. */
  readonly slug: string | null
  /** Opens a screen; `slug` selects another plugin, leaving it out keeps the current one. */
  navigate(screen: Screen, slug?: string | null): void
}

/** Navigation lives in the store (not a router): the app is one window with a handful of screens. */
export const createNavigationSlice: SliceCreator<NavigationSlice> = () => (set) => ({
  screen: 'plugins',
  slug: null,
  navigate: (screen, slug) => set((s) => ({ screen, slug: slug === undefined ? s.slug : slug }))
})
