import { randomBytes } from 'node:crypto'
import { link, open, readFile, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import type { Adapter } from 'lowdb'
import { WprmError, isErrnoCode } from '../errors.js'

/** What a file's content must pass to count as a good database. */
export type DatabaseCheck<T> = (value: unknown) => value is T

/**
 * A lowdb adapter that never leaves a torn or empty file behind.
 *
 * Each write goes to a unique temporary file, is fsynced, and is renamed over the database; the copy it
 * replaces is kept as `<file>.bak` (a hard link, so keeping it costs no copy). A file that is empty or not
 * a database is reported, naming the backup; it is never silently replaced by an empty one.
 */
export class DurableJsonFile<T> implements Adapter<T> {
  readonly backupPath: string

  constructor(
    readonly filePath: string,
    private readonly isValid: DatabaseCheck<T>
  ) {
    this.backupPath = `${filePath}.bak`
  }

  /** The database, or null when there is none yet (and no backup that says there was one). */
  async read(): Promise<T | null> {
    let text: string
    try {
      text = await readFile(this.filePath, 'utf8')
    } catch (error) {
      if (!isErrnoCode(error, 'ENOENT')) throw error
      if (await this.readBackup().then(() => true, () => false)) {
        throw this.damaged('it is missing, but a backup exists')
      }
      return null
    }
    return this.parse(text, this.filePath)
  }

  async write(data: T): Promise<void> {
    const dir = path.dirname(this.filePath)
    const temp = path.join(dir, `.${path.basename(this.filePath)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`)
    const handle = await open(temp, 'wx', 0o600)
    try {
      await handle.writeFile(`${JSON.stringify(data, null, 2)}\n`)
      await handle.sync()
    } catch (error) {
      await handle.close()
      await rm(temp, { force: true })
      throw error
    }
    await handle.close()
    try {
      await this.keepBackupOfCurrent()
      await rename(temp, this.filePath)
    } catch (error) {
      await rm(temp, { force: true })
      throw error
    }
    const dirHandle = await open(dir, 'r')
    try {
      await dirHandle.sync()
    } finally {
      await dirHandle.close()
    }
  }

  /** Reads and checks the backup; throws when it is missing or bad too. */
  async readBackup(): Promise<T> {
    return this.parse(await readFile(this.backupPath, 'utf8'), this.backupPath)
  }

  /** Links the current (good) file as the backup before it is replaced. */
  private async keepBackupOfCurrent(): Promise<void> {
    const tempBackup = `${this.backupPath}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`
    try {
      await link(this.filePath, tempBackup)
    } catch (error) {
      if (isErrnoCode(error, 'ENOENT')) return // first write: nothing to keep
      throw error
    }
    await rename(tempBackup, this.backupPath)
  }

  private parse(text: string, source: string): T {
    if (text.trim() === '') throw this.damaged(`${source === this.filePath ? 'it' : 'the backup'} is empty`, source)
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (error) {
      throw this.damaged(`${source === this.filePath ? 'it' : 'the backup'} is not valid JSON (${(error as Error).message})`, source)
    }
    if (!this.isValid(value)) throw this.damaged(`${source === this.filePath ? 'it' : 'the backup'} does not hold a WP Release Manager database`, source)
    return value
  }

  private damaged(why: string, source: string = this.filePath): WprmError {
    if (source === this.backupPath) {
      return new WprmError('database-corrupt', `The database backup ${this.backupPath} cannot be used: ${why}.`, `Nothing was changed. Inspect ${this.filePath} and the backup by hand.`)
    }
    return new WprmError(
      'database-corrupt',
      `The database ${this.filePath} is damaged: ${why}. Nothing was changed.`,
      `The last good copy is ${this.backupPath}: restore it with \`wprm db restore-backup\` (the damaged file is kept beside it).`
    )
  }
}
