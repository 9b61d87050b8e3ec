import net from 'node:net'

/** A loopback TCP proxy whose connections a test can cut at an exact moment. */
export interface TcpProxy {
  readonly port: number
  /** Destroys every open connection now (synchronously), as a network failure would. */
  cut(): void
  /** Stops forwarding in both directions but keeps the connections open: a network that went silent. */
  freeze(): void
  /** Bytes that came from the server so far, over every connection (what a publish read back shows in). */
  readonly bytesDown: number
  /** How many connections it has forwarded so far (one per SSH login). */
  readonly connections: number
  close(): Promise<void>
}

/** Forwards 127.0.0.1:<port> to 127.0.0.1:<targetPort>. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>()
  const pairs = new Set<readonly [net.Socket, net.Socket]>()
  let bytesDown = 0
  let connections = 0
  const server = net.createServer((client) => {
    connections++
    const upstream = net.connect(targetPort, '127.0.0.1')
    upstream.on('data', (chunk: Buffer) => (bytesDown += chunk.length))
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
    get bytesDown() {
      return bytesDown
    },
    get connections() {
      return connections
    },
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

/**
 * What a step proxy does at the client's n-th chunk of a connection: `cut-before` drops the connection
 * instead of forwarding it (the server never sees that request); `cut-after` forwards it and drops the
 * connection when the server answers (the server did it, the client never learns); `hold` forwards
 * nothing more either way (for a test to kill the client right there).
 */
export type StepFault = 'cut-before' | 'cut-after' | 'hold'

/** A loopback TCP proxy that counts each connection's chunks from the client and faults at one of them. */
export interface StepProxy {
  readonly port: number
  /** The number of chunks the client sent on each connection so far, in order: the trace of a run. */
  readonly chunks: readonly number[]
  /**
   * Faults the next connection at its client chunk `n` (1-based); `fired` is called when it does. With
   * Nagle off on both ends, a chunk is one SSH packet, so one SFTP request, except where the client sends
   * several at once (an upload's writes in flight).
   */
  arm(n: number, fault: StepFault, fired?: () => void): void
  /** Drops every open connection now. */
  cut(): void
  close(): Promise<void>
}

/** Forwards 127.0.0.1:<port> to 127.0.0.1:<targetPort>, chunk by chunk, faulting where armed. */
export async function startStepProxy(targetPort: number): Promise<StepProxy> {
  const sockets = new Set<net.Socket>()
  const chunks: number[] = []
  let armed: { readonly n: number; readonly fault: StepFault; readonly fired: () => void } | null = null
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1')
    const plan = armed
    armed = null
    const index = chunks.push(0) - 1
    let cutOnAnswer = false
    let held = false
    const drop = (): void => {
      client.destroy()
      upstream.destroy()
    }
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true)
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => socket.destroy())
    }
    client.on('data', (chunk: Buffer) => {
      if (held) return
      const n = ++chunks[index]!
      if (plan !== null && n === plan.n) {
        if (plan.fault === 'cut-before') {
          drop()
          plan.fired()
          return
        }
        if (plan.fault === 'hold') {
          held = true
          plan.fired()
          return
        }
        cutOnAnswer = true
      }
      upstream.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => {
      if (held) return
      if (cutOnAnswer) {
        drop()
        plan!.fired()
        return
      }
      client.write(chunk)
    })
    client.on('end', () => upstream.end())
    upstream.on('end', () => client.end())
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  return {
    port: (server.address() as net.AddressInfo).port,
    chunks,
    arm: (n, fault, fired = () => undefined) => {
      armed = { n, fault, fired }
    },
    cut: () => {
      for (const socket of sockets) socket.destroy()
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}

/** A loopback TCP proxy whose network a test takes down: at once, or once the client has sent so many bytes more. */
export interface OutageProxy {
  readonly port: number
  /** Bytes the client sent so far, over every connection. */
  readonly bytesUp: number
  /**
   * Takes the network down once the client has sent `bytes` more (the chunk that crosses is not forwarded);
   * `fired` is called when it does.
   */
  failAfter(bytes: number, fired?: () => void): void
  /** As failAfter, but stalls the link (as hold()) instead of taking it down: for a test to kill the client there. */
  holdAfter(bytes: number, fired?: () => void): void
  /** Drops every open connection now and refuses new ones (each is closed as it opens) until restore(). */
  down(): void
  /** Keeps what the client sends from now on (the connections stay open) until restore() sends it on: a stalled link. */
  hold(): void
  restore(): void
  close(): Promise<void>
}

/**
 * Forwards 127.0.0.1:<port> to 127.0.0.1:<targetPort> until it is taken down: an HTTP client's retries (the AWS
 * SDK's) then meet a network that stays down, rather than a single cut they would paper over.
 */
export async function startOutageProxy(targetPort: number): Promise<OutageProxy> {
  const sockets = new Set<net.Socket>()
  let bytesUp = 0
  let isDown = false
  let armed: { readonly at: number; readonly fault: 'down' | 'hold'; readonly fired: () => void } | null = null
  let held: { readonly to: net.Socket; readonly chunk: Buffer }[] | null = null
  const down = (): void => {
    isDown = true
    for (const socket of sockets) socket.destroy()
  }
  const server = net.createServer((client) => {
    if (isDown) {
      client.destroy()
      return
    }
    const upstream = net.connect(targetPort, '127.0.0.1')
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => socket.destroy())
    }
    client.on('data', (chunk: Buffer) => {
      if (isDown) return
      bytesUp += chunk.length
      if (armed !== null && bytesUp >= armed.at) {
        const { fault, fired } = armed
        armed = null
        if (fault === 'down') {
          down()
          fired()
          return
        }
        held ??= []
        fired()
      }
      if (held !== null) held.push({ to: upstream, chunk })
      else upstream.write(chunk)
    })
    upstream.pipe(client)
    client.on('end', () => upstream.end())
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  return {
    port: (server.address() as net.AddressInfo).port,
    get bytesUp() {
      return bytesUp
    },
    failAfter: (bytes, fired = () => undefined) => {
      armed = { at: bytesUp + bytes, fault: 'down', fired }
    },
    holdAfter: (bytes, fired = () => undefined) => {
      armed = { at: bytesUp + bytes, fault: 'hold', fired }
    },
    down,
    hold: () => {
      held ??= []
    },
    restore: () => {
      isDown = false
      armed = null
      const kept = held ?? []
      held = null
      for (const { to, chunk } of kept) if (!to.destroyed) to.write(chunk)
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}
