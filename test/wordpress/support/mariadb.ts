import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { requireTool } from '../../support/require-tool.js'
import type { Daemon } from './processes.js'
import { delay } from './signals.js'
import { describeState, hasExited, runChecked, runCommand, startDaemon, stopDaemon } from './processes.js'

/** A private MariaDB server for one test site, reachable through its unix socket. */
export interface MariaDb {
  /** Unix socket path; WordPress connects here, never over TCP. */
  socketPath: string
  /** TCP port bound on 127.0.0.1 only. */
  port: number
  /** Database account authenticated by unix_socket: the OS user running the tests. */
  user: string
  /** Name of the database created for WordPress. */
  database: string
  /** The mariadbd process. */
  daemon: Daemon
  /** The `mariadb` client, resolved when the server was started. */
  client: string
  /** Stops mariadbd (SIGTERM, then SIGKILL after 5 s). Never throws. */
  stop(): Promise<void>
}

const READY_TIMEOUT_MS = 30_000

// Small and quick: a test site holds a few hundred rows. Given to the bootstrap too, so that mariadbd does not
// have to resize the redo log on its first start.
const SERVER_TUNING = ['--innodb-buffer-pool-size=32M', '--innodb-log-file-size=16M']

/**
 * Creates a fresh data directory under `dir` and runs mariadbd on it.
 * --no-defaults keeps /etc/mysql out of it, so a system-wide config cannot move sockets or ports.
 */
export async function startMariaDb(dir: string, port: number, user: string): Promise<MariaDb> {
  const installDb = requireTool('mariadb-install-db', 'mariadb-server')
  const server = requireTool('mariadbd', 'mariadb-server')
  // mariadb-server depends on it, so only a hand-removed client gets here.
  const client = requireTool('mariadb', 'mariadb-client')
  const dataDir = join(dir, 'mysql')
  const socketPath = join(dir, 'mysql.sock')
  const logPath = join(dir, 'mariadb.log')
  await runChecked(installDb, [
    '--no-defaults',
    `--user=${user}`,
    `--datadir=${dataDir}`,
    // Socket auth: the OS user is the DB user, so there is no password to invent or leak.
    '--auth-root-authentication-method=socket',
    `--auth-root-socket-user=${user}`,
    '--skip-test-db',
    ...SERVER_TUNING
  ])
  const daemon = startDaemon(
    server,
    [
      '--no-defaults',
      `--user=${user}`,
      `--datadir=${dataDir}`,
      `--socket=${socketPath}`,
      `--pid-file=${join(dir, 'mariadb.pid')}`,
      `--log-error=${logPath}`,
      '--bind-address=127.0.0.1',
      `--port=${port}`,
      '--skip-name-resolve',
      ...SERVER_TUNING
    ],
    join(dir, 'mariadbd.out')
  )
  const db: MariaDb = {
    socketPath,
    port,
    user,
    database: 'wordpress',
    daemon,
    client,
    stop: () => stopDaemon(daemon)
  }
  try {
    await waitUntilAnswering(db, logPath)
    await runChecked(client, ['--no-defaults', '-S', socketPath, '-u', user, '-e', 'CREATE DATABASE wordpress'])
  } catch (error) {
    await db.stop()
    throw error
  }
  return db
}

/** Polls the socket until a query succeeds; fails early, with the server log, if mariadbd dies. */
async function waitUntilAnswering(db: MariaDb, logPath: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (hasExited(db.daemon.child)) break
    const probe = await runCommand(db.client, ['--no-defaults', '-S', db.socketPath, '-u', db.user, '-e', 'SELECT 1'])
    if (probe.exitCode === 0) return
    await delay(100)
  }
  const log = await readFile(logPath, 'utf8').catch(() => '')
  throw new Error(`mariadbd did not answer on ${db.socketPath}; ${describeState(db.daemon.child)}\n${log}`)
}
