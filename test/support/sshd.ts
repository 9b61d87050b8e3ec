import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { userInfo } from 'node:os'
import { join } from 'node:path'
import { freePort, waitForPort } from './free-port.js'
import { run, spawnServer, stopProcessTree } from './process.js'
import type { ServerProcess } from './process.js'
import { requireTool } from './require-tool.js'
import { makePublicDir, makeTempDir, removeTempDir } from './temp-dir.js'

/** Options for startSshd. */
export interface SshdOptions {
  /** When set, a second client key encrypted with this passphrase is made and authorized too. */
  clientKeyPassphrase?: string
  /** Serves SFTP read-only (internal-sftp -R): every write is refused with "permission denied", even for root. */
  readOnly?: boolean
}

/** A private OpenSSH server on 127.0.0.1 that accepts the generated client keys for the current user. */
export interface SshdServer {
  host: '127.0.0.1'
  port: number
  user: string
  /** Authorized ed25519 key without passphrase (OpenSSH format). */
  privateKeyPath: string
  /** Authorized ed25519 key encrypted with `passphrase`; only with the clientKeyPassphrase option. */
  passphraseKeyPath: string | undefined
  passphrase: string | undefined
  /** A valid ed25519 key that is NOT in authorized_keys, for "wrong key" tests. */
  unauthorizedKeyPath: string
  /** 'SHA256:…' exactly as `ssh-keygen -lf` prints it; changes after regenerateHostKey(). */
  hostKeyFingerprint: string
  /** The host public key line ('ssh-ed25519 AAAA… comment'); changes after regenerateHostKey(). */
  hostPublicKey: string
  /** World-readable folder to use as the SFTP remote root (and as nginx's document root). */
  root: string
  /** pid of the current sshd listener. */
  pid: number
  /** sshd's log (LogLevel VERBOSE) across all starts so far. */
  stderr(): string
  /** Stops sshd and every open session, then deletes the temp folders. Never throws. */
  stop(): Promise<void>
  /** Stops sshd (cutting open connections) and starts it again on the same port with the same keys. */
  restart(): Promise<void>
  /** Replaces the host key and restarts, so clients see a changed host key. */
  regenerateHostKey(): Promise<void>
}

const SSHD = '/usr/sbin/sshd'
const READY_TIMEOUT_MS = 15_000

/** Generates an ed25519 key pair at `path` (and `path`.pub). */
async function keygen(path: string, passphrase: string, comment: string): Promise<void> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', comment, '-f', path])
}

/** The 'SHA256:…' field of `ssh-keygen -lf` ("256 SHA256:… comment (ED25519)"). */
async function fingerprint(pubPath: string): Promise<string> {
  const field = (await run('ssh-keygen', ['-lf', pubPath])).split(' ')[1]
  if (!field?.startsWith('SHA256:')) throw new Error(`unexpected ssh-keygen -lf output for ${pubPath}`)
  return field
}

/** sshd_config for a throwaway server: everything under `dir`, loopback only, keys only. */
function sshdConfig(dir: string, port: number, readOnly: boolean): string {
  return [
    'ListenAddress 127.0.0.1',
    `Port ${port}`,
    `HostKey ${join(dir, 'host_ed25519')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `Subsystem sftp internal-sftp${readOnly ? ' -R' : ''}`,
    // No PAM: it would need the system's account stack; StrictModes off: the temp folder is not under $HOME.
    'UsePAM no',
    'StrictModes no',
    // The tests run as root in CI containers.
    'PermitRootLogin yes',
    'PubkeyAuthentication yes',
    // Root's password is locked ('*'); password login cannot be tested without changing it, which we never do.
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PrintMotd no',
    'LogLevel VERBOSE',
    ''
  ].join('\n')
}

/** Starts a private sshd on a free loopback port with freshly generated host and client keys. */
export async function startSshd(opts: SshdOptions = {}): Promise<SshdServer> {
  const sshd = requireTool(SSHD, 'openssh-server')
  requireTool('ssh-keygen', 'openssh-client')
  // sshd refuses to start without its privilege-separation directory; a fresh container may lack it.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 })
  const dir = await makeTempDir('sshd')
  const root = await makeTempDir('sftp-root')
  await makePublicDir(root)
  const hostKey = join(dir, 'host_ed25519')
  const privateKeyPath = join(dir, 'client_ed25519')
  const unauthorizedKeyPath = join(dir, 'unauthorized_ed25519')
  const passphrase = opts.clientKeyPassphrase
  const passphraseKeyPath = passphrase === undefined ? undefined : join(dir, 'client_passphrase_ed25519')
  const configPath = join(dir, 'sshd_config')
  let proc: ServerProcess | undefined
  let pastLogs = ''
  let stopped = false

  const readHostKey = async (): Promise<void> => {
    server.hostKeyFingerprint = await fingerprint(`${hostKey}.pub`)
    server.hostPublicKey = (await readFile(`${hostKey}.pub`, 'utf8')).trim()
  }
  const launch = async (): Promise<void> => {
    const p = spawnServer(sshd, ['-D', '-e', '-f', configPath])
    proc = p
    server.pid = p.pid
    try {
      await waitForPort(server.port, READY_TIMEOUT_MS, () => !p.exited())
    } catch (error) {
      await halt()
      throw new Error(`sshd did not start: ${(error as Error).message}\n${server.stderr()}`)
    }
  }
  const halt = async (): Promise<void> => {
    if (!proc) return
    await stopProcessTree(proc.pid)
    pastLogs += proc.output()
    proc = undefined
  }

  const server: SshdServer = {
    host: '127.0.0.1',
    port: await freePort(),
    user: userInfo().username,
    privateKeyPath,
    passphraseKeyPath,
    passphrase,
    unauthorizedKeyPath,
    hostKeyFingerprint: '',
    hostPublicKey: '',
    root,
    pid: -1,
    stderr: () => pastLogs + (proc?.output() ?? ''),
    async stop() {
      if (stopped) return
      stopped = true
      await halt()
      await Promise.all([removeTempDir(dir), removeTempDir(root)])
    },
    async restart() {
      await halt()
      await launch()
    },
    async regenerateHostKey() {
      await halt()
      await rm(hostKey, { force: true })
      await rm(`${hostKey}.pub`, { force: true })
      await keygen(hostKey, '', 'wprm-test-host')
      await readHostKey()
      await launch()
    }
  }

  try {
    await keygen(hostKey, '', 'wprm-test-host')
    await keygen(privateKeyPath, '', 'wprm-test-client')
    await keygen(unauthorizedKeyPath, '', 'wprm-test-unauthorized')
    const authorized = [await readFile(`${privateKeyPath}.pub`, 'utf8')]
    if (passphraseKeyPath !== undefined) {
      await keygen(passphraseKeyPath, passphrase as string, 'wprm-test-client-passphrase')
      authorized.push(await readFile(`${passphraseKeyPath}.pub`, 'utf8'))
    }
    await writeFile(join(dir, 'authorized_keys'), authorized.join(''), { mode: 0o600 })
    await writeFile(configPath, sshdConfig(dir, server.port, opts.readOnly === true))
    await readHostKey()
    await launch()
  } catch (error) {
    await server.stop()
    throw error
  }
  return server
}
