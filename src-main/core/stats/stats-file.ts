import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { LineCounts } from '../../../src-shared/stats.js'
import { WprmError, isErrnoCode } from '../errors.js'
import { writeFileAtomic } from '../fs/atomic-file.js'
import { acquireLock } from '../fs/file-lock.js'
import type { LogCursor } from './log-reader.js'
import type { PluginStatsState } from './stats-fold.js'

/**
 * One server's install statistics, `<data>/stats/<server>.json`: where each of its access logs was
 * read up to, and each plugin's aggregates. Both live in one file, replaced in one rename, so a pull
 * that fails half-way counts nothing twice and loses nothing: the next pull starts where this file says.
 */
export interface ServerStatsFile {
  readonly format: 'wprm-stats/1'
  readonly server: string
  /** The newest day (days since 1970, UTC) of any line read from this server's logs. */
  readonly newest_day: number | null
  readonly pulled_at: string | null
  readonly lines: LineCounts
  readonly logs: readonly LogCursor[]
  readonly plugins: Readonly<Record<string, PluginStatsState>>
}

/** The folder of the statistics files, in the data folder. */
export const STATS_DIR = 'stats'

function filePath(dataDir: string, server: string): string {
  return path.join(dataDir, STATS_DIR, `${server}.json`)
}

/** A server's statistics before its first pull. */
export function emptyStatsFile(server: string): ServerStatsFile {
  return {
    format: 'wprm-stats/1',
    server,
    newest_day: null,
    pulled_at: null,
    lines: { read: 0, malformed: 0, other: 0 },
    logs: [],
    plugins: {}
  }
}

/** The stored statistics of a server, or null before its first pull. */
export async function readStatsFile(dataDir: string, server: string): Promise<ServerStatsFile | null> {
  const file = filePath(dataDir, server)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT')) return null
    throw error
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    data = null
  }
  if (typeof data !== 'object' || data === null || (data as { format?: unknown }).format !== 'wprm-stats/1') {
    throw new WprmError(
      'database-corrupt',
      `The statistics file ${file} is damaged.`,
      `Move it away and run wprm stats pull again: the access logs still on the server are read from their start.`
    )
  }
  return data as ServerStatsFile
}

/** Replaces a server's statistics, durably and in one step. */
export async function writeStatsFile(dataDir: string, stats: ServerStatsFile): Promise<void> {
  await mkdir(path.join(dataDir, STATS_DIR), { recursive: true, mode: 0o700 })
  await writeFileAtomic(filePath(dataDir, stats.server), `${JSON.stringify(stats)}\n`, { mode: 0o600 })
}

/** Runs a pull of one server alone: a second pull of it (another process) waits, then is told who holds it. */
export async function withStatsLock<T>(dataDir: string, server: string, waitMs: number, body: () => Promise<T>): Promise<T> {
  await mkdir(path.join(dataDir, STATS_DIR), { recursive: true, mode: 0o700 })
  const release = await acquireLock(path.join(dataDir, STATS_DIR, `${server}.lock`), {
    purpose: `pull the statistics of ${server}`,
    waitMs
  })
  try {
    return await body()
  } finally {
    await release()
  }
}
