import { randomBytes } from 'node:crypto'
import { link, open, readdir, rename, rm, symlink } from 'node:fs/promises'
import path from 'node:path'
import { errnoWithPath } from '../errors.js'
import { processIsAlive } from './file-lock.js'

/** How an atomic write puts its file in place. */
export interface AtomicWriteOptions {
  /** Permission bits of the new file (the umask applies, as for fs.writeFile). Default 0o666. */
  readonly mode?: number
  /**
   * Never replace a file already there: the new file is hard-linked into place, which fails with EEXIST
   * when the target exists (a version's ZIP is immutable). Default: renamed over whatever is there.
   */
  readonly exclusive?: boolean
  /** Runs once the new content is durable, just before it takes the target's place (a backup of the old one). */
  readonly beforeCommit?: () => Promise<void>
}

/**
 * A temporary name beside the file it will become: in the same folder (a rename never crosses file
 * systems), hidden, and unique to this process and this call, so two writers never share one.
 */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`)
}

/**
 * Removes the temporary files of `target` that a process killed before it could clean up left behind
 * (a ZIP half written when the build was killed can be large): those named after a process that no
 * longer runs. Best effort: a folder that cannot be listed is left alone.
 */
async function removeLeftTemps(target: string): Promise<void> {
  const base = path.basename(target)
  const names = await readdir(path.dirname(target)).catch(() => [] as string[])
  for (const name of names) {
    if (!name.startsWith(`.${base}.`) || !name.endsWith('.tmp')) continue
    const pid = Number(/^(\d+)-[0-9a-f]{8}$/.exec(name.slice(base.length + 2, -4))?.[1])
    if (Number.isInteger(pid) && pid !== process.pid && !processIsAlive(pid))
      await rm(path.join(path.dirname(target), name), { force: true }).catch(() => undefined)
  }
}

/** Makes the renames, links and removals in a folder durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Flushes a finished file's content to disk. */
async function syncFile(file: string): Promise<void> {
  // r+, not r: Windows flushes only a handle that may write.
  const handle = await open(file, 'r+')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * The one way a file is replaced: `produce` makes a durable temporary file, which then takes the
 * target's place (rename, or link when exclusive) and the folder is synced. Whatever fails, the
 * temporary file is removed; readers see the old file or the new one, never a part of one.
 */
async function place<T>(target: string, produce: (tempPath: string) => Promise<T>, options: AtomicWriteOptions): Promise<T> {
  await removeLeftTemps(target)
  const temp = tempPathFor(target)
  let value: T
  try {
    value = await produce(temp)
    await options.beforeCommit?.()
    // link() never replaces an existing file, where rename() would.
    await (options.exclusive === true ? link(temp, target) : rename(temp, target))
  } finally {
    // After a link the temporary name goes; after a failure, no stray temporary file may stay.
    await rm(temp, { force: true }).catch(() => undefined)
  }
  await syncDirectory(path.dirname(target))
  return value
}

/** Writes a file atomically and durably: it holds the old content or all of the new, even after a crash. */
export function writeFileAtomic(target: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  return place(
    target,
    async (temp) => {
      const handle = await open(temp, 'wx', options.mode ?? 0o666)
      try {
        await handle.writeFile(data)
        await handle.sync()
      } catch (error) {
        // A write names no file when it fails (a full disk): name the one the user knows.
        throw errnoWithPath(error, target)
      } finally {
        await handle.close()
      }
    },
    options
  )
}

/**
 * Like writeFileAtomic, for content that a writer streams into a file of its own: `fill` creates the
 * file at the path it is given (and must not find one there); its result is returned once the file is
 * in place.
 */
export function fillFileAtomic<T>(target: string, fill: (tempPath: string) => Promise<T>, options: AtomicWriteOptions = {}): Promise<T> {
  return place(
    target,
    async (temp) => {
      const value = await fill(temp)
      await syncFile(temp)
      return value
    },
    options
  )
}

/**
 * Points a symbolic link at `linkTarget`, replacing any link there in one step: the link is never
 * missing or half-made for anyone reading the folder.
 */
export async function symlinkAtomic(linkTarget: string, linkPath: string): Promise<void> {
  await removeLeftTemps(linkPath)
  const temp = tempPathFor(linkPath)
  try {
    await symlink(linkTarget, temp)
    await rename(temp, linkPath)
    await syncDirectory(path.dirname(linkPath))
  } finally {
    await rm(temp, { force: true }).catch(() => undefined)
  }
}
