import type { ApiEvents, Result, WprmApi } from '../src-preload/api.js'
import { WprmError } from './core/errors.js'
import { addPlugin, getPlugin, listPlugins, setPlugin } from './core/plugins.js'
import type { ReleaseContext } from './core/releases.js'
import { addVersion, changeStatus, publishNow, requirePlugin, requireVersion, rollback, verifyVersion, versionsOf } from './core/releases.js'
import { pruneZips } from './core/retention.js'
import { addServer, removeServer, testServer } from './core/servers.js'
import type { SecretProvider, SessionOptions } from './core/sftp-session.js'
import { environmentSecrets } from './core/sftp-session.js'
import { bumpSource } from './core/source-bump.js'
import { Store } from './core/store.js'
import { highestVersion, suggestNext } from './core/versions.js'

/** What the API implementation needs: where the data lives, where secrets come from, where events go. */
export interface ApiOptions {
  readonly dataDir: string
  readonly now?: () => Date
  readonly onEvent?: <K extends keyof ApiEvents>(name: K, payload: ApiEvents[K]) => void
  readonly lockWaitMs?: number
  /** Passwords and key passphrases: the environment (CLI) unless given (the app's safeStorage). */
  readonly secrets?: SecretProvider
  readonly sessionOptions?: SessionOptions
  readonly remoteLockWaitMs?: number
}

/** Runs an operation and turns an expected failure into `{ ok: false }`; a bug still throws. */
async function settle<T>(operation: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await operation() }
  } catch (error) {
    if (error instanceof WprmError) return { ok: false, error: error.toApiError() }
    throw error
  }
}

/**
 * The API, implemented once over the core. The window (through IPC), the CLI and the browser tests
 * all call this object.
 */
export function createApi(options: ApiOptions): WprmApi {
  const ctx: ReleaseContext = {
    store: new Store(options.dataDir, { lockWaitMs: options.lockWaitMs }),
    now: options.now ?? (() => new Date()),
    secrets: options.secrets ?? environmentSecrets(),
    onProgress: (event) => options.onEvent?.('progress', event),
    onCheck: (check) => options.onEvent?.('check', check),
    sessionOptions: options.sessionOptions,
    remoteLockWaitMs: options.remoteLockWaitMs
  }
  return {
    listPlugins: () => settle(() => listPlugins(ctx)),
    addPlugin: (input) => settle(() => addPlugin(ctx, input)),
    getPlugin: ({ slug }) => settle(() => getPlugin(ctx, slug)),
    setPlugin: (input) => settle(() => setPlugin(ctx, input)),
    addVersion: (input) => settle(() => addVersion(ctx, input)),
    changeStatus: (input) => settle(() => changeStatus(ctx, input)),
    getVersion: ({ slug, version }) =>
      settle(async () => {
        const db = await ctx.store.read()
        requirePlugin(db, slug)
        return requireVersion(db, slug, version)
      }),
    suggestNextVersions: ({ slug }) =>
      settle(async () => {
        const db = await ctx.store.read()
        requirePlugin(db, slug)
        const latest = highestVersion(versionsOf(db, slug).map((v) => v.version))
        return { latest, ...suggestNext(latest) }
      }),
    bumpSource: ({ slug, version }) => settle(() => bumpSource(ctx, slug, version)),
    pruneZips: ({ slug, keep }) => settle(() => pruneZips(ctx, slug, keep)),
    listActivity: ({ slug, limit }) =>
      settle(async () => {
        const db = await ctx.store.read()
        const entries = slug === undefined ? db.activity : db.activity.filter((entry) => entry.plugin === slug)
        return entries.slice(0, limit ?? entries.length)
      }),
    restoreDatabaseBackup: () => settle(() => ctx.store.restoreBackup()),
    listServers: () => settle(async () => (await ctx.store.read()).servers),
    addServer: (input) => settle(() => addServer(ctx, input)),
    removeServer: ({ name }) => settle(() => removeServer(ctx, name)),
    testServer: ({ name }) => settle(() => testServer(ctx, name)),
    publish: ({ slug, breakStaleLock }) => settle(() => publishNow(ctx, slug, breakStaleLock)),
    verify: ({ slug, version }) => settle(() => verifyVersion(ctx, slug, version)),
    rollback: ({ slug, to }) => settle(() => rollback(ctx, slug, to))
  }
}
