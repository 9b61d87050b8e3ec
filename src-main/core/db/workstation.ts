import { randomBytes } from 'node:crypto'
import { mkdir, readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Workstation } from '../../../src-shared/ledger.js'
import { isErrnoCode } from '../errors.js'
import { writeFileAtomic } from '../fs/atomic-file.js'

/** The file that names this data folder as a workstation: `<data>/workstation.json`. */
export const WORKSTATION_FILE = 'workstation.json'

/** The id read from the file, or null when there is none (or it is not ours). */
async function readId(file: string): Promise<string | null> {
  try {
    const id = (JSON.parse(await readFile(file, 'utf8')) as { id?: unknown }).id
    return typeof id === 'string' && /^[0-9a-f]{16}$/.test(id) ? id : null
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT') || error instanceof SyntaxError) return null
    throw error
  }
}

/**
 * Who publishes from this data folder: the login, the machine, and the folder's own random id, made on
 * first use. The ledger records it with every change, and it tells a workstation its own interrupted
 * publish from another's (a CI run with a fresh data folder is a workstation of its own).
 */
export async function workstationOf(dataDir: string): Promise<Workstation> {
  const file = path.join(dataDir, WORKSTATION_FILE)
  let id = await readId(file)
  if (id === null) {
    await mkdir(dataDir, { recursive: true, mode: 0o700 })
    try {
      // Exclusive: two processes starting at once agree on the first one's id.
      await writeFileAtomic(file, `${JSON.stringify({ id: randomBytes(8).toString('hex'), created_at: new Date().toISOString() })}\n`, {
        exclusive: true
      })
    } catch (error) {
      if (!isErrnoCode(error, 'EEXIST')) throw error
    }
    id = await readId(file)
    if (id === null) throw new Error(`workstationOf: ${file} could not be read back`)
  }
  return { user: os.userInfo().username, host: os.hostname(), workstation: id }
}
