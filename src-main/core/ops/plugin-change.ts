import type { ErrorKind, Job, PluginRecord, PluginVersionRecord, PublishResult, ServerProfile } from '../../../src-shared/model.js'
import { WprmError } from '../errors.js'
import { publishPlugin } from '../remote/publisher.js'
import { requirePlugin, requireServer, versionsOf } from '../db/lookups.js'
import { withPluginLock } from '../db/plugin-lock.js'
import type { Database } from '../db/store.js'
import { recordActivity } from '../db/store.js'
import type { ReleaseContext } from './context.js'
import { clearIntent, writeIntent } from '../db/publish-intent.js'
import { workstationOf } from '../db/workstation.js'
import { reconcilePending } from './reconcile.js'
import { signingFor } from './keys.js'

/**
 * The apply step that every change of a plugin's published state shares (release, status change,
 * rollback, publish, prune):
 *
 *   plugin lock → snapshot (no lock) → plan → build → publish → commit (database lock) → unlock
 *
 * The database lock is held only for the commit, a few milliseconds, so other plugins' commands and
 * every reader go on during a build or an upload. The plugin lock keeps two commands on the same plugin
 * from interleaving; the server's own lock keeps workstations apart.
 */

/** A publish done for a change, waiting to be recorded at the commit. */
export interface Published {
  readonly result: PublishResult
  readonly server: ServerProfile
  /** The command that finishes the job if the commit fails (it takes in what the server has first). */
  readonly retryCommand?: string
}

/** How long a command waits for another command on the same plugin, when the context does not say. */
const PLUGIN_LOCK_WAIT_MS = 30_000

/**
 * Runs `body` under the plugin's operation lock; `body` reads its snapshot itself, once it holds it. It
 * waits as long as a publish waits for the server's lock: both wait for another publish of that plugin.
 */
export async function changePlugin<T>(ctx: ReleaseContext, slug: string, purpose: string, body: () => Promise<T>): Promise<T> {
  // A known plugin first: its slug was checked when it was added, so it is safe as a file name.
  requirePlugin(await ctx.store.read(), slug)
  return withPluginLock(ctx.store.dataDir, slug, { purpose, waitMs: ctx.remoteLockWaitMs ?? PLUGIN_LOCK_WAIT_MS }, async () => {
    // An earlier publish that was never recorded is settled with the server first.
    await reconcilePending(ctx, slug)
    return body()
  })
}

/** Publish failures that come before the first write on the server (checks, login, lock, compare-and-swap). */
const REFUSED_BEFORE_ANY_WRITE: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  'manifest-invalid',
  'server-ahead',
  'remote-locked',
  'connection-failed',
  'auth-failed',
  'host-key-unknown',
  'host-key-changed',
  'zip-conflict',
  'zip-missing'
])

/**
 * Publishes `versions` (every version of the plugin, in the state to publish) to the plugin's server;
 * null for a plugin without one. Touches no database: the commit records it.
 */
export async function publishVersions(
  ctx: ReleaseContext,
  snapshot: Readonly<Database>,
  plugin: PluginRecord,
  versions: readonly PluginVersionRecord[],
  job: Job,
  options: {
    readonly breakStaleLock?: boolean
    readonly retire?: readonly string[]
    readonly retryCommand?: string
    /** A key rotation: sign with the plugin's key and this one, which the manifest names as trusted. */
    readonly rotateTo?: string
  } = {}
): Promise<Published | null> {
  if (plugin.server === null) return null
  const server = requireServer(snapshot, plugin.server)
  // The keys are opened before anything is written: a missing key or passphrase touches nothing.
  const signing = await signingFor(ctx, snapshot, plugin, options.rotateTo)
  // Durable before the server is touched: if the database never records this publish, the next command
  // on the plugin compares with the server before it acts (reconcile.ts).
  await writeIntent(ctx.store.dataDir, {
    slug: plugin.slug,
    server: server.name,
    manifest_version: plugin.manifest_version,
    purpose: job.id,
    at: ctx.now().toISOString()
  })
  let result: PublishResult
  try {
    result = await publishPlugin({
      plugin,
      versions,
      server,
      secrets: ctx.secrets,
      now: ctx.now,
      job,
      onProgress: ctx.onProgress,
      breakStaleLock: options.breakStaleLock,
      retire: options.retire,
      lockWaitMs: ctx.remoteLockWaitMs,
      session: ctx.sessionOptions,
      sessions: ctx.sessions,
      by: await workstationOf(ctx.store.dataDir),
      retryCommand: options.retryCommand,
      signing
    })
  } catch (error) {
    // Refused before anything was written on the server: there is nothing for a later command to reconcile.
    if (error instanceof WprmError && REFUSED_BEFORE_ANY_WRITE.has(error.kind)) await clearIntent(ctx.store.dataDir, plugin.slug)
    throw error
  }
  return { result, server, retryCommand: options.retryCommand }
}

/** Records a publish on the plugin (its manifest version) and in the activity log. */
export function recordPublish(ctx: ReleaseContext, db: Database, published: Published | null): void {
  if (published === null) return
  const { result, server } = published
  const at = ctx.now().toISOString()
  const index = db.plugins.findIndex((p) => p.slug === result.slug)
  const plugin = db.plugins[index]!
  db.plugins[index] = {
    ...plugin,
    manifest_version: result.manifest_version,
    manifest_expires: result.expires ?? null,
    published_at: at,
    updated_at: at
  }
  recordActivity(db, {
    at,
    plugin: result.slug,
    version: result.latest,
    action: 'publish',
    summary: `Published manifest #${result.manifest_version} to ${server.name}: ${result.latest} live${result.uploaded.length ? `, uploaded ${result.uploaded.join(', ')}` : ''}`,
    changes: { manifest_version: [plugin.manifest_version, result.manifest_version] }
  })
}

/**
 * Commits a change planned from `snapshot`: in one short transaction, checks that nothing the change
 * rests on moved meanwhile (the plugin, its server, any of its versions: a publish carries them all),
 * then lets `apply` write the planned records and activity, and records the publish (after them in the
 * log, or before with `publishFirst`). What moved is refused, and nothing is written.
 */
export function commitChange<T>(
  ctx: ReleaseContext,
  purpose: string,
  snapshot: Readonly<Database>,
  slug: string,
  published: Published | null,
  apply: (db: Database) => T,
  options: { readonly publishFirst?: boolean } = {}
): Promise<T> {
  const committed = ctx.store.transact(purpose, (db) => {
    assertUnchanged(snapshot, db, slug, published)
    if (options.publishFirst === true) recordPublish(ctx, db, published)
    const result = apply(db)
    if (options.publishFirst !== true) recordPublish(ctx, db, published)
    return result
  })
  if (published === null) return committed
  return committed.then(
    // Recorded: the database and the server agree again.
    async (result) => (await clearIntent(ctx.store.dataDir, slug), result),
    (error: unknown) => {
      const code = (error as NodeJS.ErrnoException | null)?.code
      if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) throw error
      // The server has it, the database not (a full disk): the intent stays, and the next command takes it in.
      const { result, server } = published
      throw new WprmError(
        'io',
        `Manifest #${result.manifest_version} of ${slug} is live on ${server.name} (${result.latest}), but this database could not record it: ${(error as Error).message}.`,
        `Fix that (free disk space, …), then run \`${published.retryCommand ?? `wprm publish ${slug}`}\` again: it takes in what the server has first, then finishes.`,
        { cause: error }
      )
    }
  )
}

/** What differs for a plugin between two states of the database, in words; empty when nothing does. */
export function changesSince(before: Readonly<Database>, now: Readonly<Database>, slug: string): string[] {
  const then = requirePlugin(before, slug)
  const plugin = now.plugins.find((p) => p.slug === slug)
  if (plugin === undefined) return [`${slug} was removed`]
  const changes: string[] = []
  if (plugin.server !== then.server) changes.push(`its server is now ${plugin.server ?? 'none'} (was ${then.server ?? 'none'})`)
  const old = new Map(versionsOf(before, slug).map((v) => [v.version, JSON.stringify(v)]))
  const current = versionsOf(now, slug)
  for (const record of current) {
    const was = old.get(record.version)
    if (was === undefined) changes.push(`${record.version} was added`)
    else if (was !== JSON.stringify(record)) changes.push(`${record.version} was changed (now ${record.status})`)
  }
  for (const version of old.keys()) if (!current.some((v) => v.version === version)) changes.push(`${version} was removed`)
  return changes
}

function assertUnchanged(snapshot: Readonly<Database>, db: Readonly<Database>, slug: string, published: Published | null): void {
  const changes = changesSince(snapshot, db, slug)
  if (changes.length === 0) return
  const what = `${slug} changed while this command ran (${changes.join('; ')})`
  if (published === null) {
    throw new WprmError(
      'invalid-transition',
      `${what}, so this change was not recorded.`,
      'Run the command again: it plans from the records as they are now.'
    )
  }
  const { result, server } = published
  throw new WprmError(
    'remote-conflict',
    `${what}: manifest #${result.manifest_version} on ${server.name} was published from the older records, and nothing was recorded here.`,
    `Check the versions with: wprm list ${slug}; then run wprm publish ${slug}, which publishes the records as they are now.`
  )
}
