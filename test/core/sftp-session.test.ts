import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { SftpServer } from '../../src-shared/model.js'
import { SftpSession } from '../../src-main/core/remote/sftp-session.js'

let server: net.Server | null = null
const sockets = new Set<net.Socket>()
afterEach(async () => {
  for (const socket of sockets) socket.destroy()
  sockets.clear()
  await new Promise<void>((resolve) => (server === null ? resolve() : server.close(() => resolve())))
  server = null
})

/** A TCP server on loopback that does `onConnection` to each client: not an SSH server. */
async function listen(onConnection: (socket: net.Socket) => void): Promise<number> {
  server = net.createServer((socket) => {
    sockets.add(socket)
    // Read (and drop) what the client sends, so its hang-up is seen.
    socket.resume()
    onConnection(socket)
  })
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  return (server.address() as net.AddressInfo).port
}

function profile(port: number): SftpServer {
  const at = new Date(0).toISOString()
  return {
    kind: 'sftp',
    name: 'nowhere',
    host: '127.0.0.1',
    port,
    user: 'deploy',
    auth: { kind: 'password', password_env: null },
    remote_root: '/srv',
    public_url: 'https://updates.example.com/',
    host_key_fingerprint: 'SHA256:none',
    access_logs: [],
    created_at: at,
    updated_at: at
  }
}

const secrets = { secret: async () => 'secret' }

describe('SftpSession.open', () => {
  it('fails with connection-failed when the server hangs up before the SSH handshake', async () => {
    const port = await listen((socket) => socket.destroy())
    await expect(SftpSession.open(profile(port), secrets, { readyTimeoutMs: 5000 })).rejects.toMatchObject({
      kind: 'connection-failed',
      // ssh2's own words, without a wrapper library's prefix.
      message: `Could not connect to 127.0.0.1:${port}: Connection lost before handshake.`
    })
  })

  it('fails with connection-failed when the server does not speak SSH', async () => {
    const port = await listen((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'))
    await expect(SftpSession.open(profile(port), secrets, { readyTimeoutMs: 5000 })).rejects.toMatchObject({ kind: 'connection-failed' })
  })

  it('gives up after the ready timeout when the server never answers', async () => {
    const port = await listen(() => undefined)
    const started = Date.now()
    await expect(SftpSession.open(profile(port), secrets, { readyTimeoutMs: 500 })).rejects.toMatchObject({
      kind: 'connection-failed',
      message: expect.stringMatching(/Timed out/i)
    })
    expect(Date.now() - started).toBeLessThan(5000)
  })
})
