import path from 'node:path'
import { BrowserWindow, Notification, app, shell } from 'electron'
import type { ApiEvents } from '../src-preload/api.js'
import { isLastCheck } from '../src-shared/checklist.js'
import type { ApiHandle } from './api.js'
import { createApi } from './api.js'
import { resolveDataDir } from './core/fs/data-dir.js'
import { KEEP_SESSION_MS } from './core/remote/session-pool.js'
import { sendEvent, setupDesktopIpc, setupIpc } from './ipc.js'
import { setupMenu } from './shell/menu.js'
import { safeStorageCipher } from './shell/safe-storage-cipher.js'
import { loadWindowState, rememberWindowState } from './shell/window-state.js'
import { isExternalWebUrl, windowOptions } from './window-options.js'

let mainWindow: BrowserWindow | null = null
const dataDir = resolveDataDir(undefined)

function createWindow(): void {
  const state = loadWindowState(dataDir)
  const window = new BrowserWindow(windowOptions(path.join(__dirname, '../preload/index.cjs'), state.bounds))
  mainWindow = window
  if (state.maximized) window.maximize()
  rememberWindowState(window, dataDir)
  window.on('ready-to-show', () => window.show())
  window.on('closed', () => (mainWindow = null))
  // Links to the web open in the browser; the window itself never navigates away or opens others.
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (isExternalWebUrl(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  window.webContents.on('will-navigate', (event) => event.preventDefault())
  const devUrl = process.env.ELECTRON_RENDERER_URL
  if (devUrl !== undefined) void window.loadURL(devUrl)
  else void window.loadFile(path.join(__dirname, '../renderer/index.html'))
}

/** Taskbar progress while a job runs, and a notification when a release or verification ends. */
function reflectInShell<K extends keyof ApiEvents>(name: K, payload: ApiEvents[K]): void {
  const window = mainWindow
  if (window === null || window.isDestroyed()) return
  if (name === 'progress') {
    const event = payload as ApiEvents['progress']
    const finished = event.phase === 'manifest' && event.done === event.total && event.total > 0
    window.setProgressBar(finished ? -1 : event.total > 0 ? event.done / event.total : 2)
    if (finished && Notification.isSupported() && !window.isFocused())
      new Notification({ title: 'Release published', body: event.label }).show()
  } else if (name === 'check') {
    const check = payload as ApiEvents['check']
    if (isLastCheck(check.id) && Notification.isSupported() && !window.isFocused()) {
      new Notification({
        title: 'Verification finished',
        body: `${check.job.slug} ${check.job.versions.join(', ')}: last check ${check.ok ? 'passed' : 'failed'}`
      }).show()
    }
  }
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  let api: ApiHandle | null = null
  app.on('second-instance', () => {
    if (mainWindow === null) return
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.focus()
  })
  void app.whenReady().then(() => {
    api = createApi({
      dataDir,
      watchSources: true,
      // The window runs the checklist right after a publish: on the same connection.
      keepSessionsMs: KEEP_SESSION_MS,
      cipher: safeStorageCipher(),
      onEvent: (name, payload) => {
        sendEvent(mainWindow, name, payload)
        reflectInShell(name, payload)
      }
    })
    const appOrigin = process.env.ELECTRON_RENDERER_URL ?? 'file://'
    setupIpc(api, () => mainWindow, appOrigin)
    setupDesktopIpc(() => mainWindow, appOrigin)
    setupMenu()
    createWindow()
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow()
    })
  })
  app.on('window-all-closed', () => {
    void api?.close()
    if (process.platform !== 'darwin') app.quit()
  })
}
