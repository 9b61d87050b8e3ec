import { useStore } from 'zustand'
import { createAppStore } from './create-store'
import type { All } from './types'

/** The window's store, over the API the preload exposes. */
export const appStore = createAppStore({ api: window.api, desktop: window.desktop ?? null })

/** Reads from the store; pick one value per call, or wrap an object pick in useShallow. */
export function useApp<T>(selector: (state: All) => T): T {
  return useStore(appStore, selector)
}
