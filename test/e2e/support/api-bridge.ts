import type { Page } from 'playwright-core'
import type { ApiEvents, Result, WprmApi } from '../../../src-preload/api.js'
import { API_METHODS } from '../../../src-preload/api.js'
import { handleApiCall } from '../../../src-main/api/handle-call.js'

/** What createApi's `onEvent` receives. */
export type EventSink = <K extends keyof ApiEvents>(name: K, payload: ApiEvents[K]) => void

/**
 * Carries main's events into the page in the order they were emitted, as webContents.send does. Made
 * before the API (which needs `onEvent`), attached once the page exists.
 */
export class EventRelay {
  private page: Page | null = null
  private chain: Promise<void> = Promise.resolve()
  /** Every event sent, for assertions (name and payload). */
  readonly sent: { readonly name: keyof ApiEvents; readonly payload: unknown }[] = []

  readonly onEvent: EventSink = (name, payload) => {
    this.sent.push({ name, payload })
    const page = this.page
    if (page === null) return
    // A closed page (teardown) simply stops receiving; an event is never worth failing a test over.
    this.chain = this.chain.then(() =>
      page
        .evaluate(([n, p]) => (globalThis as unknown as BridgeWindow).__wprmEmit(n, p), [name, payload] as const)
        .then(
          () => undefined,
          () => undefined
        )
    )
  }

  attach(page: Page): void {
    this.page = page
  }

  /** Resolves once every event emitted so far has reached the page. */
  flush(): Promise<void> {
    return this.chain
  }
}

interface BridgeWindow {
  __wprmEmit(name: string, payload: unknown): void
  __wprmCall(method: string, payload?: unknown): Promise<unknown>
}

/**
 * The page's side of the bridge, run before any page script: `window.api` with one function per API
 * method and `on(name, listener)` (globalThis is the window there), like the preload's contextBridge object (frozen, nothing else).
 */
function installWindowApi({ methods }: { readonly methods: readonly string[] }): void {
  const w = globalThis as unknown as BridgeWindow & Record<string, unknown>
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const api: Record<string, unknown> = {}
  for (const method of methods) {
    // No argument stays no argument: the guard refuses a payload for methods that take none.
    api[method] = (input?: unknown) => (input === undefined ? w.__wprmCall(method) : w.__wprmCall(method, input))
  }
  api.on = (name: string, listener: (payload: unknown) => void) => {
    const set = listeners.get(name) ?? new Set()
    set.add(listener)
    listeners.set(name, set)
    return () => set.delete(listener)
  }
  Object.defineProperty(globalThis, 'api', { value: Object.freeze(api), enumerable: true })
  Object.defineProperty(globalThis, '__wprmEmit', {
    value: (name: string, payload: unknown) => {
      for (const listener of listeners.get(name) ?? []) listener(payload)
    }
  })
}

/**
 * Binds the real API into the page: the role of the preload and the IPC handlers, with the same input
 * guard and the same turning of an expected failure into `{ ok: false }` (handleApiCall).
 */
export async function bindApi(page: Page, api: WprmApi, relay: EventRelay): Promise<void> {
  relay.attach(page)
  const methods = new Set<string>(API_METHODS)
  await page.exposeBinding('__wprmCall', async (_source, method: unknown, payload: unknown): Promise<Result<unknown>> => {
    if (typeof method !== 'string' || !methods.has(method)) throw new Error(`__wprmCall: ${String(method)} is not an API method`)
    const result = await handleApiCall(api, method as keyof WprmApi, payload)
    // Electron delivers a call's events before its reply (one ordered channel); so does this bridge.
    await relay.flush()
    return result
  })
  await page.addInitScript(installWindowApi, { methods: [...API_METHODS] })
}
