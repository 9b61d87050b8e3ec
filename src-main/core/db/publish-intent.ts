import { mkdir, readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { isErrnoCode } from '../errors.js'
import { writeFileAtomic } from '../fs/atomic-file.js'

/** The folder of publish intents, inside the data folder. */
export const INTENTS_DIR = 'pending'

/**
 * A publish that was started and not yet recorded: written durably before a publish touches the server,
 * removed once the database records it. One left behind (a cut connection, a killed process, a full
 * disk at the commit) tells the next command to compare with the server before it acts.
 */
export interface PublishIntent {
  readonly slug: string
  readonly server: string
  /** The manifest version the database had when the publish started. */
  readonly manifest_version: number
  readonly purpose: string
  readonly at: string
}

function intentPath(dataDir: string, slug: string): string {
  return path.join(dataDir, INTENTS_DIR, `${slug}.json`)
}

/** Records that a publish of `intent.slug` is about to start. */
export async function writeIntent(dataDir: string, intent: PublishIntent): Promise<void> {
  await mkdir(path.join(dataDir, INTENTS_DIR), { recursive: true, mode: 0o700 })
  await writeFileAtomic(intentPath(dataDir, intent.slug), `${JSON.stringify(intent)}\n`)
}

/** The unfinished publish of a plugin, or null when there is none. */
export async function readIntent(dataDir: string, slug: string): Promise<PublishIntent | null> {
  try {
    return JSON.parse(await readFile(intentPath(dataDir, slug), 'utf8')) as PublishIntent
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT')) return null
    // A torn or foreign file says as much as a whole one: a publish may have landed.
    if (error instanceof SyntaxError) return { slug, server: '', manifest_version: -1, purpose: 'unknown', at: '' }
    throw error
  }
}

/** Forgets a plugin's unfinished publish: the database and the server agree again. */
export async function clearIntent(dataDir: string, slug: string): Promise<void> {
  await rm(intentPath(dataDir, slug), { force: true })
}
