import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import posixPath from 'node:path/posix'
import { publishJob } from '../../../src-shared/jobs.js'
import type { ServerProfile } from '../../../src-shared/model.js'
import { pluginFolder, targetPlace } from '../../../src-shared/server-targets.js'
import { WprmError } from '../errors.js'
import type { PluginTruth } from './ledger.js'
import { readServerTruth } from './ledger.js'
import { takeRemoteLock } from './remote-lock.js'
import type { SecretProvider } from './secrets.js'
import type { SessionOptions } from './sftp-session.js'
import { SftpSession } from './sftp-session.js'
import { objectLockKey, takeObjectLock } from './targets/object-lock.js'
import type { ObjectStore } from './targets/object-store.js'
import { openStore } from './targets/open-store.js'
import { readStoreTruth } from './targets/store-ledger.js'

/**
 * What taking a server's state in needs of it, whatever its target (`pull`, `plugin import`, the reconcile after
 * an interruption): read a plugin's truth, download one of its files, and clear this workstation's own
 * abandoned lock. Over SFTP one session serves every plugin of the server; on an object store, its client.
 */
export interface ServerFiles {
  readonly server: ServerProfile
  /** Where messages say the plugin's file is: the target's place and the file's path there (`host (/path)`). */
  where(slug: string, name: string): string
  readTruth(slug: string): Promise<PluginTruth>
  /** Downloads a plugin's file to `localPath` (which must not exist); its size and SHA-256 as they arrived. */
  download(slug: string, name: string, localPath: string): Promise<{ readonly sha256: string; readonly size: number }>
  /**
   * Takes and releases the plugin's lock at once, without waiting: a lock this workstation left behind (a cut
   * during the unlock) goes, and one another publish holds is left alone.
   */
  clearOwnAbandonedLock(slug: string, now: () => Date): Promise<void>
  close(): Promise<void>
}

/** Opens the server's files over its target's own protocol. */
export async function openServerFiles(server: ServerProfile, secrets: SecretProvider, session?: SessionOptions): Promise<ServerFiles> {
  if (server.kind === 'sftp') return sftpFiles(await SftpSession.open(server, secrets, session))
  return storeFiles(server, await openStore(server, secrets))
}

/** Over an SFTP session (also for callers that already have one open). */
export function sftpFiles(session: SftpSession): ServerFiles {
  const server = session.server
  return {
    server,
    where: (slug, name) => `${server.host} (${posixPath.join(pluginFolder(server, slug), name)})`,
    readTruth: (slug) => readServerTruth(session, pluginFolder(server, slug), slug),
    download: (slug, name, localPath) => session.download(posixPath.join(pluginFolder(server, slug), name), localPath),
    clearOwnAbandonedLock: async (slug, now) => {
      const unlock = await takeRemoteLock(session, pluginFolder(server, slug), {
        plugin: { slug },
        server,
        job: publishJob(slug),
        now,
        lockWaitMs: 0
      }).catch(refusedAsNull)
      await unlock?.()
    },
    close: () => session.close()
  }
}

/** On an object store. */
function storeFiles(server: Exclude<ServerProfile, { kind: 'sftp' }>, store: ObjectStore): ServerFiles {
  return {
    server,
    where: (slug, name) => `${targetPlace(server)} (${slug}/${name})`,
    readTruth: (slug) => readStoreTruth(store, slug),
    download: async (slug, name, localPath) => {
      const object = await store.get(`${slug}/${name}`)
      if (object === null) {
        throw new WprmError(
          'remote-not-found',
          `${name} is not in ${targetPlace(server)}${slug}/, though the ledger lists it.`,
          `Put the released file back (a workstation that has it can: wprm publish ${slug}), then pull again.`
        )
      }
      // flag wx: a file that appeared meanwhile is never replaced.
      await writeFile(localPath, object.bytes, { flag: 'wx' })
      return { sha256: createHash('sha256').update(object.bytes).digest('hex'), size: object.bytes.length }
    },
    clearOwnAbandonedLock: async (slug, now) => {
      const unlock = await takeObjectLock(store, {
        key: objectLockKey(slug),
        slug,
        where: targetPlace(server),
        job: publishJob(slug),
        now,
        lockWaitMs: 0
      }).catch(refusedAsNull)
      await unlock?.()
    },
    close: async () => store.close()
  }
}

/** A lock not taken (held by another publish, or the server unreachable) is left for later: null. */
function refusedAsNull(error: unknown): null {
  if (error instanceof WprmError) return null
  throw error
}
