import { mkdir, rename, stat } from 'node:fs/promises'
import path from 'node:path'
import { Low } from 'lowdb'
import type {
  ActivityEntry,
  PluginRecord,
  PluginVersionRecord,
  RestoreResult,
  ServerProfile,
  SigningKeyRecord
} from '../../../src-shared/model.js'
import { DurableJsonFile } from '../fs/durable-json-file.js'
import { WprmError, isErrnoCode } from '../errors.js'
import { acquireLock } from '../fs/file-lock.js'
import { DEFAULT_EXPIRY_DAYS } from '../../../src-shared/signing.js'

/** The database as stored in `<data>/wprm.json`. */
export interface Database {
  schema: 1
  next_activity_id: number
  plugins: PluginRecord[]
  versions: PluginVersionRecord[]
  servers: ServerProfile[]
  /** Signing keys: public halves and ids only. */
  signing_keys: SigningKeyRecord[]
  activity: ActivityEntry[]
}

/** The file names inside the data folder. */
export const DATABASE_FILE = 'wprm.json'
const LOCK_FILE = 'wprm.lock'

function emptyDatabase(): Database {
  return { schema: 1, next_activity_id: 1, plugins: [], versions: [], servers: [], signing_keys: [], activity: [] }
}

/**
 * Fills fields that databases written by earlier builds lack, so that the code can rely on them.
 */
function withDefaults(db: Database): Database {
  // Every profile before target kinds was an SFTP server.
  db.servers = (db.servers ?? []).map((s) => ({ ...s, kind: s.kind ?? 'sftp', access_logs: s.access_logs ?? [] }) as ServerProfile)
  db.plugins = db.plugins.map((p) => ({
    ...p,
    server: p.server ?? null,
    manifest_version: p.manifest_version ?? 0,
    published_at: p.published_at ?? null,
    signing_key: p.signing_key ?? null,
    manifest_expiry_days: p.manifest_expiry_days ?? DEFAULT_EXPIRY_DAYS,
    manifest_expires: p.manifest_expires ?? null
  }))
  db.signing_keys = db.signing_keys ?? []
  db.versions = db.versions.map((v) => ({ ...v, revoked_at: v.revoked_at ?? null, allowed_files: v.allowed_files ?? [] }))
  return db
}

function isDatabase(value: unknown): value is Database {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Partial<Database>
  return (
    v.schema === 1 &&
    Array.isArray(v.plugins) &&
    Array.isArray(v.versions) &&
    Array.isArray(v.activity) &&
    typeof v.next_activity_id === 'number'
  )
}

/** Options of the store. */
export interface StoreOptions {
  /** How long a writer waits for another process's write to finish. */
  readonly lockWaitMs?: number
}

/**
 * The database of plugins, versions and activity, shared safely between the app and the CLI.
 *
 * Reads come fresh from disk (an atomic rename means a reader always sees a whole file), and take no
 * lock. Every change is a transaction: one at a time in this process (a queue) and across processes (a
 * lock file); it reads the newest data, applies the change, and writes it durably, or writes nothing if
 * the change throws. A transaction holds every other writer of every plugin, so it only commits: a
 * build, an upload or anything else slow is done before, from a `read()` snapshot (see
 * ops/plugin-change.ts), and the transaction checks that snapshot still holds.
 */
export class Store {
  readonly dataDir: string
  private readonly file: DurableJsonFile<Database>
  private readonly lockPath: string
  private readonly lockWaitMs: number
  private queue: Promise<unknown> = Promise.resolve()

  constructor(dataDir: string, options: StoreOptions = {}) {
    this.dataDir = dataDir
    this.file = new DurableJsonFile(path.join(dataDir, DATABASE_FILE), isDatabase)
    this.lockPath = path.join(dataDir, LOCK_FILE)
    this.lockWaitMs = options.lockWaitMs ?? 30_000
  }

  /** Path of the database file. */
  get databasePath(): string {
    return this.file.filePath
  }

  /** The newest data on disk (empty when there is no database yet). */
  async read(): Promise<Readonly<Database>> {
    const db = await this.file.read()
    return db === null ? emptyDatabase() : withDefaults(db)
  }

  /**
   * Runs a change: the function gets the newest data to change in place; what it throws leaves the
   * database as it was. Keep it to the commit of a change planned beforehand (no build, no network):
   * the cross-process lock is held until it returns.
   */
  transact<T>(purpose: string, change: (db: Database) => Promise<T> | T): Promise<T> {
    return this.locked(purpose, async () => {
      const db = new Low<Database>(this.file, emptyDatabase())
      await db.read()
      db.data = withDefaults(db.data)
      const result = await change(db.data)
      await db.write()
      return result
    })
  }

  /**
   * Puts the backup back in place of a damaged database; the damaged file is kept beside it.
   */
  restoreBackup(): Promise<RestoreResult> {
    return this.locked('restore the backup', async () => {
      let backup: Database
      try {
        backup = await this.file.readBackup()
      } catch (error) {
        if (isErrnoCode(error, 'ENOENT')) {
          throw new WprmError(
            'not-found',
            `There is no backup at ${this.file.backupPath}.`,
            'A backup is made at the second write; there is nothing to restore.'
          )
        }
        throw error
      }
      let damagedCopy: string | null = null
      const present = await stat(this.file.filePath).then(
        () => true,
        () => false
      )
      if (present) {
        damagedCopy = `${this.file.filePath}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`
        // Moved, not copied: the write below must not keep the damaged file as the new backup.
        await rename(this.file.filePath, damagedCopy)
      }
      backup.activity.unshift({
        id: backup.next_activity_id++,
        at: new Date().toISOString(),
        plugin: '',
        version: null,
        action: 'database.restore',
        summary: `Database restored from ${path.basename(this.file.backupPath)}${damagedCopy ? `; damaged file kept as ${path.basename(damagedCopy)}` : ''}`,
        changes: {}
      })
      await this.file.write(backup)
      return {
        restored_from: this.file.backupPath,
        damaged_copy: damagedCopy,
        plugins: backup.plugins.length,
        versions: backup.versions.length
      }
    })
  }

  /** Runs a body alone: after this process's earlier changes, and under the cross-process lock. */
  private locked<T>(purpose: string, body: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      await mkdir(this.dataDir, { recursive: true, mode: 0o700 })
      const release = await acquireLock(this.lockPath, { purpose, waitMs: this.lockWaitMs })
      try {
        return await body()
      } finally {
        await release()
      }
    }
    const next = this.queue.then(run, run)
    this.queue = next.catch(() => undefined)
    return next
  }
}

/** Appends an entry to the activity log (newest first). */
export function recordActivity(db: Database, entry: Omit<ActivityEntry, 'id'>): void {
  db.activity.unshift({ id: db.next_activity_id++, ...entry })
}
