import { createHash, randomBytes } from 'node:crypto'
import { readFile, readlink } from 'node:fs/promises'
import SftpClient from 'ssh2-sftp-client'
import type { SFTPWrapper } from 'ssh2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startNginx } from './nginx.js'
import type { NginxServer } from './nginx.js'
import { startSshd } from './sshd.js'
import type { SshdServer } from './sshd.js'

/** OpenSSH's fingerprint format: SHA256 of the raw key blob, base64 without '=' padding. */
function sshFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`
}

/** Connection that only accepts the host key with `fingerprint`. */
async function connect(
  sshd: SshdServer,
  keyPath: string,
  fingerprint: string,
  passphrase?: string
): Promise<{ client: SftpClient; sftp: SFTPWrapper }> {
  // No-op callbacks: the defaults print every end/close event, which the restart test causes on purpose.
  const client = new SftpClient('servers-test', { error: () => {}, end: () => {}, close: () => {} })
  const sftp = await client.connect({
    host: sshd.host,
    port: sshd.port,
    username: sshd.user,
    privateKey: await readFile(keyPath),
    passphrase,
    readyTimeout: 10_000,
    hostVerifier: (key: Buffer) => sshFingerprint(key) === fingerprint
  })
  return { client, sftp }
}

/** ssh2-sftp-client 12 has no symlink(); the underlying ssh2 SFTP session does (and fixes OpenSSH's argument order). */
function symlink(sftp: SFTPWrapper, target: string, linkPath: string): Promise<void> {
  return new Promise((resolve, reject) => sftp.symlink(target, linkPath, (err) => (err ? reject(err) : resolve())))
}

describe('loopback test servers', () => {
  let sshd: SshdServer | undefined
  let nginx: NginxServer | undefined

  beforeAll(async () => {
    sshd = await startSshd({ clientKeyPassphrase: 'correct horse battery staple' })
    nginx = await startNginx({ root: sshd.root })
  })

  afterAll(async () => {
    // Each stop never throws, so one failing cannot leave the other server running.
    await Promise.all([nginx?.stop(), sshd?.stop()])
  })

  it('uploads over SFTP with key auth and serves the file and a symlink over HTTP', async () => {
    const s = sshd as SshdServer
    const { client, sftp } = await connect(s, s.privateKeyPath, s.hostKeyFingerprint)
    const zip = randomBytes(64 * 1024)
    const json = Buffer.from(JSON.stringify({ version: '1.0.0' }))
    try {
      await client.mkdir(`${s.root}/my-plugin`, true)
      await client.put(zip, `${s.root}/my-plugin/my-plugin-1.0.0.zip`)
      await client.put(json, `${s.root}/my-plugin/info.json`)
      await symlink(sftp, 'my-plugin-1.0.0.zip', `${s.root}/my-plugin/my-plugin-latest.zip`)
    } finally {
      await client.end()
    }
    expect(await readlink(`${s.root}/my-plugin/my-plugin-latest.zip`)).toBe('my-plugin-1.0.0.zip')

    const base = (nginx as NginxServer).baseUrl
    for (const name of ['my-plugin-1.0.0.zip', 'my-plugin-latest.zip']) {
      const res = await fetch(`${base}my-plugin/${name}`)
      expect(res.status, await (nginx as NginxServer).stderr()).toBe(200)
      expect(res.headers.get('content-type')).toBe('application/zip')
      expect(Buffer.from(await res.arrayBuffer()).equals(zip)).toBe(true)
    }
    const info = await fetch(`${base}my-plugin/info.json`)
    expect(info.headers.get('content-type')).toBe('application/json')
    expect(await info.json()).toEqual({ version: '1.0.0' })
    expect((await fetch(`${base}my-plugin/missing.zip`)).status).toBe(404)
  })

  it('accepts the passphrase-protected key', async () => {
    const s = sshd as SshdServer
    const { client } = await connect(s, s.passphraseKeyPath as string, s.hostKeyFingerprint, s.passphrase)
    await expect(client.list(s.root)).resolves.toBeInstanceOf(Array)
    await client.end()
  })

  it('refuses a key that is not authorized', async () => {
    const s = sshd as SshdServer
    await expect(connect(s, s.unauthorizedKeyPath, s.hostKeyFingerprint)).rejects.toThrow(/authentication/i)
    expect(s.stderr()).toMatch(/Connection closed by authenticating user|Failed publickey/)
  })

  it('restart() cuts open connections and comes back on the same port', async () => {
    const s = sshd as SshdServer
    const port = s.port
    const { client } = await connect(s, s.privateKeyPath, s.hostKeyFingerprint)
    client.on('error', () => {}) // the cut is the point of the test
    await s.restart()
    await expect(client.list(s.root)).rejects.toThrow()
    await client.end().catch(() => undefined)
    expect(s.port).toBe(port)
    const again = await connect(s, s.privateKeyPath, s.hostKeyFingerprint)
    await again.client.end()
  })

  it('regenerateHostKey() changes the fingerprint so that the old one is rejected', async () => {
    const s = sshd as SshdServer
    const before = s.hostKeyFingerprint
    expect(before).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/)
    await s.regenerateHostKey()
    expect(s.hostKeyFingerprint).not.toBe(before)
    await expect(connect(s, s.privateKeyPath, before)).rejects.toThrow(/verification failed/i)
    const { client } = await connect(s, s.privateKeyPath, s.hostKeyFingerprint)
    await client.end()
  })
})
