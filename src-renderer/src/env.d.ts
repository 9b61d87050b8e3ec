import type { ApiEvents, WprmApi } from '../../src-preload/api'

declare global {
  interface Window {
    /** The API main exposes through the preload (src-preload/index.ts). */
    readonly api: WprmApi & {
      on<K extends keyof ApiEvents>(name: K, listener: (payload: ApiEvents[K]) => void): () => void
    }
  }
}
