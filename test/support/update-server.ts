import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import type { AddSftpServerInput, SftpServer } from '../../src-preload/api.js'
import type { NginxServer } from './nginx.js'
import { startNginx } from './nginx.js'
import type { SshdOptions, SshdServer } from './sshd.js'
import { startSshd } from './sshd.js'

/** A real update server on loopback: sshd for publishing, nginx serving the same folder to sites. */
export interface UpdateServer {
  readonly sshd: SshdServer
  readonly nginx: NginxServer
  /** A server profile for a fresh sub-folder of the SFTP root (one per test keeps tests apart). */
  profile(name: string, overrides?: Partial<AddSftpServerInput>): Promise<AddSftpServerInput>
  /** The profile as the database stores it, for the SFTP root, reached through `port` (a proxy) if given. */
  storedProfile(name: string, port?: number): SftpServer
  stop(): Promise<void>
}

/** Starts sshd and nginx, nginx serving sshd's SFTP root. */
export async function startUpdateServer(options: SshdOptions = {}): Promise<UpdateServer> {
  const sshd = await startSshd(options)
  let nginx: NginxServer
  try {
    nginx = await startNginx({ root: sshd.root })
  } catch (error) {
    await sshd.stop()
    throw error
  }
  return {
    sshd,
    nginx,
    async profile(name, overrides = {}) {
      const remoteRoot = path.join(sshd.root, name)
      await mkdir(remoteRoot, { recursive: true, mode: 0o755 })
      return {
        name,
        host: sshd.host,
        port: sshd.port,
        user: sshd.user,
        auth: { kind: 'key', key_path: sshd.privateKeyPath, passphrase_env: null },
        remoteRoot,
        publicUrl: `${nginx.baseUrl}${name}/`,
        acceptHostKey: sshd.hostKeyFingerprint,
        ...overrides
      }
    },
    storedProfile(name, port = sshd.port) {
      const at = new Date().toISOString()
      return {
        kind: 'sftp',
        name,
        host: sshd.host,
        port,
        user: sshd.user,
        auth: { kind: 'key', key_path: sshd.privateKeyPath, passphrase_env: null },
        remote_root: sshd.root,
        public_url: nginx.baseUrl,
        host_key_fingerprint: sshd.hostKeyFingerprint,
        access_logs: [],
        created_at: at,
        updated_at: at
      }
    },
    async stop() {
      await nginx.stop()
      await sshd.stop()
    }
  }
}
