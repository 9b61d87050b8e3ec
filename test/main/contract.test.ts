import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { WprmApi } from '../../src-preload/api.js'
import type { ApiEvents } from '../../src-preload/api.js'
import { API_METHODS, DESKTOP_METHODS } from '../../src-preload/api.js'

/** Every event of the contract; the record type makes the compiler flag a missing one. */
const EVENTS: Record<keyof ApiEvents, true> = { progress: true, check: true, source: true }
const EVENT_NAMES = Object.keys(EVENTS) as (keyof ApiEvents)[]

// The Electron binary cannot run here: these tests hold the shell to the contract with electron mocked.
const exposed = new Map<string, Record<string, unknown>>()
const invoked: unknown[][] = []
const subscribed: string[] = []
const handlers = new Map<string, (event: unknown, payload: unknown) => Promise<unknown>>()
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: Record<string, unknown>) => exposed.set(key, value) },
  ipcRenderer: {
    invoke: (...args: unknown[]) => (invoked.push(args), Promise.resolve(null)),
    on: (channel: string) => subscribed.push(channel),
    removeListener: (channel: string) => subscribed.splice(subscribed.indexOf(channel), 1)
  },
  ipcMain: { handle: (channel: string, handler: (event: unknown, payload: unknown) => Promise<unknown>) => handlers.set(channel, handler) },
  dialog: { showOpenDialog: vi.fn() }
}))

beforeEach(() => {
  invoked.length = 0
})

describe('the preload', () => {
  it('exposes exactly one method per API method, each on its own channel, plus on() and the pickers', async () => {
    await import('../../src-preload/index.js')
    const api = exposed.get('api')!
    expect(Object.keys(api).sort()).toEqual([...API_METHODS, 'on'].sort())
    for (const method of API_METHODS) {
      await (api[method] as (input?: unknown) => Promise<unknown>)({ probe: method })
      expect(invoked.at(-1)?.[0]).toBe(`wprm:${method}`)
    }
    expect(Object.keys(exposed.get('desktop')!).sort()).toEqual([...DESKTOP_METHODS].sort())
  })

  it('listens for every event on the channel main sends it on, and unsubscribes', async () => {
    const { sendEvent } = await import('../../src-main/ipc.js')
    const on = exposed.get('api')!.on as (name: string, listener: () => void) => () => void
    const sent: string[] = []
    const window = { isDestroyed: () => false, webContents: { send: (channel: string) => sent.push(channel) } }
    for (const name of EVENT_NAMES) {
      const off = on(name, () => undefined)
      sendEvent(window as never, name, {} as never)
      expect(subscribed).toEqual([sent.at(-1)])
      off()
      expect(subscribed).toEqual([])
    }
  })
})

describe('the IPC handlers', () => {
  const appOrigin = 'file://'
  const mainFrame = { url: 'file:///app/out/renderer/index.html' }
  const webContents = { mainFrame }
  const window = { webContents, isDestroyed: () => false }
  const calls: unknown[] = []
  const api = Object.fromEntries(
    API_METHODS.map((m) => [m, async (input: unknown) => (calls.push([m, input]), { ok: true, value: m })])
  ) as unknown as WprmApi

  it('registers a guarded handler for every method and every desktop method', async () => {
    const { setupIpc, setupDesktopIpc } = await import('../../src-main/ipc.js')
    setupIpc(api, () => window as never, appOrigin)
    setupDesktopIpc(() => window as never, appOrigin)
    expect([...handlers.keys()].sort()).toEqual(
      [...API_METHODS.map((m) => `wprm:${m}`), ...DESKTOP_METHODS.map((m) => `wprm:desktop:${m}`)].sort()
    )
  })

  it('answers our window, validates the payload, and refuses other senders', async () => {
    const trusted = { sender: webContents, senderFrame: mainFrame }
    expect(await handlers.get('wprm:getPlugin')!(trusted, { slug: 'x' })).toEqual({ ok: true, value: 'getPlugin' })
    expect(calls.at(-1)).toEqual(['getPlugin', { slug: 'x' }])
    const invalid = (await handlers.get('wprm:getPlugin')!(trusted, { slug: 42 })) as { ok: boolean; error: { kind: string } }
    expect(invalid).toMatchObject({ ok: false, error: { kind: 'usage' } })
    await expect(handlers.get('wprm:getPlugin')!({ sender: {}, senderFrame: mainFrame }, { slug: 'x' })).rejects.toThrow(/refused/)
    await expect(
      handlers.get('wprm:getPlugin')!({ sender: webContents, senderFrame: { url: 'file:///x' } }, { slug: 'x' })
    ).rejects.toThrow(/refused/)
    const evilFrame = { url: 'https://evil.example/' }
    await expect(
      handlers.get('wprm:getPlugin')!({ sender: { mainFrame: evilFrame }, senderFrame: evilFrame }, { slug: 'x' })
    ).rejects.toThrow(/refused/)
  })
})

describe('the window', () => {
  it('is created with the hardened options and the built preload', async () => {
    const { windowOptions, isExternalWebUrl } = await import('../../src-main/window-options.js')
    const options = windowOptions('/app/out/preload/index.cjs', null)
    expect(options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false
    })
    expect(isExternalWebUrl('https://example.com')).toBe(true)
    expect(isExternalWebUrl('javascript:alert(1)')).toBe(false)
    expect(isExternalWebUrl('file:///etc/passwd')).toBe(false)
    expect(isExternalWebUrl('\\\\server\\share')).toBe(false)
  })

  it('loads the preload the build emits, as CommonJS', async () => {
    const config = (await import('../../electron.vite.config.js')).default as { preload: { build: { lib: { formats: string[] } } } }
    expect(config.preload.build.lib.formats).toEqual(['cjs'])
    const index = await import('node:fs/promises').then((fs) => fs.readFile(new URL('../../src-main/index.ts', import.meta.url), 'utf8'))
    expect(index).toContain("'../preload/index.cjs'")
  })
})
