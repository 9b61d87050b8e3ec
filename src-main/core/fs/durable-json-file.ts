import { link, readFile } from 'node:fs/promises'
import type { Adapter } from 'lowdb'
import { WprmError, isErrnoCode } from '../errors.js'
import { fillFileAtomic, writeFileAtomic } from './atomic-file.js'

/** What a file's content must pass to count as a good database. */
export type DatabaseCheck<T> = (value: unknown) => value is T

/**
 * A lowdb adapter that never leaves a torn or empty file behind.
 *
 * Each write replaces the database atomically and durably (writeFileAtomic); the copy it replaces is
 * kept as `<file>.bak` (a hard link, so keeping it costs no copy). A file that is empty or not
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
      if (
        await this.readBackup().then(
          () => true,
          () => false
        )
      ) {
        throw this.damaged('it is missing, but a backup exists')
      }
      return null
    }
    return this.parse(text, this.filePath)
  }

  async write(data: T): Promise<void> {
    await writeFileAtomic(this.filePath, `${JSON.stringify(data, null, 2)}\n`, {
      mode: 0o600,
      beforeCommit: () => this.keepBackupOfCurrent()
    })
  }

  /** Reads and checks the backup; throws when it is missing or bad too. */
  async readBackup(): Promise<T> {
    return this.parse(await readFile(this.backupPath, 'utf8'), this.backupPath)
  }

  /** Links the current (good) file as the backup before it is replaced. */
  private async keepBackupOfCurrent(): Promise<void> {
    try {
      await fillFileAtomic(this.backupPath, (temp) => link(this.filePath, temp))
    } catch (error) {
      if (isErrnoCode(error, 'ENOENT')) return // first write: nothing to keep
      throw error
    }
  }

  private parse(text: string, source: string): T {
    if (text.trim() === '') throw this.damaged(`${source === this.filePath ? 'it' : 'the backup'} is empty`, source)
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (error) {
      throw this.damaged(`${source === this.filePath ? 'it' : 'the backup'} is not valid JSON (${(error as Error).message})`, source)
    }
    if (!this.isValid(value))
      throw this.damaged(`${source === this.filePath ? 'it' : 'the backup'} does not hold a WP Release Manager database`, source)
    return value
  }

  private damaged(why: string, source: string = this.filePath): WprmError {
    if (source === this.backupPath) {
      return new WprmError(
        'database-corrupt',
        `The database backup ${this.backupPath} cannot be used: ${why}.`,
        `Nothing was changed. Inspect ${this.filePath} and the backup by hand.`
      )
    }
    return new WprmError(
      'database-corrupt',
      `The database ${this.filePath} is damaged: ${why}. Nothing was changed.`,
      `The last good copy is ${this.backupPath}: restore it with \`wprm db restore-backup\` (the damaged file is kept beside it).`
    )
  }
}
