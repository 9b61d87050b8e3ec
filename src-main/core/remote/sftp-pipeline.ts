import { createHash } from 'node:crypto'
import type { FileHandle } from 'node:fs/promises'
import type { SFTPWrapper } from 'ssh2'

// Pipelined transfers on one open SFTP handle: many requests in flight, as OpenSSH's sftp keeps 64 of
// 32 KiB. With one request at a time every chunk costs a round trip (a 20 MB read-back in 64 KiB reads:
// about 305 round trips, 30 s at 100 ms). A server may answer in any order, but it processes the
// requests on one file in the order they came (draft-ietf-secsh-filexfer-02, section 6: overlapping
// reads and writes are never reordered), so a read sent right behind a write returns what the write
// wrote. Errors come back raw (SFTP status codes, errnos): the session explains them.

/** Read requests of a read-back: their size, and how many are in flight (measured in the benchmark, see bench/publish.js). */
export const READ_CHUNK_BYTES = 32 * 1024
export const READS_IN_FLIGHT = 64

/**
 * Bytes of writes an upload keeps in flight. OpenSSH's sshd takes 2 MiB per channel window; more in
 * flight waits in ssh2's buffer, and having it there keeps the window full (measured in the benchmark).
 */
export const WRITE_BYTES_IN_FLIGHT = 4 * 1024 * 1024

/** What was read back: the SHA-256 and the length of the bytes the server returned. */
export interface ReadBack {
  readonly sha256: string
  readonly size: number
}

/** An upload read back: what the server returned, and the SHA-256 of what was sent (read from the local file). */
export interface WrittenReadBack extends ReadBack {
  readonly sentSha256: string
}

/**
 * Marks a request as handled from the start: when an earlier one fails, nobody waits for the later ones,
 * and their failures (the same lost connection) must not surface as unhandled rejections.
 */
function handled<T>(request: Promise<T>): Promise<T> {
  request.catch(() => undefined)
  return request
}

/** Reads `length` bytes at `offset`; fewer at the end of the file, none past it. */
export function readAt(sftp: SFTPWrapper, handle: Buffer, offset: number, length: number): Promise<Buffer> {
  return handled(
    new Promise<Buffer>((resolve, reject) =>
      sftp.read(handle, Buffer.allocUnsafe(length), 0, length, offset, (error, bytesRead, data) =>
        error ? reject(error) : resolve(data.subarray(0, bytesRead))
      )
    )
  )
}

function writeAt(sftp: SFTPWrapper, handle: Buffer, data: Buffer, offset: number): Promise<void> {
  return handled(
    new Promise<void>((resolve, reject) => sftp.write(handle, data, 0, data.length, offset, (error) => (error ? reject(error) : resolve())))
  )
}

/**
 * Reads a whole file from an open handle with `depth` reads of `chunk` bytes in flight, handing the
 * bytes to `sink` in order as the answers come; resolves with their count. With `expectedSize`, it asks
 * for exactly that much plus one byte past it, in the same window: a longer file shows at no extra round
 * trip (and is then read to its end). A short answer before `expectedSize` is asked again for the rest
 * (a server may answer short); at the end, or without an expected size, a short answer is the end of
 * the file (for a regular file the draft promises full answers up to its end). Whatever the server
 * does, what reaches `sink` is what it returned.
 */
export async function readAll(
  sftp: SFTPWrapper,
  handle: Buffer,
  expectedSize: number | null,
  sink: (data: Buffer) => void,
  onAnswer: () => void,
  chunk = READ_CHUNK_BYTES,
  depth = READS_IN_FLIGHT
): Promise<number> {
  const queue: { offset: number; length: number; data: Promise<Buffer> }[] = []
  const ask = (offset: number, length: number): { offset: number; length: number; data: Promise<Buffer> } => ({
    offset,
    length,
    data: readAt(sftp, handle, offset, length)
  })
  let end = expectedSize === null ? Infinity : expectedSize + 1
  let next = 0
  let size = 0
  const fill = (): void => {
    while (queue.length < depth && next < end) {
      const length = Math.min(chunk, end - next)
      queue.push(ask(next, length))
      next += length
    }
  }
  fill()
  while (queue.length > 0) {
    const head = queue.shift()!
    const data = await head.data
    onAnswer()
    sink(data)
    size += data.length
    if (data.length === head.length) {
      // The byte past the expected size is there: the file is longer; read on to its end.
      if (queue.length === 0 && next >= end) end = Infinity
      fill()
      continue
    }
    if (data.length > 0 && expectedSize !== null && size < expectedSize) {
      queue.unshift(ask(size, head.length - data.length))
      continue
    }
    break
  }
  return size
}

/** The SHA-256 and size of a whole file read from an open handle (`readAll`). */
export async function hashHandle(
  sftp: SFTPWrapper,
  handle: Buffer,
  expectedSize: number | null,
  onAnswer: () => void,
  chunk = READ_CHUNK_BYTES,
  depth = READS_IN_FLIGHT
): Promise<ReadBack> {
  const hash = createHash('sha256')
  const size = await readAll(sftp, handle, expectedSize, (data) => hash.update(data), onAnswer, chunk, depth)
  return { sha256: hash.digest('hex'), size }
}

/**
 * Writes `size` bytes of a local file to an open handle (opened for reading and writing), with
 * `WRITE_BYTES_IN_FLIGHT` of writes in flight, and sends a read of each chunk right behind its write:
 * the read-back travels with the upload instead of after it. A read one byte past the end proves the
 * file ends there. `onWritten` gets the bytes the server has confirmed. The result is the hash of what
 * the server returned, to compare with the released checksum, and of what was sent.
 */
export async function writeWithReadBack(
  sftp: SFTPWrapper,
  handle: Buffer,
  file: FileHandle,
  size: number,
  onWritten: (bytes: number) => void,
  onAnswer: () => void
): Promise<WrittenReadBack> {
  // One request per chunk, no larger than the server takes in one write (else ssh2 splits it and sends
  // the pieces one after another) or sends in one read.
  const limits = sftp as SFTPWrapper & { _maxWriteLen?: number; _maxReadLen?: number }
  const chunk = Math.min(limits._maxWriteLen ?? 32 * 1024, limits._maxReadLen ?? 32 * 1024, 256 * 1024)
  const hash = createHash('sha256')
  const sentHash = createHash('sha256')
  const pending: { offset: number; length: number; written: Promise<void>; data: Promise<Buffer> }[] = []
  let inFlight = 0
  let written = 0
  let readBack = 0
  const settleOldest = async (): Promise<void> => {
    const oldest = pending.shift()!
    await oldest.written
    written += oldest.length
    onWritten(written)
    let data = await oldest.data
    onAnswer()
    // A short answer mid-file (allowed, never seen from OpenSSH): ask for the rest.
    while (data.length > 0 && data.length < oldest.length) {
      const rest = await readAt(sftp, handle, oldest.offset + data.length, oldest.length - data.length)
      if (rest.length === 0) break
      data = Buffer.concat([data, rest])
    }
    hash.update(data)
    readBack += data.length
    inFlight -= oldest.length
  }
  for (let offset = 0; offset < size; offset += chunk) {
    const length = Math.min(chunk, size - offset)
    const data = Buffer.allocUnsafe(length)
    const { bytesRead } = await file.read(data, 0, length, offset)
    // A file that shrank under us: what went up is compared with the release afterwards, and refused.
    if (bytesRead === 0) break
    const sent = data.subarray(0, bytesRead)
    sentHash.update(sent)
    pending.push({ offset, length: bytesRead, written: writeAt(sftp, handle, sent, offset), data: readAt(sftp, handle, offset, bytesRead) })
    inFlight += bytesRead
    while (inFlight >= WRITE_BYTES_IN_FLIGHT) await settleOldest()
    if (bytesRead < length) break
  }
  const past = readAt(sftp, handle, size, 1)
  while (pending.length > 0) await settleOldest()
  const beyond = await past
  hash.update(beyond)
  return { sha256: hash.digest('hex'), size: readBack + beyond.length, sentSha256: sentHash.digest('hex') }
}
