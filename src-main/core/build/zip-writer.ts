import { createHash } from 'node:crypto'
import type { Hash } from 'node:crypto'
import { createReadStream, readFileSync } from 'node:fs'
import { open, readFile } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import { WprmError, errnoWithPath } from '../errors.js'

/**
 * A deterministic ZIP writer on Node's zlib.
 *
 * Why not jszip: it holds the whole archive in memory and compresses on one thread (2.1× Info-ZIP's
 * time and 250 MB on a WordPress-sized tree, measured here). This writer compresses several files at
 * once on libuv's thread pool, keeps a bounded window of them in memory, and streams large files, so
 * it uses both cores and little memory. Everything that could differ between machines is fixed:
 * entry order, timestamps, permissions, no extra fields.
 */

/** Where an entry's bytes come from: memory (a rewritten file) or a file on disk. */
export type ZipEntrySource =
  { readonly kind: 'buffer'; readonly data: Buffer } | { readonly kind: 'file'; readonly path: string; readonly size: number }

/** One entry, in the order it will be written. Names use `/`; folders end with `/`. */
export interface ZipEntry {
  readonly name: string
  readonly source: ZipEntrySource | null
}

/** What was written. */
export interface ZipWriteResult {
  readonly size: number
  readonly sha256: string
  readonly md5: string
  readonly entries: number
}

/** Options of `writeZip`. */
export interface ZipWriteOptions {
  /** Deflate level, 6 by default (as `zip -6`). */
  readonly level?: number
  readonly onProgress?: (done: number, total: number) => void
  /** The file to name when writing fails (a full disk): the ZIP's final name, where `outPath` is a temporary one. */
  readonly reportPath?: string
}

const deflateRaw = promisify(zlib.deflateRaw)

/** Files above this are streamed (twice: once to size them, once to write) instead of held in memory. */
const STREAM_THRESHOLD = 16 * 1024 * 1024
/** Raw bytes that may be in memory, read or compressed ahead of the writer. */
const WINDOW_BYTES = 48 * 1024 * 1024
const WINDOW_ENTRIES = 16
const WRITE_CHUNK = 1024 * 1024
const SYNC_READ_MAX = 256 * 1024

/** 1980-01-01 00:00:00 in MS-DOS format: the same on every machine and in every time zone. */
const DOS_TIME = 0
const DOS_DATE = (0 << 9) | (1 << 5) | 1
const MADE_BY_UNIX = (3 << 8) | 30
const VERSION_NEEDED = 20
const FLAG_UTF8 = 0x0800
const FILE_ATTRIBUTES = (0o100644 << 16) >>> 0
const DIRECTORY_ATTRIBUTES = ((0o40755 << 16) | 0x10) >>> 0

/**
 * What a ZIP without ZIP64 holds. The all-ones values of its 16- and 32-bit fields mean "see the ZIP64
 * record", so the largest real values are one less.
 *
 * This writer does not write ZIP64, on purpose: a plugin ZIP near 4 GiB cannot be installed by WordPress
 * on ordinary hosts anyway (upload size, PHP memory and time limits, and the copy it unpacks next to
 * the plugin). The source scan (`collectSourceEntries`) refuses what would not fit, before any work,
 * naming the file; the checks below stay as the last guard.
 */
export const ZIP32_LIMITS = {
  /** Entries in one archive: 65,534 (65,535 and more need ZIP64). */
  entries: 0xfffe,
  /** Bytes of one entry (raw or compressed), and offsets into the archive: 4 GiB less 2 bytes. */
  bytes: 0xfffffffe
} as const

/** Header fields of an entry once its data is known. */
interface EntryHeader {
  readonly name: Buffer
  readonly flags: number
  readonly method: 0 | 8
  readonly crc: number
  readonly compressedSize: number
  readonly size: number
  readonly directory: boolean
}

/** An entry ready to write: its header and its data, in memory or to be streamed. */
interface PreparedEntry {
  readonly header: EntryHeader
  readonly data: Buffer | null
  readonly streamFrom: string | null
}

function nameBytes(entry: ZipEntry): { name: Buffer; flags: number } {
  const name = Buffer.from(entry.name, 'utf8')
  // Mark UTF-8 names so that unzip tools do not read them as CP437.
  return { name, flags: /^[\x20-\x7e]*$/.test(entry.name) ? 0 : FLAG_UTF8 }
}

/**
 * Reads a file to archive; one that cannot be read is the user's to fix, and says which it is.
 *
 * Small files are read on this thread: readFile() would take four trips through libuv's thread pool
 * (open, stat, read, close) and queue behind the deflate jobs, while a page-cached read here takes
 * microseconds (measured: the large tree's ZIP 1.97 s -> 1.73 s).
 */
async function readSource(name: string, filePath: string, size: number): Promise<Buffer> {
  try {
    return size <= SYNC_READ_MAX ? readFileSync(filePath) : await readFile(filePath)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EACCES' || code === 'EPERM' || code === 'ENOENT' || code === 'EISDIR') {
      throw new WprmError(
        'source-invalid',
        `${name} cannot be read (${code === 'ENOENT' ? 'it was removed during the build' : code === 'EISDIR' ? 'it is a folder' : 'permission denied'}).`,
        code === 'ENOENT' ? 'Build again once the source is saved.' : 'Fix its permissions, or list it in .distignore.'
      )
    }
    throw error
  }
}

async function prepareInMemory(entry: ZipEntry, level: number): Promise<PreparedEntry> {
  const { name, flags } = nameBytes(entry)
  if (entry.source === null) {
    return {
      header: { name, flags, method: 0, crc: 0, compressedSize: 0, size: 0, directory: true },
      data: Buffer.alloc(0),
      streamFrom: null
    }
  }
  const raw = entry.source.kind === 'buffer' ? entry.source.data : await readSource(entry.name, entry.source.path, entry.source.size)
  const crc = zlib.crc32(raw)
  // One output chunk big enough for the whole file: one job on the thread pool instead of one per 16 KiB.
  const deflated =
    raw.length === 0 ? raw : await deflateRaw(raw, { level, chunkSize: Math.max(16 * 1024, raw.length + (raw.length >> 6) + 1024) })
  // Store what does not shrink (images, archives): smaller and faster to unpack.
  const store = deflated.length >= raw.length
  const data = store ? raw : deflated
  return {
    header: { name, flags, method: store ? 0 : 8, crc, compressedSize: data.length, size: raw.length, directory: false },
    data,
    streamFrom: null
  }
}

/** First pass over a large file: its CRC, size and deflated size, without keeping it in memory. */
async function measureLargeFile(entry: ZipEntry, filePath: string, level: number): Promise<PreparedEntry> {
  const { name, flags } = nameBytes(entry)
  let crc = 0
  let size = 0
  let deflatedSize = 0
  const deflater = zlib.createDeflateRaw({ level })
  const counted = new Promise<void>((resolve, reject) => {
    deflater.on('data', (chunk: Buffer) => (deflatedSize += chunk.length))
    deflater.on('end', resolve)
    deflater.on('error', reject)
  })
  for await (const chunk of createReadStream(filePath, { highWaterMark: WRITE_CHUNK }) as AsyncIterable<Buffer>) {
    crc = zlib.crc32(chunk, crc)
    size += chunk.length
    if (!deflater.write(chunk)) await new Promise((resolve) => deflater.once('drain', resolve))
  }
  deflater.end()
  await counted
  const store = deflatedSize >= size
  return {
    header: { name, flags, method: store ? 0 : 8, crc, compressedSize: store ? size : deflatedSize, size, directory: false },
    data: null,
    streamFrom: filePath
  }
}

function localHeader(h: EntryHeader): Buffer {
  const b = Buffer.alloc(30 + h.name.length)
  b.writeUInt32LE(0x04034b50, 0)
  b.writeUInt16LE(VERSION_NEEDED, 4)
  b.writeUInt16LE(h.flags, 6)
  b.writeUInt16LE(h.method, 8)
  b.writeUInt16LE(DOS_TIME, 10)
  b.writeUInt16LE(DOS_DATE, 12)
  b.writeUInt32LE(h.crc >>> 0, 14)
  b.writeUInt32LE(h.compressedSize, 18)
  b.writeUInt32LE(h.size, 22)
  b.writeUInt16LE(h.name.length, 26)
  b.writeUInt16LE(0, 28)
  h.name.copy(b, 30)
  return b
}

function centralHeader(h: EntryHeader, offset: number): Buffer {
  const b = Buffer.alloc(46 + h.name.length)
  b.writeUInt32LE(0x02014b50, 0)
  b.writeUInt16LE(MADE_BY_UNIX, 4)
  b.writeUInt16LE(VERSION_NEEDED, 6)
  b.writeUInt16LE(h.flags, 8)
  b.writeUInt16LE(h.method, 10)
  b.writeUInt16LE(DOS_TIME, 12)
  b.writeUInt16LE(DOS_DATE, 14)
  b.writeUInt32LE(h.crc >>> 0, 16)
  b.writeUInt32LE(h.compressedSize, 20)
  b.writeUInt32LE(h.size, 24)
  b.writeUInt16LE(h.name.length, 28)
  // extra length, comment length, disk number start, internal attributes: all 0
  b.writeUInt32LE(h.directory ? DIRECTORY_ATTRIBUTES : FILE_ATTRIBUTES, 38)
  b.writeUInt32LE(offset, 42)
  h.name.copy(b, 46)
  return b
}

function endOfCentralDirectory(count: number, size: number, offset: number): Buffer {
  const b = Buffer.alloc(22)
  b.writeUInt32LE(0x06054b50, 0)
  b.writeUInt16LE(count, 8)
  b.writeUInt16LE(count, 10)
  b.writeUInt32LE(size, 12)
  b.writeUInt32LE(offset, 16)
  return b
}

/** Sequential output that hashes every byte it writes: SHA-256 and MD5 come out of the same pass. */
class HashingOutput {
  private readonly sha256: Hash = createHash('sha256')
  private readonly md5: Hash = createHash('md5')
  private pending: Buffer[] = []
  private pendingBytes = 0
  offset = 0

  constructor(
    private readonly handle: FileHandle,
    private readonly reportPath: string
  ) {}

  async write(chunk: Buffer): Promise<void> {
    this.offset += chunk.length
    if (chunk.length >= WRITE_CHUNK) {
      await this.flush()
      await this.emit(chunk)
      return
    }
    this.pending.push(chunk)
    this.pendingBytes += chunk.length
    if (this.pendingBytes >= WRITE_CHUNK) await this.flush()
  }

  async flush(): Promise<void> {
    if (this.pendingBytes === 0) return
    const joined = Buffer.concat(this.pending, this.pendingBytes)
    this.pending = []
    this.pendingBytes = 0
    await this.emit(joined)
  }

  digests(): { sha256: string; md5: string } {
    return { sha256: this.sha256.digest('hex'), md5: this.md5.digest('hex') }
  }

  private async emit(chunk: Buffer): Promise<void> {
    this.sha256.update(chunk)
    this.md5.update(chunk)
    let written = 0
    try {
      while (written < chunk.length) {
        const { bytesWritten } = await this.handle.write(chunk, written, chunk.length - written)
        written += bytesWritten
      }
    } catch (error) {
      throw errnoWithPath(error, this.reportPath)
    }
  }
}

/** Second pass over a large file: writes its data, checking it did not change since the first pass. */
async function streamLargeFile(prepared: PreparedEntry, level: number, out: HashingOutput): Promise<void> {
  const { header } = prepared
  const source = createReadStream(prepared.streamFrom!, { highWaterMark: WRITE_CHUNK }) as AsyncIterable<Buffer>
  let crc = 0
  let written = 0
  if (header.method === 0) {
    for await (const chunk of source) {
      crc = zlib.crc32(chunk, crc)
      written += chunk.length
      await out.write(chunk)
    }
  } else {
    const deflater = zlib.createDeflateRaw({ level })
    const feeding = (async () => {
      for await (const chunk of source) {
        crc = zlib.crc32(chunk, crc)
        if (!deflater.write(chunk)) await new Promise((resolve) => deflater.once('drain', resolve))
      }
      deflater.end()
    })()
    for await (const chunk of deflater as AsyncIterable<Buffer>) {
      written += chunk.length
      await out.write(chunk)
    }
    await feeding
  }
  if (written !== header.compressedSize || crc >>> 0 !== header.crc >>> 0) {
    throw new WprmError(
      'build-failed',
      `${header.name.toString('utf8')} changed while the ZIP was being built.`,
      'Wait until the file is saved, then build again.'
    )
  }
}

/**
 * Writes the entries, in the given order, to a new ZIP file and returns its size and checksums.
 *
 * The file must not exist yet; on failure the caller removes it.
 */
export async function writeZip(entries: readonly ZipEntry[], outPath: string, options: ZipWriteOptions = {}): Promise<ZipWriteResult> {
  const level = options.level ?? 6
  if (entries.length > ZIP32_LIMITS.entries) {
    throw new WprmError(
      'build-failed',
      `The plugin has ${entries.length} files and folders; a ZIP without ZIP64 holds at most ${ZIP32_LIMITS.entries}.`,
      'Leave out what sites do not need (.distignore).'
    )
  }
  const huge = entries.find(
    (entry) => (entry.source?.kind === 'file' ? entry.source.size : (entry.source?.data.length ?? 0)) > ZIP32_LIMITS.bytes
  )
  if (huge !== undefined) {
    throw new WprmError(
      'build-failed',
      `${huge.name} is 4 GiB or more; a ZIP entry that large needs ZIP64, which wprm does not write.`,
      'Leave it out of the plugin (.distignore) and serve it from elsewhere.'
    )
  }
  const isLarge = (entry: ZipEntry): boolean => entry.source?.kind === 'file' && entry.source.size > STREAM_THRESHOLD
  const weight = (entry: ZipEntry): number =>
    entry.source === null || isLarge(entry) ? 0 : entry.source.kind === 'file' ? entry.source.size : entry.source.data.length

  // Writes name no file when they fail: a full disk must still say which ZIP it was.
  const reportPath = options.reportPath ?? outPath
  const handle = await open(outPath, 'wx').catch((error: unknown) => {
    throw errnoWithPath(error, reportPath)
  })
  const out = new HashingOutput(handle, reportPath)
  const central: Buffer[] = []
  // A window of entries is prepared ahead (read and compressed on the thread pool) while the
  // writer takes them in order; the window is bounded in bytes so memory does not grow with the tree.
  const inFlight = new Map<number, Promise<PreparedEntry>>()
  let nextToStart = 0
  let bytesInFlight = 0
  const fill = (writing: number): void => {
    while (
      nextToStart < entries.length &&
      nextToStart - writing < WINDOW_ENTRIES &&
      (bytesInFlight < WINDOW_BYTES || nextToStart === writing)
    ) {
      const index = nextToStart++
      const entry = entries[index]!
      bytesInFlight += weight(entry)
      const prepared = isLarge(entry) ? Promise.resolve<PreparedEntry | null>(null) : prepareInMemory(entry, level)
      // A rejection is handled when the writer reaches this entry; mark it handled meanwhile.
      prepared.catch(() => undefined)
      inFlight.set(index, prepared as Promise<PreparedEntry>)
    }
  }
  try {
    for (let index = 0; index < entries.length; index++) {
      fill(index)
      const entry = entries[index]!
      const ready = await inFlight.get(index)!
      inFlight.delete(index)
      const prepared = ready ?? (await measureLargeFile(entry, (entry.source as { path: string }).path, level))
      const offset = out.offset
      if (prepared.header.size > ZIP32_LIMITS.bytes || offset + prepared.header.compressedSize > ZIP32_LIMITS.bytes) {
        throw new WprmError(
          'build-failed',
          'The ZIP would be larger than 4 GiB, which needs ZIP64.',
          'Leave large media out of the plugin (.distignore) and serve it from elsewhere.'
        )
      }
      await out.write(localHeader(prepared.header))
      if (prepared.data !== null) await out.write(prepared.data)
      else await streamLargeFile(prepared, level, out)
      central.push(centralHeader(prepared.header, offset))
      bytesInFlight -= weight(entry)
      options.onProgress?.(index + 1, entries.length)
    }
    const centralStart = out.offset
    const centralBytes = Buffer.concat(central)
    if (centralStart + centralBytes.length > ZIP32_LIMITS.bytes) {
      throw new WprmError(
        'build-failed',
        'The ZIP would be larger than 4 GiB, which needs ZIP64.',
        'Leave large media out of the plugin (.distignore) and serve it from elsewhere.'
      )
    }
    await out.write(centralBytes)
    await out.write(endOfCentralDirectory(entries.length, centralBytes.length, centralStart))
    await out.flush()
    await handle.sync().catch((error: unknown) => {
      throw errnoWithPath(error, reportPath)
    })
    return { size: out.offset, entries: entries.length, ...out.digests() }
  } finally {
    await Promise.allSettled(inFlight.values())
    await handle.close()
  }
}
