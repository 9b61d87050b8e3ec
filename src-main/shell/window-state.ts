import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { BrowserWindow, Rectangle } from 'electron'

/** Where the window was, so it opens there again. */
export interface WindowState {
  readonly bounds: Rectangle | null
  readonly maximized: boolean
}

/** Reads the saved window state; a missing or damaged file means "default place". */
export function loadWindowState(dataDir: string): WindowState {
  try {
    const state = JSON.parse(readFileSync(path.join(dataDir, 'window-state.json'), 'utf8')) as WindowState
    return { bounds: state.bounds ?? null, maximized: state.maximized === true }
  } catch {
    return { bounds: null, maximized: false }
  }
}

/** Saves the window's place when it closes. */
export function rememberWindowState(window: BrowserWindow, dataDir: string): void {
  window.on('close', () => {
    const state: WindowState = { bounds: window.getNormalBounds(), maximized: window.isMaximized() }
    try {
      writeFileSync(path.join(dataDir, 'window-state.json'), JSON.stringify(state))
    } catch {
      // The data folder may be gone; the next start opens at the default place.
    }
  })
}
