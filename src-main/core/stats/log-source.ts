import { createReadStream } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import type { LocalServer, SftpServer } from '../../../src-shared/model.js'
import { WprmError, isErrnoCode } from '../errors.js'
import type { RemoteFileInfo, SftpSession } from '../remote/sftp-session.js'

/** Bytes read at a time from a log on this machine (1 MiB: see FACTS.md's hashing baseline). */
const LOCAL_CHUNK = 1024 * 1024

/**
 * Where the access logs of a server are read from: its host over SFTP, or this machine's disk for a `local`
 * target. The reader's rules (cursors, rotation, whole lines) are the same over both.
 */
export interface LogSource {
  /** Size, modification second and kind of a file; null when it is not there. */
  stat(file: string): Promise<RemoteFileInfo | null>
  /** The files of a folder with their size (the rotated copies beside a log). */
  listInfo(dir: string): Promise<(RemoteFileInfo & { readonly name: string })[]>
  /** Bytes [start, end) of a file, chunk by chunk (the next chunk waits for a returned promise). */
  readRange(file: string, start: number, end: number, onChunk: (chunk: Buffer) => void | Promise<void>): Promise<number>
  /** The refusal for a log that is missing or not a file, saying where it was looked for and what to do. */
  notFound(file: string, what: 'not there' | 'not a file'): WprmError
}

/** A server's logs over its SFTP session. */
export function sftpLogSource(session: SftpSession, server: SftpServer): LogSource {
  return {
    stat: (file) => session.stat(file),
    listInfo: (dir) => session.listInfo(dir),
    readRange: (file, start, end, onChunk) => session.readRange(file, start, end, onChunk),
    notFound: (file, what) =>
      new WprmError(
        'remote-not-found',
        `The access log ${file} is ${what} on ${server.host}.`,
        `Check the path (wprm server set ${server.name} --access-log PATH) and that ${server.user} may read it.`
      )
  }
}

/** A read failure on this machine as the user's error, naming the file. */
function explain(error: unknown, file: string): unknown {
  if (isErrnoCode(error, 'EACCES') || isErrnoCode(error, 'EPERM')) {
    return new WprmError(
      'io',
      `The access log ${file} cannot be read by this user (${(error as NodeJS.ErrnoException).code}).`,
      'Let the user running wprm read the web server\'s logs (on Debian: add it to the "adm" group), then pull again.',
      { cause: error }
    )
  }
  return error
}

/** A `local` server's logs, read from this machine's disk (wprm runs on the update server itself). */
export function localLogSource(server: LocalServer): LogSource {
  const info = (s: { size: number; mtimeMs: number; isFile(): boolean }): RemoteFileInfo => ({
    size: s.size,
    // Whole seconds, as SFTP gives them: the cursor's "unchanged" test means the same on both sources.
    mtime: Math.floor(s.mtimeMs / 1000),
    isFile: s.isFile()
  })
  return {
    stat: async (file) => {
      try {
        return info(await stat(file))
      } catch (error) {
        if (isErrnoCode(error, 'ENOENT') || isErrnoCode(error, 'ENOTDIR')) return null
        throw explain(error, file)
      }
    },
    listInfo: async (dir) => {
      try {
        const entries = await readdir(dir, { withFileTypes: true })
        const infos = await Promise.all(
          entries
            .filter((e) => e.isFile())
            .map(async (e) => {
              const s = await stat(path.join(dir, e.name)).catch(() => null)
              return s === null ? null : { name: e.name, ...info(s) }
            })
        )
        return infos.filter((e) => e !== null)
      } catch (error) {
        throw explain(error, dir)
      }
    },
    readRange: async (file, start, end, onChunk) => {
      if (end <= start) return 0
      let read = 0
      try {
        for await (const chunk of createReadStream(file, { start, end: end - 1, highWaterMark: LOCAL_CHUNK }) as AsyncIterable<Buffer>) {
          read += chunk.length
          await onChunk(chunk)
        }
      } catch (error) {
        throw explain(error, file)
      }
      return read
    },
    notFound: (file, what) =>
      new WprmError(
        'not-found',
        `The access log ${file} is ${what} on this machine.`,
        `Check the path (wprm server set ${server.name} --access-log PATH): server ${server.name} is a folder here, so its logs are read from this disk.`
      )
  }
}
