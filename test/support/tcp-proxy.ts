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

/** A loopback TCP proxy that adds latency: a far server, on this machine. */
export interface DelayProxy {
  readonly port: number
  /** The one-way delay of every chunk from now on, in milliseconds (0 forwards at once). */
  delayMs: number
  close(): Promise<void>
}

/**
 * Forwards 127.0.0.1:<port> to 127.0.0.1:<targetPort>, holding every chunk `delayMs` in each direction,
 * in order, with Nagle off on both legs (as our session and OpenSSH set it). Latency only: no bandwidth
 * limit, no backpressure (as bench/publish.js measures far servers).
 */
export async function startDelayProxy(targetPort: number, delayMs: number): Promise<DelayProxy> {
  const sockets = new Set<net.Socket>()
  const proxy = { delayMs }
  const relay = (from: net.Socket, to: net.Socket): void => {
    const queue: { at: number; chunk: Buffer | null }[] = []
    let timer: NodeJS.Timeout | null = null
    const pump = (): void => {
      timer = null
      const now = performance.now()
      while (queue.length > 0 && queue[0]!.at <= now) {
        const { chunk } = queue.shift()!
        if (chunk === null) to.end()
        else to.write(chunk)
      }
      if (queue.length > 0) timer = setTimeout(pump, queue[0]!.at - now)
    }
    const push = (chunk: Buffer | null): void => {
      // Never before a chunk already queued: a shorter delay set meanwhile must not reorder the stream.
      const at = Math.max(performance.now() + proxy.delayMs, queue.at(-1)?.at ?? 0)
      queue.push({ at, chunk })
      timer ??= setTimeout(pump, Math.max(0, at - performance.now()))
    }
    from.on('data', (chunk: Buffer) => push(chunk))
    from.on('end', () => push(null))
    from.on('close', () => setTimeout(() => to.destroy(), proxy.delayMs + 50))
  }
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1')
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true)
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => socket.destroy())
    }
    relay(client, upstream)
    relay(upstream, client)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  return {
    port: (server.address() as net.AddressInfo).port,
    get delayMs() {
      return proxy.delayMs
    },
    set delayMs(ms: number) {
      proxy.delayMs = ms
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}
