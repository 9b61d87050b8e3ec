import { createServer } from 'node:net'
import type { AddressInfo, Server } from 'node:net'

/** Opens a listener on 127.0.0.1 with an OS-chosen port; never touches any other interface. */
function listenOnLoopback(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}

/**
 * Free TCP ports on 127.0.0.1, all distinct.
 * The listeners are held open together until every port is known, so the OS cannot hand out the same port twice.
 */
export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const servers: Server[] = []
  try {
    for (let i = 0; i < count; i++) servers.push(await listenOnLoopback())
    return servers.map((s) => (s.address() as AddressInfo).port)
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
  }
}
