import net from 'node:net'

/** A loopback TCP proxy whose connections a test can cut at an exact moment. */
export interface TcpProxy {
  readonly port: number
  /** Destroys every open connection now (synchronously), as a network failure would. */
  cut(): void
  /** Stops forwarding in both directions but keeps the connections open: a network that went silent. */
  freeze(): void
  close(): Promise<void>
}

/** Forwards 127.0.0.1:<port> to 127.0.0.1:<targetPort>. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>()
  const pairs = new Set<readonly [net.Socket, net.Socket]>()
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1')
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => socket.destroy())
    }
    client.pipe(upstream)
    upstream.pipe(client)
    const pair = [client, upstream] as const
    pairs.add(pair)
    client.on('close', () => pairs.delete(pair))
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  return {
    port: (server.address() as net.AddressInfo).port,
    cut: () => {
      for (const socket of sockets) socket.destroy()
    },
    freeze: () => {
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream)
        upstream.unpipe(client)
        client.pause()
        upstream.pause()
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}
