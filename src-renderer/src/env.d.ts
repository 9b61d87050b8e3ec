import type { DesktopApi, WindowApi } from '../../src-preload/api'

declare global {
  interface Window {
    /** The API main exposes through the preload (src-preload/index.ts); the browser tests bind the same. */
    readonly api: WindowApi
    /** Native dialogs, in the desktop window only. */
    readonly desktop?: DesktopApi
  }
}
