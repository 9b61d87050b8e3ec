import { copyFile, mkdir, readFile, readdir, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import type { LocalTarget } from '../../../../src-shared/model.js'
import { WprmError, isErrnoCode } from '../../errors.js'
import { fillFileAtomic, writeFileAtomic } from '../../fs/atomic-file.js'
import { acquireLock } from '../../fs/file-lock.js'
import type { ConditionalSupport, ObjectBody, ObjectHead, ObjectInfo, ObjectStore, PutOptions, StoredObject } from './object-store.js'

/** How long a compare-and-swap waits for another one on the same file (they hold the lock for one rename). */
const CAS_WAIT_MS = 10_000

/** Names in the folder that are ours and not objects: temporary files of atomic writes and the compare-and-swap locks. */
function isHousekeeping(name: string): boolean {
  return (name.startsWith('.') && name.endsWith('.tmp')) || name.endsWith('.wprm-cas')
}

/**
 * A folder on this machine that its web server serves (a `local` target: wprm on the update server itself), as an
 * ObjectStore. Each write is atomic and durable (a temporary file, fsync, rename), a create is a hard link that
 * fails where a file is (as atomic as S3's `If-None-Match: *`), a replace compares the file's identity under a
 * lock file. `Cache-Control` and the content type are the web server's to send (its config, see the README), and
 * no SHA-256 is recorded beside the file: verify hashes the bytes it downloads.
 */
export class LocalStore implements ObjectStore {
  constructor(private readonly target: LocalTarget) {}

  /** The file of a key, never outside the root. */
  private file(key: string): string {
    if (key === '' || key.startsWith('/') || key.includes('\\') || key.split('/').some((p) => p === '' || p === '.' || p === '..')) {
      throw new Error(`not an object key: ${JSON.stringify(key)}`)
    }
    return path.join(this.target.root, ...key.split('/'))
  }

  /** A file system failure as the user's error, naming the file; anything else as it is. */
  private explain(error: unknown, file: string, what: string): unknown {
    if (error instanceof WprmError) return error
    if (isErrnoCode(error, 'EACCES') || isErrnoCode(error, 'EPERM') || isErrnoCode(error, 'EROFS')) {
      return new WprmError(
        'remote-not-writable',
        `${file} cannot be written (${(error as NodeJS.ErrnoException).code}) while ${what}.`,
        `Let the user running wprm write to ${this.target.root} (and its web server read it).`,
        { cause: error }
      )
    }
    if (isErrnoCode(error, 'ENOSPC') || isErrnoCode(error, 'EDQUOT')) {
      return new WprmError('remote-io', `The disk of ${this.target.root} is full while ${what}.`, 'Free some space, then publish again.', {
        cause: error
      })
    }
    return error
  }

  /** Size and identity of a file: the identity changes with every write (each is a new file renamed into place). */
  private async info(key: string): Promise<ObjectInfo | null> {
    try {
      const s = await stat(this.file(key), { bigint: true })
      if (!s.isFile()) return null
      return { key, size: Number(s.size), etag: `${s.ino.toString(16)}-${s.mtimeNs.toString(16)}-${s.size.toString(16)}` }
    } catch (error) {
      if (isErrnoCode(error, 'ENOENT') || isErrnoCode(error, 'ENOTDIR')) return null
      throw error
    }
  }

  async put(key: string, body: ObjectBody, options: PutOptions): Promise<{ readonly etag: string }> {
    const file = this.file(key)
    const what = `writing ${key}`
    const condition = options.condition ?? { kind: 'always' }
    const write = async (exclusive: boolean): Promise<void> => {
      // The root is the web server's folder: made by whoever set the server up, never by a publish.
      await stat(this.target.root).catch((error: unknown) => {
        if (!isErrnoCode(error, 'ENOENT')) throw error
        throw new WprmError(
          'remote-not-found',
          `The folder ${this.target.root} does not exist.`,
          'Create it (the folder your web server serves at the public URL), or correct the root of the server profile.'
        )
      })
      await mkdir(path.dirname(file), { recursive: true })
      if (body.kind === 'bytes') await writeFileAtomic(file, body.bytes, { exclusive, mode: 0o644 })
      else await fillFileAtomic(file, (temp) => copyFile(body.path, temp), { exclusive, mode: 0o644 })
    }
    try {
      if (condition.kind === 'replace') {
        const release = await acquireLock(`${file}.wprm-cas`, { purpose: what, waitMs: CAS_WAIT_MS, subject: key })
        try {
          if ((await this.info(key))?.etag !== condition.etag) throw conflict(key)
          await write(false)
        } finally {
          await release()
        }
      } else {
        await write(condition.kind === 'create').catch((error: unknown) => {
          throw isErrnoCode(error, 'EEXIST') ? conflict(key) : error
        })
      }
    } catch (error) {
      throw this.explain(error, file, what)
    }
    const written = await this.info(key)
    if (written === null) throw new Error(`${file} is not there right after it was written`)
    options.onProgress?.(written.size, written.size)
    return { etag: written.etag }
  }

  async get(key: string): Promise<StoredObject | null> {
    const head = await this.head(key)
    if (head === null) return null
    try {
      return { head, bytes: await readFile(this.file(key)) }
    } catch (error) {
      if (isErrnoCode(error, 'ENOENT')) return null
      throw error
    }
  }

  async head(key: string): Promise<ObjectHead | null> {
    const info = await this.info(key)
    return info === null ? null : { ...info, sha256: null, cacheControl: null, contentType: null }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    // Only the folder the prefix names is walked (`hello/` → <root>/hello), not the whole root.
    const base = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/') + 1) : ''
    const found: ObjectInfo[] = []
    const walk = async (relDir: string): Promise<void> => {
      let names: string[]
      try {
        names = await readdir(path.join(this.target.root, ...relDir.split('/').filter((p) => p !== '')))
      } catch (error) {
        if (isErrnoCode(error, 'ENOENT') || isErrnoCode(error, 'ENOTDIR')) return
        throw error
      }
      for (const name of names) {
        if (isHousekeeping(name)) continue
        const key = `${relDir}${name}`
        if (!key.startsWith(prefix) && !prefix.startsWith(`${key}/`)) continue
        const info = await this.info(key)
        if (info !== null) found.push(info)
        else await walk(`${key}/`)
      }
    }
    await walk(base)
    return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  }

  async delete(key: string): Promise<void> {
    const file = this.file(key)
    await rm(file, { force: true }).catch((error: unknown) => {
      throw this.explain(error, file, `deleting ${key}`)
    })
  }

  async copy(fromKey: string, toKey: string, options: { readonly cacheControl: string }): Promise<{ readonly etag: string }> {
    if ((await this.info(fromKey)) === null) {
      throw new WprmError(
        'remote-not-found',
        `${fromKey} is not in ${this.target.root}, so it cannot be copied to ${toKey}.`,
        'Publish again: it puts what is missing first.'
      )
    }
    return this.put(toKey, { kind: 'file', path: this.file(fromKey) }, { cacheControl: options.cacheControl, contentType: '', sha256: '' })
  }

  publicUrl(key: string): string {
    return new URL(key.split('/').map(encodeURIComponent).join('/'), this.target.public_url).toString()
  }

  /** A local file system honours both, by hard link and by the lock file: nothing to probe. */
  async probeConditionalWrites(): Promise<ConditionalSupport> {
    return { create: true, replace: true }
  }

  close(): void {}
}

/** The failure of a write whose condition did not hold, as S3's 412 is reported. */
function conflict(key: string): WprmError {
  return new WprmError(
    'remote-conflict',
    `Another publish changed ${key} while this one was writing it.`,
    'Run the publish again: it reads what the other one wrote first.'
  )
}
