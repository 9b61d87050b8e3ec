import path from 'node:path'
import { BrowserWindow, app, shell } from 'electron'
import { createApi } from './api.js'
import { resolveDataDir } from './core/data-dir.js'
import { sendEvent, setupIpc } from './ipc.js'

/** The hardened options of the main window (Electron's security checklist). */
export function windowOptions(preloadPath: string): Electron.BrowserWindowConstructorOptions {
  return {
    width: 1200,
    height: 800,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'WP Release Manager',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false
    }
  }
}

let mainWindow: BrowserWindow | null = null

function createWindow(): void {
  const window = new BrowserWindow(windowOptions(path.join(__dirname, '../preload/index.cjs')))
  mainWindow = window
  window.on('ready-to-show', () => window.show())
  window.on('closed', () => (mainWindow = null))
  // Links to the web open in the browser; the window itself never navigates away or opens others.
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  window.webContents.on('will-navigate', (event) => event.preventDefault())
  const devUrl = process.env.ELECTRON_RENDERER_URL
  if (devUrl !== undefined) void window.loadURL(devUrl)
  else void window.loadFile(path.join(__dirname, '../renderer/index.html'))
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('second-instance', () => {
    if (mainWindow === null) return
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.focus()
  })
  void app.whenReady().then(() => {
    const api = createApi({
      dataDir: resolveDataDir(undefined),
      onEvent: (name, payload) => sendEvent(mainWindow, name, payload)
    })
    const appOrigin = process.env.ELECTRON_RENDERER_URL ?? 'file://'
    setupIpc(api, () => mainWindow, appOrigin)
    createWindow()
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow()
    })
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
}
