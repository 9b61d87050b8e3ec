import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { acquireLock } from '../fs/file-lock.js'

/** The folder of the per-plugin operation locks, inside the data folder. */
export const LOCKS_DIR = 'locks'

/** Where the operation lock of a plugin lives: `<data>/locks/<slug>.lock`. */
export function pluginLockPath(dataDir: string, slug: string): string {
  return path.join(dataDir, LOCKS_DIR, `${slug}.lock`)
}

/** Options of `withPluginLock`. */
export interface PluginLockOptions {
  /** What the holder does, shown to whoever has to wait for it. */
  readonly purpose: string
  /** How long to wait for another command on the same plugin. */
  readonly waitMs: number
}

/**
 * Runs `body` as the only change of that plugin's published state on this machine: plan, build, publish
 * and commit of one command never interleave with another's for the same plugin (the second would
 * publish a manifest without the first's change). Other plugins and readers are not held up; the
 * database lock is taken only for the commit, inside `body`. Same stale-owner rules as the database lock.
 */
export async function withPluginLock<T>(dataDir: string, slug: string, options: PluginLockOptions, body: () => Promise<T>): Promise<T> {
  const lockPath = pluginLockPath(dataDir, slug)
  await mkdir(path.dirname(lockPath), { recursive: true, mode: 0o700 })
  const release = await acquireLock(lockPath, {
    purpose: options.purpose,
    waitMs: options.waitMs,
    subject: slug,
    waitNote: 'other plugins are not held up'
  })
  try {
    return await body()
  } finally {
    await release()
  }
}
