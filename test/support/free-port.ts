import { connect, createServer } from 'node:net'
import type { AddressInfo, Server } from 'node:net'

/** Loopback only: the harness must never expose a test server on another interface. */
const HOST = '127.0.0.1'

/** Opens a listener on 127.0.0.1 with an OS-chosen port; never touches any other interface. */
function listenOnLoopback(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, HOST, () => resolve(server))
  })
}

/**
 * TCP ports that were free on 127.0.0.1 a moment ago, all distinct: the listeners are held open together
 * until every port is known, then closed so the servers under test can bind them.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = []
  try {
    for (let i = 0; i < count; i++) servers.push(await listenOnLoopback())
    return servers.map((s) => (s.address() as AddressInfo).port)
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
  }
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!
}

/** One connect attempt; true when something accepted the connection. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port })
    const done = (ok: boolean): void => {
      socket.destroy()
      resolve(ok)
    }
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
    socket.setTimeout(1_000, () => done(false))
  })
}

/**
 * Polls 127.0.0.1:`port` until a TCP connect succeeds.
 * `alive` lets the caller stop early (with a clear error) when the server process has already died,
 * instead of waiting out the whole timeout.
 */
export async function waitForPort(port: number, timeoutMs: number, alive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (!alive()) throw new Error(`the server meant for port ${port} exited before it answered`)
    if (await answers(port)) return
    if (Date.now() > deadline) throw new Error(`nothing answered on ${HOST}:${port} within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
