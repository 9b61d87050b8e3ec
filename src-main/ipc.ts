import type { BrowserWindow, IpcMainInvokeEvent } from 'electron'
import { dialog, ipcMain } from 'electron'
import type { ApiEvents, Result, WprmApi } from '../src-preload/api.js'
import { API_METHODS, DESKTOP_METHODS } from '../src-preload/api.js'
import { handleApiCall } from './api/handle-call.js'

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
      return handleApiCall(api, method, payload)
    })
  }
}

/** Registers the native dialogs, guarded like the API. Their only input is a title. */
export function setupDesktopIpc(getWindow: () => BrowserWindow | null, appOrigin: string): void {
  for (const method of DESKTOP_METHODS) {
    ipcMain.handle(`wprm:desktop:${method}`, async (event, payload: unknown): Promise<string | null> => {
      const window = getWindow()
      if (window === null || !isTrustedSender(event, window, appOrigin)) throw new Error(`IPC ${method} refused: not from the app's window`)
      const title =
        typeof payload === 'object' && payload !== null && typeof (payload as { title?: unknown }).title === 'string'
          ? (payload as { title: string }).title.slice(0, 200)
          : 'Choose'
      const result = await dialog.showOpenDialog(window, {
        title,
        properties: method === 'pickFolder' ? ['openDirectory'] : ['openFile', 'showHiddenFiles']
      })
      return result.canceled ? null : (result.filePaths[0] ?? null)
    })
  }
}

/** Sends an event to the window, if it is open. */
export function sendEvent<K extends keyof ApiEvents>(window: BrowserWindow | null, name: K, payload: ApiEvents[K]): void {
  if (window !== null && !window.isDestroyed()) window.webContents.send(`wprm:event:${name}`, payload)
}
