import { createHash } from 'node:crypto'
import { once } from 'node:events'
import posixPath from 'node:path/posix'
import { constants, createGunzip, gunzipSync } from 'node:zlib'
import type { StatsLogOutcome } from '../../../src-shared/stats.js'
import { WprmError } from '../errors.js'
import type { RemoteFileInfo } from '../remote/sftp-session.js'
import type { LogSource } from './log-source.js'
import { LineSplitter } from './line-splitter.js'

/**
 * Reads what is new in an access log since the last pull, over SFTP or from this machine's disk (a LogSource).
 * SFTP shows no inode, so a file is
 * known by its first bytes (the SHA-256 of up to 1 KiB: a log's first line carries a time and an
 * address, so two files never share it). A pull that finds the log as it left it (the same size and
 * modification second) costs one stat.
 *
 * Rotation: when the log's first bytes are no longer the remembered ones (renamed away, or copied and
 * truncated), the remembered file is looked for among its rotated copies (`access.log.1`,
 * `access.log.2.gz`, …); its rest is read, then every newer copy, then the new log from its start. Only
 * whole lines are taken from the live log: a line still being written is read next time.
 */

/** Where the last pull stopped in one log. */
export interface LogCursor {
  readonly path: string
  /** SHA-256 (hex) of the first `head_bytes` bytes of the file the offset is in. */
  readonly head: string
  readonly head_bytes: number
  /** Bytes of whole lines read. */
  readonly offset: number
  readonly size: number
  readonly mtime: number
}

/** What one pull did with one log. */
export type LogReadOutcome = StatsLogOutcome

/** How much of a file identifies it. */
export const HEAD_BYTES = 1024
/** A gzip copy's first bytes come out of this much of its start. */
const GZIP_HEAD_READ = 64 * 1024

interface LogFile {
  readonly path: string
  readonly size: number
  readonly gzip: boolean
}

/** What a read hands on: each line, and the bytes read so far of the file being read. */
export interface LogSink {
  line(text: string): void
  progress?(file: string, done: number, total: number): void
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

async function readAll(source: LogSource, path: string, end: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  await source.readRange(path, 0, end, (chunk) => void chunks.push(chunk))
  return Buffer.concat(chunks)
}

/** The first `bytes` bytes of a file (of its content, for a gzip copy); shorter when the file is. */
async function headOf(source: LogSource, file: LogFile, bytes: number): Promise<Buffer> {
  if (!file.gzip) return readAll(source, file.path, Math.min(bytes, file.size))
  const start = await readAll(source, file.path, Math.min(GZIP_HEAD_READ, file.size))
  try {
    // Z_SYNC_FLUSH: inflate what there is of a stream cut short, instead of failing on its missing end.
    return gunzipSync(start, { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, bytes)
  } catch {
    return Buffer.alloc(0)
  }
}

/** Rotated copies beside the log, newest first: `<name>.1`, `<name>.1.gz`, `<name>.2.gz`, … */
function rotatedCopies(logPath: string, entries: readonly (RemoteFileInfo & { readonly name: string })[]): LogFile[] {
  const base = posixPath.basename(logPath)
  const byNumber = new Map<number, LogFile>()
  for (const entry of entries) {
    if (!entry.isFile || !entry.name.startsWith(`${base}.`)) continue
    const match = /^(\d{1,3})(\.gz)?$/.exec(entry.name.slice(base.length + 1))
    if (match === null) continue
    const n = Number(match[1])
    const file = { path: posixPath.join(posixPath.dirname(logPath), entry.name), size: entry.size, gzip: match[2] !== undefined }
    // Both `.1` and `.1.gz`: compression is under way and the .gz may be incomplete; the plain one is whole.
    const other = byNumber.get(n)
    if (other === undefined || (other.gzip && !file.gzip)) byNumber.set(n, file)
  }
  return [...byNumber.entries()].sort(([a], [b]) => a - b).map(([, file]) => file)
}

/** Reads one file from `from` (bytes of content) and returns the offset after the last whole line. */
async function readLines(source: LogSource, file: LogFile, from: number, final: boolean, sink: LogSink): Promise<number> {
  const splitter = new LineSplitter()
  const emit = (line: string): void => sink.line(line)
  if (!file.gzip) {
    let done = 0
    await source.readRange(file.path, from, file.size, (chunk) => {
      splitter.push(chunk, emit)
      done += chunk.length
      sink.progress?.(file.path, done, file.size - from)
    })
  } else {
    const gunzip = createGunzip()
    let skip = from
    gunzip.on('data', (out: Buffer) => {
      if (skip > 0) {
        const cut = Math.min(skip, out.length)
        skip -= cut
        out = out.subarray(cut)
      }
      if (out.length > 0) splitter.push(out, emit)
    })
    const ended = once(gunzip, 'end')
    ended.catch(() => undefined)
    let done = 0
    try {
      await source.readRange(file.path, 0, file.size, async (chunk) => {
        done += chunk.length
        sink.progress?.(file.path, done, file.size)
        if (!gunzip.write(chunk)) await once(gunzip, 'drain')
      })
      gunzip.end()
      await ended
    } catch (error) {
      gunzip.destroy()
      if (error instanceof WprmError) throw error
      throw new WprmError(
        'remote-io',
        `The rotated log ${file.path} could not be decompressed (${(error as Error).message}).`,
        'It may still be being compressed: run the pull again in a minute. Nothing was counted.'
      )
    }
  }
  const rest = splitter.rest()
  // A rotated copy is finished: its last line is whole even without a newline.
  if (final && rest !== '') {
    sink.line(rest)
    return from + splitter.consumed + rest.length
  }
  return from + splitter.consumed
}

/**
 * Reads what is new in one access log and returns where to start next time. Nothing is written:
 * the caller stores the cursor with the counts, in one step.
 */
export async function readLog(
  source: LogSource,
  logPath: string,
  cursor: LogCursor | null,
  sink: LogSink
): Promise<{ readonly cursor: LogCursor; readonly outcome: LogReadOutcome }> {
  let requests = 1
  const info = await source.stat(logPath)
  const outcome = (state: LogReadOutcome['state'], files: string[], bytes: number, gap = false): LogReadOutcome => ({
    path: logPath,
    state,
    files,
    bytes,
    gap,
    requests
  })
  if (info === null || !info.isFile) {
    if (cursor !== null && info === null) return { cursor, outcome: outcome('missing', [], 0) }
    throw source.notFound(logPath, info === null ? 'not there' : 'not a file')
  }
  if (cursor !== null && info.size === cursor.size && info.mtime === cursor.mtime) return { cursor, outcome: outcome('unchanged', [], 0) }
  const live: LogFile = { path: logPath, size: info.size, gzip: false }

  let sameFile = false
  if (cursor !== null && info.size >= cursor.offset) {
    if (cursor.head_bytes > 0) requests++
    sameFile = cursor.head_bytes === 0 || sha256(await headOf(source, live, cursor.head_bytes)) === cursor.head
  }
  const files: string[] = []
  let bytes = 0
  let gap = false
  let state: LogReadOutcome['state']
  let from = 0
  if (sameFile) {
    state = 'appended'
    from = cursor!.offset
  } else {
    state = cursor === null ? 'new' : 'rotated'
    requests++
    const copies = rotatedCopies(logPath, await source.listInfo(posixPath.dirname(logPath)))
    let older: LogFile[]
    if (cursor === null) older = copies.reverse()
    else {
      let found = -1
      for (let i = 0; i < copies.length && found < 0; i++) {
        requests++
        if (sha256(await headOf(source, copies[i]!, cursor.head_bytes)) === cursor.head) found = i
      }
      gap = found < 0 && cursor.offset > 0
      older = found < 0 ? [] : copies.slice(0, found + 1).reverse()
      if (found >= 0) {
        requests++
        await readLines(source, older[0]!, cursor.offset, true, sink)
        files.push(older[0]!.path)
        bytes += older[0]!.size
        older = older.slice(1)
      }
    }
    for (const file of older) {
      requests++
      await readLines(source, file, 0, true, sink)
      files.push(file.path)
      bytes += file.size
    }
  }
  requests++
  const offset = await readLines(source, live, from, false, sink)
  files.push(logPath)
  bytes += info.size - from
  // The file's identity: kept while it is at least 1 KiB; re-read while it is smaller (it grows).
  const keepHead = sameFile && cursor!.head_bytes >= Math.min(HEAD_BYTES, info.size)
  if (!keepHead) requests++
  const head = keepHead ? { head: cursor!.head, head_bytes: cursor!.head_bytes } : await headFields(source, live)
  return {
    cursor: { path: logPath, ...head, offset, size: info.size, mtime: info.mtime },
    outcome: outcome(state, files, bytes, gap)
  }
}

async function headFields(source: LogSource, file: LogFile): Promise<{ head: string; head_bytes: number }> {
  const head = await headOf(source, file, HEAD_BYTES)
  return { head: sha256(head), head_bytes: head.length }
}
