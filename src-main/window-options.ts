import type { BrowserWindowConstructorOptions, Rectangle } from 'electron'

/**
 * The hardened options of the main window (Electron's security checklist): context isolation, the
 * sandbox, no Node in the page, web security on. Kept apart from the shell so a test can check them.
 */
export function windowOptions(preloadPath: string, bounds: Rectangle | null): BrowserWindowConstructorOptions {
  return {
    width: bounds?.width ?? 1280,
    height: bounds?.height ?? 800,
    ...(bounds === null ? {} : { x: bounds.x, y: bounds.y }),
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'WP Release Manager',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false
    }
  }
}

/** True for links that may leave the app, to the user's browser. */
export function isExternalWebUrl(url: string): boolean {
  try {
    const protocol = new URL(url).protocol
    return protocol === 'https:' || protocol === 'http:'
  } catch {
    return false
  }
}
