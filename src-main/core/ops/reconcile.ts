import { readIntent, clearIntent } from '../db/publish-intent.js'
import { requireServer } from '../db/lookups.js'
import { workstationOf } from '../db/workstation.js'
import posixPath from 'node:path/posix'
import { publishJob } from '../../../src-shared/jobs.js'
import type { SftpServer } from '../../../src-shared/model.js'
import { takeRemoteLock } from '../remote/remote-lock.js'
import { SftpSession, sftpServer } from '../remote/sftp-session.js'
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
  let session: SftpSession
  try {
    session = await SftpSession.open(sftpServer(server, 'Finishing an interrupted publish'), ctx.secrets, ctx.sessionOptions)
  } catch (error) {
    // Unreachable now: the intent stays for a later command. Nothing is lost meanwhile: a publish still
    // compares under the server's lock, and a drop or a stale state is refused there (naming pull).
    if (error instanceof WprmError) return
    throw error
  }
  try {
    // null: nothing of ours to take in; anything else on the server is for `wprm pull`.
    await syncPlugin(ctx, slug, session, { onlyOwn: me })
    await clearOwnAbandonedLock(ctx, session, session.server, slug)
  } catch (error) {
    if (!(error instanceof WprmError) || error.kind !== 'publish-interrupted') throw error
  } finally {
    await session.close()
  }
}

/**
 * A cut during the unlock (after the manifest, the commit point) leaves this workstation's own lock on
 * the server, and the command that follows may have nothing left to publish. Taking the lock breaks it
 * when it is ours and abandoned; a lock another publish holds is left alone (no wait).
 */
async function clearOwnAbandonedLock(ctx: ReleaseContext, session: SftpSession, server: SftpServer, slug: string): Promise<void> {
  try {
    const unlock = await takeRemoteLock(session, posixPath.join(server.remote_root, slug), {
      plugin: { slug },
      server,
      job: publishJob(slug),
      now: ctx.now,
      lockWaitMs: 0
    })
    await unlock()
  } catch (error) {
    if (!(error instanceof WprmError)) throw error
  }
}
