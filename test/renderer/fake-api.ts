import type { ApiError, ApiEvents, DesktopApi, Result, WindowApi, WprmApi } from '../../src-preload/api'
import { API_METHODS } from '../../src-preload/api'
import { createAppStore } from '../../src-renderer/src/store/create-store'

/**
 * A stand-in for `window.api`, for the store's unit tests only (the browser tests bind the real API).
 * Every method answers what the test gave it and records its calls; an un-faked method rejects, which
 * the store must turn into an error it can show.
 */
export interface FakeApi {
  readonly api: WindowApi
  /** Each call as [method, input]. */
  readonly calls: [keyof WprmApi, unknown][]
  /** Sends an event to the subscribed listeners, as main would. */
  emit<K extends keyof ApiEvents>(name: K, payload: ApiEvents[K]): void
  listenerCount(): number
}

type Handlers = { [M in keyof WprmApi]?: (input: Parameters<WprmApi[M]>[0]) => ReturnType<WprmApi[M]> | Awaited<ReturnType<WprmApi[M]>> }

/** The fake API with the given methods. */
export function fakeApi(handlers: Handlers): FakeApi {
  const calls: [keyof WprmApi, unknown][] = []
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const api: Record<string, unknown> = {}
  for (const method of API_METHODS) {
    api[method] = async (input: unknown) => {
      calls.push([method, input])
      const handler = handlers[method] as ((input: unknown) => unknown) | undefined
      if (handler === undefined) throw new Error(`${method} is not faked`)
      return handler(input)
    }
  }
  api.on = (name: string, listener: (payload: unknown) => void) => {
    const set = listeners.get(name) ?? new Set()
    set.add(listener)
    listeners.set(name, set)
    return () => set.delete(listener)
  }
  return {
    api: api as unknown as WindowApi,
    calls,
    emit: (name, payload) => listeners.get(name)?.forEach((listener) => listener(payload)),
    listenerCount: () => [...listeners.values()].reduce((n, set) => n + set.size, 0)
  }
}

/** A store over the fake API, with its event feed connected (as the App component does). */
export function storeWith(fake: FakeApi, desktop: DesktopApi | null = null) {
  const store = createAppStore({ api: fake.api, desktop })
  store.getState().connectEvents()
  return store
}

/** A successful Result. */
export const ok = <T>(value: T): Result<T> => ({ ok: true, value })

/** A failed Result. */
export const fail = (
  kind: ApiError['kind'],
  message: string,
  hint = 'Do something.',
  extra: Pick<ApiError, 'fingerprint'> = {}
): Result<never> => ({
  ok: false,
  error: { kind, message, hint, ...extra }
})

/** The names of the methods called, in order. */
export const methodsCalled = (fake: FakeApi): string[] => fake.calls.map(([method]) => method)
