import { createHash, randomBytes } from 'node:crypto'
import { open, readFile } from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path/posix'
import { Client } from 'ssh2'
import type { ConnectConfig, FileEntryWithStats, SFTPWrapper, Stats } from 'ssh2'
import type { SftpServer } from '../../../src-shared/model.js'
import { WprmError, isErrnoCode } from '../errors.js'
import { fingerprintOf } from './host-keys.js'
import type { ReadBack, WrittenReadBack } from './sftp-pipeline.js'
import { hashHandle, readAll, writeWithReadBack } from './sftp-pipeline.js'
import type { SecretProvider } from './secrets.js'

/** An upload read back and still open under its temporary name (`SftpSession.upload`). */
export interface UploadedFile extends WrittenReadBack {
  /**
   * Closes the file and renames it to `renameTo` in one round trip (with `stampSeconds`, its modification
   * time is set in that round trip too, before the rename); null closes only.
   */
  finish(renameTo: string | null, stampSeconds?: number): Promise<void>
}

/** What a stat or a folder listing tells about a file. */
export interface RemoteFileInfo {
  readonly size: number
  /** Seconds since 1970, as SFTP gives it. */
  readonly mtime: number
  readonly isFile: boolean
}

/** Options of a session. */
export interface SessionOptions {
  /** An operation that makes no progress for this long is a stall (a live server stuck): the connection is dropped. */
  readonly stallMs?: number
  /**
   * Nothing at all arriving from the server for this long while a request waits means the connection is
   * dead (pings every quarter of it keep a live one talking, even while the server is busy).
   */
  readonly deadLinkMs?: number
  readonly readyTimeoutMs?: number
  readonly env?: NodeJS.ProcessEnv
}

/** SFTP status codes (draft-ietf-secsh-filexfer): what a failed request means. */
const SFTP_EOF = 1
const SFTP_NO_SUCH_FILE = 2
const SFTP_PERMISSION_DENIED = 3
const SFTP_FAILURE = 4
/**
 * What the other statuses mean, for the message. OpenSSH's server sends FAILURE for every errno it has
 * no status for (a full disk, a quota, a folder in the way); codes 11 and up come from newer drafts.
 */
const SFTP_STATUS_REASONS: Readonly<Record<number, string>> = {
  1: 'it ended early (end of file)',
  4: 'the server could not do it; the usual causes are a full disk, a quota, or a folder or file in the way',
  5: 'the server did not understand the request (the name may be too long or invalid)',
  8: 'the server does not support this operation',
  11: 'it already exists',
  14: "the server's disk is full",
  15: 'the quota on the server is used up'
}

function sftpCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'number' ? code : undefined
}

/**
 * How to log in. Each profile has one method, so it is the only one tried: ssh2 would first try "none"
 * to learn the server's methods, one round trip more for nothing.
 */
async function connectConfig(server: SftpServer, secrets: SecretProvider, env: NodeJS.ProcessEnv): Promise<ConnectConfig> {
  const base: ConnectConfig = { host: server.host, port: server.port, username: server.user }
  switch (server.auth.kind) {
    case 'key': {
      let privateKey: Buffer
      try {
        privateKey = await readFile(server.auth.key_path)
      } catch (error) {
        if (isErrnoCode(error, 'ENOENT')) {
          throw new WprmError(
            'auth-failed',
            `The key file ${server.auth.key_path} does not exist.`,
            'Point the server profile at an existing private key.'
          )
        }
        throw error
      }
      const passphrase = await secrets.secret(server, 'passphrase')
      return { ...base, authHandler: ['publickey'], privateKey, ...(passphrase === null ? {} : { passphrase }) }
    }
    case 'key-env':
      return { ...base, authHandler: ['publickey'], ...(await keyFromEnvironment(server, server.auth.key_env, secrets, env)) }
    case 'agent': {
      const agent = env.SSH_AUTH_SOCK
      if (agent === undefined || agent === '') {
        throw new WprmError(
          'auth-failed',
          'No SSH agent is running (SSH_AUTH_SOCK is not set).',
          'Start ssh-agent and add your key (ssh-add), or use a key file.'
        )
      }
      return { ...base, authHandler: ['agent'], agent }
    }
    case 'password': {
      const password = await secrets.secret(server, 'password')
      if (password === null) {
        const where = server.auth.password_env === null ? "the app's secret store" : `the environment variable ${server.auth.password_env}`
        throw new WprmError(
          'auth-failed',
          `No password for ${server.user}@${server.host}: nothing in ${where}.`,
          'Provide the password there, then try again.'
        )
      }
      return { ...base, authHandler: ['password'], password }
    }
  }
}

/**
 * A private key held in an environment variable, as CI secret stores hand them out: kept in memory only,
 * never written to disk. A key pasted with its line breaks written as `\n` is taken as well.
 */
async function keyFromEnvironment(
  server: SftpServer,
  variable: string,
  secrets: SecretProvider,
  env: NodeJS.ProcessEnv
): Promise<Pick<ConnectConfig, 'privateKey' | 'passphrase'>> {
  const text = env[variable]
  if (text === undefined || text.trim() === '') {
    throw new WprmError(
      'auth-failed',
      `No private key for ${server.user}@${server.host}: the environment variable ${variable} is empty or not set.`,
      `Put the private key's contents (the whole "-----BEGIN … PRIVATE KEY-----" block) in ${variable}, e.g. from your CI's secret store.`
    )
  }
  const privateKey = Buffer.from(text.includes('\n') ? text : text.replace(/\\n/g, '\n'))
  const passphrase = await secrets.secret(server, 'passphrase')
  return { privateKey, ...(passphrase === null ? {} : { passphrase }) }
}

/**
 * Connects, logs in and opens the SFTP subsystem on ssh2's own client. Settles once: with the SFTP
 * session, or with the first error (or the connection closing) before it is there.
 */
function startSftp(client: Client, config: ConnectConfig): Promise<SFTPWrapper> {
  return new Promise<SFTPWrapper>((resolve, reject) => {
    const settle = (error: Error | undefined, sftp?: SFTPWrapper): void => {
      client.off('ready', onReady).off('error', settle).off('close', onClose)
      if (error !== undefined) reject(error)
      else resolve(sftp!)
    }
    const onReady = (): void => {
      client.sftp((error, sftp) => settle(error ?? undefined, sftp))
    }
    const onClose = (): void => settle(new Error('the server closed the connection before the login finished'))
    client.on('ready', onReady).on('error', settle).on('close', onClose)
    try {
      client.connect(config)
    } catch (error) {
      // connect() throws at once on a key it cannot read (an encrypted key without its passphrase).
      settle(error as Error)
    }
  })
}

/** How often the dead-link watch looks; a tick much later than this means the process itself was busy. */
const WATCH_TICK_MS = 250

/**
 * One SFTP connection for one job, with a pinned host key and two watchdogs, so that it never hangs:
 *
 * - a dead link (a cable pulled, a NAT that forgot us, a network that went silent) is seen within
 *   `deadLinkMs` (10 s): while a request waits, something must arrive from the server, and the SSH
 *   pings sent every quarter of that time are answered by the server's SSH process even while its SFTP
 *   side is busy. Any byte counts, so an upload over a slow link (whose pings queue behind the data)
 *   is alive as long as its writes are acknowledged. A ping reply takes one round trip plus the wait for
 *   the next ping: links up to 3/4 of `deadLinkMs` of round trip (7.5 s) are never taken for dead;
 * - a stalled server (alive, but no progress on a request for `stallMs`, 60 s) is dropped too.
 *
 * Every failure says what it was doing.
 */
export class SftpSession {
  private lost: string | null = null
  private closing = false
  /** When the last bytes arrived from the server, and when the oldest of the waiting requests began. */
  private heardAt = performance.now()
  private waitingSince = 0
  private waiting = 0
  private readonly watch: NodeJS.Timeout

  private constructor(
    private readonly client: Client,
    private readonly sftp: SFTPWrapper,
    readonly server: SftpServer,
    private readonly stallMs: number,
    socket: net.Socket,
    private readonly deadLinkMs: number
  ) {
    // Every request in flight listens for the close (pipelined writes of a large manifest: a dozen at once).
    client.setMaxListeners(100)
    client.on('close', () => (this.lost ??= 'the connection was closed'))
    client.on('error', (error: Error) => (this.lost ??= error.message))
    // Added once ssh2 reads the socket itself (after the login): both see every chunk.
    socket.on('data', () => (this.heardAt = performance.now()))
    let lastTick = performance.now()
    this.watch = setInterval(() => {
      const now = performance.now()
      // A tick far later than due means this process was busy: what arrived meanwhile is not counted yet.
      const late = now - lastTick > 4 * WATCH_TICK_MS
      lastTick = now
      if (late) this.heardAt = now
      else if (this.waiting > 0 && this.lost === null && now - Math.max(this.heardAt, this.waitingSince) > this.deadLinkMs) {
        this.lost = `nothing arrived from the server for ${Math.round(this.deadLinkMs / 1000)} s`
        this.client.destroy()
      }
    }, WATCH_TICK_MS)
    this.watch.unref()
    client.once('close', () => clearInterval(this.watch))
  }

  /**
   * False once the connection is lost or being closed, or when the server has been silent for half the
   * dead-link time (its answers to the pings stopped: a link that died while the session was kept): a
   * pool must not lend it again.
   */
  get isOpen(): boolean {
    return this.lost === null && !this.closing && performance.now() - this.heardAt < this.deadLinkMs / 2
  }

  /** Counts a request as waiting for the server, for the dead-link watch; returns the function that ends it. */
  private begin(): () => void {
    if (this.waiting++ === 0) this.waitingSince = performance.now()
    let ended = false
    return () => {
      if (!ended) this.waiting--
      ended = true
    }
  }

  /** Connects and logs in; a host key other than the pinned one is refused before any credential is sent. */
  static async open(server: SftpServer, secrets: SecretProvider, options: SessionOptions = {}): Promise<SftpSession> {
    const config = await connectConfig(server, secrets, options.env ?? process.env)
    let seenKey: string | null = null
    const client = new Client()
    // ssh2 may report an error after the login failed too; an 'error' nobody listens to would crash the process.
    client.on('error', () => undefined)
    const stallMs = options.stallMs ?? 60_000
    const deadLinkMs = options.deadLinkMs ?? 10_000
    const pingMs = Math.max(100, Math.floor(deadLinkMs / 4))
    // Our own socket, handed to ssh2 (its `sock` option), so that the dead-link watch can see bytes arrive.
    const socket = net.connect({ host: server.host, port: server.port })
    try {
      const sftp = await startSftp(client, {
        ...config,
        sock: socket,
        readyTimeout: options.readyTimeoutMs ?? 20_000,
        // ssh2 gives up after this many unanswered pings: only as a last resort, well after our watch
        // (a ping may queue behind an upload's data on a slow link while the writes are still answered).
        keepaliveInterval: pingMs,
        keepaliveCountMax: Math.ceil(stallMs / pingMs) + 1,
        hostVerifier: (key: Buffer) => {
          seenKey = fingerprintOf(key)
          return seenKey === server.host_key_fingerprint
        }
      })
      // ssh2 leaves Nagle on with one write in flight: each chunk would wait for a delayed ACK (45× slower).
      client.setNoDelay(true)
      return new SftpSession(client, sftp, server, stallMs, socket, deadLinkMs)
    } catch (error) {
      client.destroy()
      socket.destroy()
      throw explainConnectError(error, server, seenKey)
    }
  }

  /** Closes the connection; never throws, never hangs (a stalled peer may never answer a goodbye). */
  async close(): Promise<void> {
    this.closing = true
    clearInterval(this.watch)
    if (this.lost !== null) {
      this.client.destroy()
      return
    }
    let timer: NodeJS.Timeout | undefined
    const closed = new Promise<void>((resolve) => {
      this.client.once('close', resolve)
      timer = setTimeout(resolve, 3000)
    })
    this.client.end()
    await closed
    clearTimeout(timer)
    this.client.destroy()
  }

  /** Runs one request under the watchdog; a lost connection becomes a clear error. */
  private request<T>(label: string, start: (done: (error: unknown, value?: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.lost !== null) {
        reject(this.connectionLost(label))
        return
      }
      const end = this.begin()
      let settled = false
      const settle = (error: unknown, value?: T): void => {
        if (settled) return
        settled = true
        end()
        clearTimeout(timer)
        this.client.off('close', onClose)
        if (error !== undefined && error !== null) reject(this.lost !== null ? this.connectionLost(label) : this.explain(error, label))
        else resolve(value as T)
      }
      const timer = setTimeout(() => {
        this.lost ??= `no answer for ${Math.round(this.stallMs / 1000)} s`
        void this.close()
        settle(new Error('stalled'))
      }, this.stallMs)
      // ssh2's compound requests (readFile, writeFile, readdir: open, …, close) never call back when the
      // connection goes in their middle: their closing request waits on a dead channel. Fail at once.
      const onClose = (): void => {
        this.lost ??= 'the connection was closed'
        settle(new Error('closed'))
      }
      this.client.once('close', onClose)
      try {
        start(settle)
      } catch (error) {
        // ssh2 throws at once for an extension the server lacks.
        settle(error)
      }
    })
  }

  private connectionLost(label: string): WprmError {
    return new WprmError(
      'publish-interrupted',
      `The connection to ${this.server.host}:${this.server.port} was lost while ${label} (${this.lost}).`,
      'Check the network and the server, then run the same command again: it finishes the job.'
    )
  }

  /**
   * A failed request as what happened on the server, naming the path (it is in the label). A status
   * from the server is the user's to fix; a local file error (fastPut reading the ZIP) keeps its errno
   * and path for the edge to explain; anything else is a bug and says what it was doing.
   */
  private explain(error: unknown, label: string): Error {
    const code = sftpCode(error)
    const said = (error as Error | null)?.message ?? String(error)
    const what = `${label.charAt(0).toUpperCase()}${label.slice(1)} on ${this.server.host}`
    if (code === SFTP_PERMISSION_DENIED) {
      return new WprmError(
        'remote-not-writable',
        `The server refused ${label}: permission denied for ${this.server.user}.`,
        `Make ${this.server.remote_root} writable for ${this.server.user} on ${this.server.host}.`,
        { cause: error }
      )
    }
    if (code === SFTP_NO_SUCH_FILE || (code === undefined && /No such file/i.test(said))) {
      return new WprmError(
        'remote-not-found',
        `${what} failed: no such file or folder there.`,
        `Check that the remote root ${this.server.remote_root} exists on ${this.server.host} and that no part of it is a file (wprm server test ${this.server.name}).`,
        { cause: error }
      )
    }
    if (code !== undefined) {
      const reason = SFTP_STATUS_REASONS[code] ?? `the server answered "${said}"`
      return new WprmError(
        'remote-io',
        `${what} failed: ${reason} (SFTP status ${code}).`,
        `Check the disk space and the files under ${this.server.remote_root} on ${this.server.host}, then run the same command again.`,
        { cause: error }
      )
    }
    if (typeof (error as { code?: unknown } | null)?.code === 'string') return error as Error
    return new Error(`SFTP ${label}: ${said}`, { cause: error })
  }

  /** A path's attributes, or null when it does not exist. Links are not followed. */
  async lstat(remotePath: string): Promise<Stats | null> {
    try {
      return await this.request<Stats>(`reading ${remotePath}`, (done) => this.sftp.lstat(remotePath, done))
    } catch (error) {
      if (error instanceof WprmError && error.kind === 'remote-not-found') return null
      throw error
    }
  }

  /**
   * Where a symbolic link points, or null when there is no link: one round trip (the readlink itself);
   * only a refusal costs a look at what is there (OpenSSH refuses a file that is not a link).
   */
  async readlink(remotePath: string): Promise<string | null> {
    try {
      return await this.request<string>(`reading the link ${remotePath}`, (done) => this.sftp.readlink(remotePath, done))
    } catch (error) {
      if (error instanceof WprmError && error.kind === 'remote-not-found') return null
      if (error instanceof WprmError && error.kind === 'remote-io') {
        const stats = await this.lstat(remotePath)
        if (stats === null || !stats.isSymbolicLink()) return null
      }
      throw error
    }
  }

  /**
   * A small file's text, or null when it does not exist. Round trips: the open, then its reads (eight
   * in flight, a short one ends it); the close goes out without waiting for its answer.
   */
  async readText(remotePath: string): Promise<string | null> {
    const label = `reading ${remotePath}`
    let handle: Buffer
    try {
      handle = await this.request<Buffer>(label, (done) => this.sftp.open(remotePath, 'r', done))
    } catch (error) {
      if (error instanceof WprmError && error.kind === 'remote-not-found') return null
      throw error
    }
    const chunks: Buffer[] = []
    try {
      await this.guarded(label, (progress) => readAll(this.sftp, handle, null, (data) => chunks.push(data), progress, 32 * 1024, 8))
    } finally {
      this.closeUnawaited(handle, label)
    }
    return Buffer.concat(chunks).toString('utf8')
  }

  /** Creates one folder; resolves false when it already exists (how the publish lock is taken). */
  async mkdir(remotePath: string): Promise<boolean> {
    try {
      await this.request<void>(`creating ${remotePath}`, (done) => this.sftp.mkdir(remotePath, { mode: 0o755 }, done))
      return true
    } catch (error) {
      // OpenSSH answers a plain FAILURE for a folder that exists: look before calling it an error (a
      // missing parent is told plainly already).
      if (!(error instanceof WprmError) || error.kind !== 'remote-io') throw error
      if ((await this.lstat(remotePath)) !== null) return false
      throw error
    }
  }

  /** Creates a folder and its parents: every level is looked at in one round trip, then the missing ones are made in order. */
  async mkdirp(remotePath: string): Promise<void> {
    const parts = remotePath.split('/').filter((p) => p !== '')
    const levels: string[] = []
    let current = remotePath.startsWith('/') ? '/' : ''
    for (const part of parts) {
      current = current === '' ? part : path.join(current, part)
      levels.push(current)
    }
    const found = await Promise.all(levels.map((level) => this.lstat(level)))
    for (const [i, level] of levels.entries()) if (found[i] === null) await this.mkdir(level)
  }

  /**
   * A folder's entries (without `.` and `..`) and their attributes; links are not followed. Round trips:
   * the opendir, then two reads of the folder in flight at a time (a folder of a plugin's files ends
   * in the first two: 2 in all); the close is not waited for.
   */
  async list(remotePath: string): Promise<readonly { readonly name: string; readonly stats: Stats }[]> {
    const label = `listing ${remotePath}`
    const handle = await this.request<Buffer>(label, (done) => this.sftp.opendir(remotePath, done))
    const entries: FileEntryWithStats[] = []
    // The end of the folder comes as an EOF status: a read that found nothing more.
    const batch = (): Promise<FileEntryWithStats[] | null> =>
      this.request<FileEntryWithStats[] | null>(label, (done) =>
        this.sftp.readdir(handle, (error, list) =>
          sftpCode(error) === SFTP_EOF ? done(undefined, null) : done(error, list as FileEntryWithStats[])
        )
      )
    try {
      for (;;) {
        const [first, second] = await Promise.allSettled([batch(), batch()])
        if (first.status === 'rejected') throw first.reason
        if (second.status === 'rejected') throw second.reason
        entries.push(...(first.value ?? []), ...(second.value ?? []))
        if (first.value === null || second.value === null) break
      }
    } finally {
      this.closeUnawaited(handle, label)
    }
    return entries
      .filter((entry) => entry.filename !== '.' && entry.filename !== '..')
      .map((entry) => ({ name: entry.filename, stats: entry.attrs }))
  }

  /** Removes a file, a link, or a folder with everything in it; nothing there is no error. */
  async remove(remotePath: string): Promise<void> {
    const stats = await this.lstat(remotePath)
    if (stats === null) return
    if (!stats.isDirectory()) {
      await this.unlink(remotePath)
      return
    }
    for (const entry of await this.list(remotePath)) await this.remove(path.join(remotePath, entry.name))
    await this.rmdir(remotePath)
  }

  async rmdir(remotePath: string): Promise<void> {
    await this.request<void>(`removing ${remotePath}`, (done) => this.sftp.rmdir(remotePath, done))
  }

  async unlink(remotePath: string): Promise<void> {
    await this.request<void>(`removing ${remotePath}`, (done) => this.sftp.unlink(remotePath, done))
  }

  /** Renames over an existing file atomically (OpenSSH's posix-rename). */
  async rename(from: string, to: string): Promise<void> {
    await this.request<void>(`renaming ${from} to ${to}`, (done) => this.sftp.ext_openssh_rename(from, to, done))
  }

  async symlink(target: string, linkPath: string): Promise<void> {
    await this.request<void>(`linking ${linkPath}`, (done) => this.sftp.symlink(target, linkPath, done))
  }

  /** Sets a file's modification (and access) time, in whole seconds as SFTP carries it. */
  async setModified(remotePath: string, seconds: number): Promise<void> {
    await this.request<void>(`setting the time of ${remotePath}`, (done) => this.sftp.utimes(remotePath, seconds, seconds, done))
  }

  /**
   * Writes a small file (the manifest, a lock note) in two round trips: the open, then its writes and
   * the close together (the server handles the requests on one handle in order).
   */
  async writeFile(remotePath: string, data: Buffer): Promise<void> {
    const label = `writing ${remotePath}`
    try {
      const handle = await this.request<Buffer>(label, (done) => this.sftp.open(remotePath, 'w', { mode: 0o644 }, done))
      // Each write no larger than the server takes: a larger one ssh2 would split and send after the close.
      const maxWrite = (this.sftp as SFTPWrapper & { _maxWriteLen?: number })._maxWriteLen ?? 32 * 1024
      const requests: Promise<void>[] = []
      for (let offset = 0; offset < data.length; offset += maxWrite) {
        const piece = data.subarray(offset, offset + maxWrite)
        requests.push(this.request<void>(label, (done) => this.sftp.write(handle, piece, 0, piece.length, offset, (error) => done(error))))
      }
      requests.push(this.request<void>(label, (done) => this.sftp.close(handle, done)))
      const settled = await Promise.allSettled(requests)
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected')
      if (failed !== undefined) throw failed.reason
    } catch (error) {
      throw await this.explainWrite(error, label, remotePath, data.length)
    }
  }

  /** Bytes free for this user on the disk that holds `remotePath`; null when the server cannot say. */
  async freeSpace(remotePath: string): Promise<number | null> {
    try {
      const info = await this.request<{ f_bavail?: number | bigint; f_frsize?: number | bigint }>(
        `reading the free space at ${remotePath}`,
        (done) => this.sftp.ext_openssh_statvfs(remotePath, done)
      )
      const free = Number(info.f_bavail) * Number(info.f_frsize)
      return Number.isFinite(free) ? free : null
    } catch (error) {
      if (error instanceof WprmError && error.kind === 'publish-interrupted') throw error
      return null
    }
  }

  /**
   * A write the server failed with its catch-all status, told as a full disk when the disk has less room
   * than the write needed (OpenSSH sends FAILURE for ENOSPC and EDQUOT): what happened, which file, and
   * that nothing half-written is kept.
   */
  private async explainWrite(error: unknown, label: string, remotePath: string, needed: number): Promise<unknown> {
    if (!(error instanceof WprmError) || error.kind !== 'remote-io' || sftpCode(error.cause) !== SFTP_FAILURE) return error
    const dir = path.dirname(remotePath)
    const free = await this.freeSpace(dir).catch(() => null)
    if (free === null || free >= needed) return error
    // The file as the user knows it, not the temporary name it was written under.
    const shown = label.replace(/\/\.([^/]+)\.[0-9a-f]{12}\.part$/, '/$1')
    return new WprmError(
      'remote-io',
      `${shown.charAt(0).toUpperCase()}${shown.slice(1)} on ${this.server.host} failed: the server's disk is full (${free} bytes free, ${needed} needed).`,
      `Free space on ${this.server.host} (the disk of ${dir}), then run the same command again: nothing half-written is kept, and what is already there stays.`,
      { cause: error }
    )
  }

  /** A temporary name beside the final one, unique to this job. */
  tempName(finalPath: string): string {
    return path.join(path.dirname(finalPath), `.${path.basename(finalPath)}.${randomBytes(6).toString('hex')}.part`)
  }

  /**
   * Rejects as soon as the connection is closed or makes no progress for the watchdog's time. ssh2's
   * streams and transfers may never call back once the channel is dead (a close request that is never
   * answered), so long operations race against this instead of waiting for their own callbacks.
   */
  private lossGuard(label: string): { readonly lost: Promise<never>; progress(): void; stop(): void } {
    let timer: NodeJS.Timeout | undefined
    let fail: (error: Error) => void = () => undefined
    const lost = new Promise<never>((_, reject) => (fail = reject))
    lost.catch(() => undefined)
    const onClose = (): void => {
      this.lost ??= 'the connection was closed'
      fail(this.connectionLost(label))
    }
    const progress = (): void => {
      clearTimeout(timer)
      timer = setTimeout(() => {
        this.lost ??= `no progress for ${Math.round(this.stallMs / 1000)} s`
        fail(this.connectionLost(label))
        void this.close()
      }, this.stallMs)
    }
    this.client.once('close', onClose)
    const end = this.begin()
    progress()
    return {
      lost,
      progress,
      stop: () => {
        end()
        clearTimeout(timer)
        this.client.off('close', onClose)
      }
    }
  }

  /**
   * Runs `body` (raw ssh2 requests) against a loss guard: a dropped or stalled connection fails it at
   * once, `progress` tells the guard it is moving, and a failure says what was being done.
   */
  private async guarded<T>(label: string, body: (progress: () => void) => Promise<T>): Promise<T> {
    if (this.lost !== null) throw this.connectionLost(label)
    const guard = this.lossGuard(label)
    try {
      const running = body(guard.progress)
      // When the loss wins the race, the requests still fail later ("No response from server"): handled here.
      running.catch(() => undefined)
      return await Promise.race([running, guard.lost])
    } catch (error) {
      throw error instanceof WprmError ? error : this.lost !== null ? this.connectionLost(label) : this.explain(error, label)
    } finally {
      guard.stop()
    }
  }

  /** A raw request, for use inside `guarded`. */
  private raw<T>(start: (done: (error: Error | null | undefined, value?: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value as T))))
  }

  /** Closes a handle that was only read: the answer is not waited for (nothing depends on it). */
  private closeUnawaited(handle: Buffer, label: string): void {
    this.request<void>(label, (done) => this.sftp.close(handle, done)).catch(() => undefined)
  }

  /**
   * Uploads a local file to `remotePath`, a new name (an existing file there is refused), and reads it
   * back as it goes: 4 MiB of writes in flight (one at a time made a 10 ms link 4x slower than OpenSSH,
   * measured), each followed by a read of the same bytes (`writeWithReadBack`). Resolves with the SHA-256
   * and size of what the server returned, and `finish`, which closes the file and renames it in the same
   * round trip; call it once. Round trips: the open, about one per 2 MiB (the SSH window of OpenSSH's
   * sshd), then `finish`. A stalled or dropped connection fails the upload instead of hanging it.
   */
  async upload(localPath: string, remotePath: string, onBytes?: (sent: number) => void): Promise<UploadedFile> {
    const label = `uploading ${remotePath}`
    if (this.lost !== null) throw this.connectionLost(label)
    const file = await open(localPath, 'r')
    let size = 1
    try {
      size = (await file.stat()).size
      return await this.guarded(label, async (progress) => {
        const handle = await this.raw<Buffer>((done) => this.sftp.open(remotePath, 'xw+', { mode: 0o644 }, done))
        // The open's mode passes the server's umask: set it too (as fastPut does), riding with the first writes.
        const chmod = this.raw<void>((done) => this.sftp.fchmod(handle, 0o644, done)).catch(() => undefined)
        try {
          const onWritten = (sent: number): void => {
            progress()
            onBytes?.(sent)
          }
          const readBack = await writeWithReadBack(this.sftp, handle, file, size, onWritten, progress)
          await chmod
          return { ...readBack, finish: (renameTo, stamp) => this.finishUpload(handle, remotePath, renameTo, stamp) }
        } catch (error) {
          this.closeUnawaited(handle, label)
          throw error
        }
      })
    } catch (error) {
      throw await this.explainWrite(error, label, remotePath, size)
    } finally {
      await file.close()
    }
  }

  /**
   * Closes an uploaded file, stamps its time (best effort) and renames it into place, all in one round
   * trip: the server handles them in the order sent.
   */
  private async finishUpload(handle: Buffer, remotePath: string, renameTo: string | null, stampSeconds?: number): Promise<void> {
    const closing = this.request<void>(`closing ${remotePath}`, (done) => this.sftp.close(handle, done))
    if (renameTo === null) return closing
    const stamping = stampSeconds === undefined ? Promise.resolve() : this.setModified(remotePath, stampSeconds).catch(() => undefined)
    const [closed, , renamed] = await Promise.allSettled([closing, stamping, this.rename(remotePath, renameTo)])
    if (renamed.status === 'rejected') throw renamed.reason
    if (closed.status === 'rejected') {
      // The bytes were read back, but a server that cannot close the file may not have kept them.
      await this.unlink(renameTo).catch(() => undefined)
      throw closed.reason
    }
  }

  /**
   * SHA-256 and size of a remote file, read back with 64 reads of 32 KiB in flight (`readAll`), as
   * OpenSSH's sftp reads. With the size it should have, the end is checked in the same window. Round
   * trips: the open, then about one per 2 MiB (ssh2's receive window); the close is not waited for.
   */
  async hashRemote(remotePath: string, expectedSize: number | null = null): Promise<ReadBack> {
    const label = `reading ${remotePath}`
    return this.guarded(label, async (progress) => {
      const handle = await this.raw<Buffer>((done) => this.sftp.open(remotePath, 'r', done))
      try {
        return await hashHandle(this.sftp, handle, expectedSize, progress)
      } finally {
        this.closeUnawaited(handle, label)
      }
    })
  }

  /**
   * Downloads a remote file into a new local file (never one already there), hashing it on the way, and
   * flushes it to disk. A failure leaves the partial file for the caller to remove.
   */
  async download(remotePath: string, localPath: string): Promise<{ sha256: string; size: number }> {
    const label = `downloading ${remotePath}`
    if (this.lost !== null) throw this.connectionLost(label)
    const guard = this.lossGuard(label)
    const read = async (): Promise<{ sha256: string; size: number }> => {
      const hash = createHash('sha256')
      let size = 0
      const out = await open(localPath, 'wx', 0o644)
      try {
        for await (const chunk of quietReadStream(this.sftp, remotePath)) {
          guard.progress()
          hash.update(chunk)
          size += chunk.length
          await out.write(chunk)
        }
        await out.sync()
      } finally {
        await out.close()
      }
      return { sha256: hash.digest('hex'), size }
    }
    try {
      return await Promise.race([read(), guard.lost])
    } catch (error) {
      if (error instanceof WprmError || typeof (error as { code?: unknown } | null)?.code === 'string') throw error
      throw this.lost !== null ? this.connectionLost(label) : this.explain(error, label)
    } finally {
      guard.stop()
    }
  }

  /** A file's size and modification time (links followed), or null when it does not exist. */
  async stat(remotePath: string): Promise<RemoteFileInfo | null> {
    try {
      const stats = await this.request<Stats>(`reading ${remotePath}`, (done) => this.sftp.stat(remotePath, done))
      return { size: stats.size, mtime: stats.mtime, isFile: stats.isFile() }
    } catch (error) {
      if (error instanceof WprmError && error.kind === 'remote-not-found') return null
      throw error
    }
  }

  /** The entries of a folder with their sizes, times and kinds, in one request. */
  async listInfo(remoteDir: string): Promise<(RemoteFileInfo & { readonly name: string })[]> {
    const entries = await this.list(remoteDir)
    return entries.map((e) => ({ name: e.name, size: e.stats.size, mtime: e.stats.mtime, isFile: e.stats.isFile() }))
  }

  /**
   * Streams the bytes [start, end) of a file to `onChunk`, in order, under the watchdog (a stalled or
   * dropped connection fails the read instead of hanging it). Returns the number of bytes read.
   */
  async readRange(remotePath: string, start: number, end: number, onChunk: (chunk: Buffer) => void | Promise<void>): Promise<number> {
    if (end <= start) return 0
    const label = `reading ${remotePath}`
    if (this.lost !== null) throw this.connectionLost(label)
    const guard = this.lossGuard(label)
    const read = async (): Promise<number> => {
      let bytes = 0
      // end is inclusive in the stream's options; 256 KiB per request rather than 64 (4x fewer round trips).
      const stream = this.sftp.createReadStream(remotePath, { start, end: end - 1, highWaterMark: 256 * 1024 })
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        guard.progress()
        bytes += chunk.length
        await onChunk(chunk)
      }
      // The stream closes its handle after its last chunk: wait for that answer, or a session closed
      // right after would fail the request with nobody listening (an uncaught error).
      stream.on('error', () => undefined)
      if (!stream.closed) await new Promise((resolve) => stream.once('close', resolve))
      return bytes
    }
    try {
      return await Promise.race([read(), guard.lost])
    } catch (error) {
      throw error instanceof WprmError ? error : this.lost !== null ? this.connectionLost(label) : this.explain(error, label)
    } finally {
      guard.stop()
    }
  }
}

/**
 * An SFTP read stream whose late errors are not thrown: once the loop reading it has stopped, ssh2 may
 * still report the closing of its handle failing (a connection cut just then) as an 'error' event that
 * nobody listens to any more, which would crash the process. The loop still gets every error it reads.
 */
function quietReadStream(sftp: SFTPWrapper, remotePath: string): AsyncIterable<Buffer> {
  const stream = sftp.createReadStream(remotePath)
  stream.on('error', () => undefined)
  return stream as AsyncIterable<Buffer>
}

/** Turns ssh2's connection errors into what happened and what to do. */
function explainConnectError(error: unknown, server: SftpServer, seenKey: string | null): Error {
  if (error instanceof WprmError) return error
  const message = (error as Error).message ?? String(error)
  const at = `${server.host}:${server.port}`
  if (seenKey !== null && seenKey !== server.host_key_fingerprint) {
    return new WprmError(
      'host-key-changed',
      `The host key of ${at} has changed: expected ${server.host_key_fingerprint}, the server showed ${seenKey}. Nothing was sent to it.`,
      `If the server's key was changed on purpose, confirm ${seenKey} with its administrator, then remove the server and add it again, accepting ${seenKey} (wprm server remove ${server.name}; wprm server add … --accept-host-key ${seenKey}).`,
      { fingerprint: seenKey }
    )
  }
  if (/authentication methods failed|All configured authentication/i.test(message)) {
    const how =
      server.auth.kind === 'key'
        ? `the key ${server.auth.key_path}`
        : server.auth.kind === 'key-env'
          ? `the key in $${server.auth.key_env}`
          : server.auth.kind === 'agent'
            ? 'the keys in the SSH agent'
            : 'the password'
    return new WprmError(
      'auth-failed',
      `${at} refused the login of ${server.user} with ${how}.`,
      'Check the user name and that the key (or password) is authorized on the server.'
    )
  }
  if (/passphrase/i.test(message)) {
    const variable = server.auth.kind === 'key' || server.auth.kind === 'key-env' ? server.auth.passphrase_env : null
    return new WprmError(
      'auth-failed',
      `The key ${server.auth.kind === 'key' ? server.auth.key_path : server.auth.kind === 'key-env' ? `in $${server.auth.key_env}` : ''} is encrypted and the passphrase is missing or wrong.`,
      variable === null
        ? 'Set the key passphrase for this server (--passphrase-env VAR on the CLI).'
        : `Put the passphrase in the environment variable ${variable}.`
    )
  }
  return new WprmError(
    'connection-failed',
    `Could not connect to ${at}: ${message.replace(/^connect: /, '')}.`,
    'Check the host, the port and that the SSH server is running and reachable.'
  )
}
