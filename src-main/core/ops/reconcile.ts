import { readIntent, clearIntent } from '../db/publish-intent.js'
import { requireServer } from '../db/lookups.js'
import { workstationOf } from '../db/workstation.js'
import type { ServerFiles } from '../remote/server-files.js'
import { openServerFiles } from '../remote/server-files.js'
import { WprmError } from '../errors.js'
import type { ReleaseContext } from './context.js'
import { syncPlugin } from './server-sync.js'

/**
 * Before a command on a plugin acts: when a publish of it was started and never recorded (the connection
 * was cut, the process killed, the disk full at the commit), compare the server with the database first,
 * and take in what this workstation's own publish already put there (same versions, same SHA-256). The
 * command then plans from records that agree with the server, whatever state the interruption left.
 *
 * Without an unfinished publish it costs one file lookup: the database then holds everything this
 * workstation published, and what others published is caught by the compare-and-swap under the server's
 * lock (refused, naming `wprm pull`). Runs under the plugin's lock.
 */
export async function reconcilePending(ctx: ReleaseContext, slug: string): Promise<void> {
  const intent = await readIntent(ctx.store.dataDir, slug)
  if (intent === null) return
  const db = await ctx.store.read()
  const plugin = db.plugins.find((p) => p.slug === slug)
  if (plugin === undefined || plugin.server === null) {
    await clearIntent(ctx.store.dataDir, slug)
    return
  }
  const server = requireServer(db, plugin.server)
  const me = await workstationOf(ctx.store.dataDir)
  let files: ServerFiles
  try {
    files = await openServerFiles(server, ctx.secrets, ctx.sessionOptions)
  } catch (error) {
    // Unreachable now: the intent stays for a later command. Nothing is lost meanwhile: a publish still
    // compares under the server's lock, and a drop or a stale state is refused there (naming pull).
    if (error instanceof WprmError) return
    throw error
  }
  try {
    // null: nothing of ours to take in; anything else on the server is for `wprm pull`.
    await syncPlugin(ctx, slug, files, { onlyOwn: me })
    // A cut during the unlock (after the manifest, the commit point) leaves this workstation's own lock on the
    // server, and the command that follows may have nothing left to publish: it goes here when it is ours.
    await files.clearOwnAbandonedLock(slug, ctx.now)
  } catch (error) {
    if (!(error instanceof WprmError) || error.kind !== 'publish-interrupted') throw error
  } finally {
    await files.close()
  }
}
