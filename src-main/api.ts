import type { ApiEvents, Result, SourceStatus, WprmApi } from '../src-preload/api.js'
import { toResult } from './api/to-result.js'
import { WprmError } from './core/errors.js'
import { addPlugin, getPlugin, listPlugins, setPlugin } from './core/ops/plugins.js'
import type { ReleaseContext } from './core/ops/context.js'
import { requirePlugin, requireServer, requireVersion, versionsOf } from './core/db/lookups.js'
import { addVersion, changeStatus, publishNow, rollback, verifyVersion } from './core/ops/releases.js'
import { pruneZips } from './core/ops/retention.js'
import type { SecretCipher } from './core/remote/secret-vault.js'
import { SecretVault } from './core/remote/secret-vault.js'
import { addServer, removeServer, setServer, testServer } from './core/ops/servers.js'
import { computeSourceStatus } from './core/ops/source-status.js'
import { previewFiles } from './core/ops/file-preview.js'
import { SourceWatcher } from './core/source/source-watcher.js'
import type { SecretProvider } from './core/remote/secrets.js'
import { environmentSecrets } from './core/remote/secrets.js'
import type { SessionOptions } from './core/remote/sftp-session.js'
import { SessionPool } from './core/remote/session-pool.js'
import { bumpSource } from './core/ops/source-bump.js'
import { installUpdater } from './core/ops/updater-install.js'
import { getStats, pullStats } from './core/ops/stats.js'
import { Store } from './core/db/store.js'
import { highestVersion, suggestFirst, suggestNext } from '../src-shared/versions.js'
import { addPluginFromServer, importPlugin, pullPlugins } from './core/ops/pull.js'
import { editVersion, removePlugin, removeVersion, renamePlugin } from './core/ops/undo.js'
import { setRollout } from './core/ops/rollout.js'
import { readSourceInfo } from './core/source/plugin-source.js'
import { fileKeySource } from './core/signing/key-source.js'
import { generateKey, importKey, listKeys } from './core/ops/keys.js'
import { rotateKey } from './core/ops/key-rotation.js'

/** The API with what its owner needs to stop it (the source watchers, the kept connections). */
export type ApiHandle = WprmApi & { close(): Promise<void> }

/** What the API implementation needs: where the data lives, where secrets come from, where events go. */
export interface ApiOptions {
  readonly dataDir: string
  readonly now?: () => Date
  readonly onEvent?: <K extends keyof ApiEvents>(name: K, payload: ApiEvents[K]) => void
  readonly lockWaitMs?: number
  /** Passwords and key passphrases: the environment (CLI) unless given (the app's safeStorage). */
  readonly secrets?: SecretProvider
  readonly sessionOptions?: SessionOptions
  /**
   * How long a connection stays open after its job, for the next job on that server (the window's
   * checklist right after a publish): 0 (the default) closes it at once, except between a rollback's
   * publish and its checklist. With more, `close()` closes what is kept.
   */
  readonly keepSessionsMs?: number
  readonly remoteLockWaitMs?: number
  /** Watch every plugin's source folder and send `source` events (the desktop app). */
  readonly watchSources?: boolean
  /** Encrypts stored secrets (safeStorage in the app); without it, secrets come only from the environment. */
  readonly cipher?: SecretCipher
  /** The environment signing keys, their passphrase and the named secrets come from (process.env unless given). */
  readonly env?: NodeJS.ProcessEnv
}

/** Runs an operation and turns an expected failure into `{ ok: false }`; a bug still throws. */
const settle = toResult

/**
 * The API, implemented once over the core. The window (through IPC), the CLI and the browser tests
 * all call this object.
 */
export function createApi(options: ApiOptions): ApiHandle {
  const vault = options.cipher === undefined ? null : new SecretVault(options.dataDir, options.cipher)
  const baseSecrets = options.secrets ?? environmentSecrets(options.env ?? process.env)
  const baseKeys = fileKeySource(options.dataDir, options.env ?? process.env)
  const ctx: ReleaseContext = {
    store: new Store(options.dataDir, { lockWaitMs: options.lockWaitMs }),
    now: options.now ?? (() => new Date()),
    secrets: vault === null ? baseSecrets : vault.provider(baseSecrets, options.env ?? process.env),
    keys: vault === null ? baseKeys : vault.keySource(baseKeys),
    onProgress: (event) => options.onEvent?.('progress', event),
    onCheck: (check) => options.onEvent?.('check', check),
    sessionOptions: options.sessionOptions,
    sessions: new SessionPool(options.keepSessionsMs ?? 0),
    remoteLockWaitMs: options.remoteLockWaitMs
  }
  const sourceStatusOf = async (slug: string): Promise<SourceStatus> => {
    const db = await ctx.store.read()
    return computeSourceStatus(requirePlugin(db, slug), versionsOf(db, slug), ctx.now())
  }
  const announce = (slug: string): void => {
    void sourceStatusOf(slug).then(
      (status) => options.onEvent?.('source', status),
      () => undefined
    )
  }
  const watcher = options.watchSources === true ? new SourceWatcher(announce) : null
  if (watcher !== null) {
    void ctx.store.read().then(
      (db) => db.plugins.forEach((p) => watcher.watch(p.slug, p.source_dir)),
      () => undefined
    )
  }
  /** After a change that builds or adds a plugin, the watchers and the badge follow. */
  const thenAnnounce = async <T>(slug: string, result: Promise<Result<T>>): Promise<Result<T>> => {
    const settled = await result
    if (watcher !== null && settled.ok) announce(slug)
    return settled
  }
  const requireVault = (): SecretVault => {
    if (vault === null)
      throw new WprmError(
        'weak-secret-storage',
        'Secrets cannot be stored here.',
        'On the command line, name an environment variable with --password-env or --passphrase-env.'
      )
    return vault
  }
  const requireKnownServer = async (name: string): Promise<void> => {
    requireServer(await ctx.store.read(), name)
  }

  return {
    close: async () => {
      await Promise.all([watcher?.close(), ctx.sessions?.close()])
    },
    listPlugins: () => settle(() => listPlugins(ctx)),
    addPlugin: async (input) => {
      const { server } = input
      const result = await settle(() => (server === undefined ? addPlugin(ctx, input) : addPluginFromServer(ctx, { ...input, server })))
      if (result.ok && watcher !== null) {
        watcher.watch(result.value.slug, result.value.source_dir)
        announce(result.value.slug)
      }
      return result
    },
    getPlugin: ({ slug }) => settle(() => getPlugin(ctx, slug)),
    setPlugin: async ({ newSlug, ...input }) => {
      const result = await settle(async () => {
        const others = Object.keys(input).filter((key) => key !== 'slug' && input[key as keyof typeof input] !== undefined)
        const set = newSlug === undefined || others.length > 0 ? await setPlugin(ctx, input) : null
        return newSlug === undefined ? set! : renamePlugin(ctx, input.slug, newSlug)
      })
      // A new slug: the source's watcher reports under the new name (the old one no longer exists).
      if (result.ok && result.value.slug !== input.slug && watcher !== null) {
        watcher.unwatch(input.slug)
        watcher.watch(result.value.slug, result.value.source_dir)
      }
      return result
    },
    addVersion: (input) =>
      thenAnnounce(
        input.slug,
        settle(() => addVersion(ctx, input))
      ),
    changeStatus: (input) =>
      thenAnnounce(
        input.slug,
        settle(() => changeStatus(ctx, input))
      ),
    getVersion: ({ slug, version }) =>
      settle(async () => {
        const db = await ctx.store.read()
        requirePlugin(db, slug)
        return requireVersion(db, slug, version)
      }),
    suggestNextVersions: ({ slug }) =>
      settle(async () => {
        const db = await ctx.store.read()
        const plugin = requirePlugin(db, slug)
        const latest = highestVersion(versionsOf(db, slug).map((v) => v.version))
        if (latest !== null) return { latest, ...suggestNext(latest) }
        // The first version goes on from the source's own version, not from 1.0.0.
        const header = await readSourceInfo(plugin.source_dir, plugin.main_file, plugin.version_constant).then(
          (source) => source.header_version,
          () => null
        )
        return { latest, ...suggestFirst(header) }
      }),
    bumpSource: ({ slug, version }) =>
      thenAnnounce(
        slug,
        settle(() => bumpSource(ctx, slug, version))
      ),
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
    setServer: (input) => settle(() => setServer(ctx, input)),
    removeServer: ({ name }) => settle(() => removeServer(ctx, name)),
    testServer: ({ name }) => settle(() => testServer(ctx, name)),
    publish: ({ slug, breakStaleLock }) => settle(() => publishNow(ctx, slug, breakStaleLock)),
    verify: ({ slug, version }) => settle(() => verifyVersion(ctx, slug, version)),
    rollback: ({ slug, to }) => settle(() => rollback(ctx, slug, to)),
    getSourceStatus: ({ slug }) => settle(() => sourceStatusOf(slug)),
    getSecretStatus: ({ server }) =>
      settle(async () => {
        await requireKnownServer(server)
        return vault === null
          ? {
              server,
              password: false,
              passphrase: false,
              s3_access_key_id: false,
              s3_secret_access_key: false,
              backend: 'unavailable' as const
            }
          : vault.status(server)
      }),
    storeSecret: ({ server, kind, value, allowWeakStorage }) =>
      settle(async () => {
        await requireKnownServer(server)
        return requireVault().store(server, kind, value, allowWeakStorage === true)
      }),
    deleteSecret: ({ server, kind }) =>
      settle(async () => {
        await requireKnownServer(server)
        return requireVault().delete(server, kind)
      }),
    pull: ({ slugs }) => settle(() => pullPlugins(ctx, slugs ?? [])),
    importPlugin: async (input) => {
      const result = await settle(() => importPlugin(ctx, input))
      if (result.ok && watcher !== null) watcher.watch(result.value.slug, result.value.source_dir)
      return result
    },
    removeVersion: ({ slug, version }) => settle(() => removeVersion(ctx, slug, version)),
    editVersion: (input) => settle(() => editVersion(ctx, input)),
    setRollout: (input) => settle(() => setRollout(ctx, input)),
    removePlugin: async (input) => {
      const result = await settle(() => removePlugin(ctx, input))
      if (result.ok) watcher?.unwatch(input.slug)
      return result
    },
    installUpdater: ({ slug }) =>
      thenAnnounce(
        slug,
        settle(() => installUpdater(ctx, slug))
      ),
    pullStats: ({ slug }) => settle(() => pullStats(ctx, slug)),
    getStats: ({ slug, days }) => settle(() => getStats(ctx, slug, days)),
    previewFiles: ({ slug, version }) => settle(() => previewFiles(ctx, slug, version)),
    generateSigningKey: ({ name }) => settle(() => generateKey(ctx, name)),
    importSigningKey: ({ name }) => settle(() => importKey(ctx, name)),
    listSigningKeys: () => settle(() => listKeys(ctx)),
    rotateSigningKey: ({ slug, to }) => settle(() => rotateKey(ctx, slug, to))
  }
}
