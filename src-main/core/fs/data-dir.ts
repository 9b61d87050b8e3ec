import os from 'node:os'
import path from 'node:path'

/** The app's name, which is also the name of its data folder (Electron's userData). */
export const APP_NAME = 'WP Release Manager'

/**
 * The folder the desktop app keeps its data in: Electron's `userData` for our app name, worked out
 * without Electron so that the CLI and the app agree on it.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = os.homedir()
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_NAME)
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_NAME)
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_NAME)
}

/** The data folder: the flag, else WPRM_DATA_DIR, else the app's own folder. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = flag ?? env.WPRM_DATA_DIR
  return chosen !== undefined && chosen !== '' ? path.resolve(chosen) : defaultDataDir(env)
}
