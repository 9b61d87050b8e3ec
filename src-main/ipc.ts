import type { BrowserWindow, IpcMainInvokeEvent } from 'electron'
import { ipcMain } from 'electron'
import type { ApiEvents, Result, WprmApi } from '../src-preload/api.js'
import { API_METHODS } from '../src-preload/api.js'
import { WprmError } from './core/errors.js'
import { validateInput } from './ipc-input.js'

/** True when the call comes from our window's own top frame, loaded from our own page. */
function isTrustedSender(event: IpcMainInvokeEvent, window: BrowserWindow, appOrigin: string): boolean {
  const frame = event.senderFrame
  if (frame === null || event.sender !== window.webContents || frame !== window.webContents.mainFrame) return false
  return frame.url.startsWith(appOrigin)
}

/**
 * Registers one guarded handler per API method: calls from anything but our window are dropped, and
 * every payload is validated before it reaches the API.
 */
export function setupIpc(api: WprmApi, getWindow: () => BrowserWindow | null, appOrigin: string): void {
  for (const method of API_METHODS) {
    ipcMain.handle(`wprm:${method}`, async (event, payload: unknown): Promise<Result<unknown>> => {
      const window = getWindow()
      if (window === null || !isTrustedSender(event, window, appOrigin)) {
        throw new Error(`IPC ${method} refused: not from the app's window`)
      }
      try {
        const args = validateInput(method, payload)
        return await (api[method] as (...a: unknown[]) => Promise<Result<unknown>>)(...args)
      } catch (error) {
        if (error instanceof WprmError) return { ok: false, error: error.toApiError() }
        throw error
      }
    })
  }
}

/** Sends an event to the window, if it is open. */
export function sendEvent<K extends keyof ApiEvents>(window: BrowserWindow | null, name: K, payload: ApiEvents[K]): void {
  if (window !== null && !window.isDestroyed()) window.webContents.send(`wprm:event:${name}`, payload)
}
