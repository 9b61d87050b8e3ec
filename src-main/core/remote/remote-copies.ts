import { createHash } from 'node:crypto'
import posixPath from 'node:path/posix'
import type { SftpServer } from '../../../src-shared/model.js'
import type { SftpSession } from './sftp-session.js'
import type { ObjectStore } from './targets/object-store.js'
import { IMMUTABLE_CACHE_CONTROL } from './targets/object-store.js'

/**
 * What the checklist asks of the server's own copies (checks 1 and 2), over the target's own protocol: SFTP's
 * stat and readlink, or an object store's HEAD (the size, the SHA-256 recorded at upload, the Cache-Control set).
 */
export interface RemoteCopies {
  /** Where messages say a file of the plugin is (`host:/path`, `s3://bucket/key`, a path). */
  where(name: string): string
  /** A file's size with what else its server records (facts) and what is wrong with that (problems); null when missing. */
  stat(
    name: string,
    checksum: string | null
  ): Promise<{ readonly size: number; readonly facts: string[]; readonly problems: string[] } | null>
  /**
   * What `-latest.zip` stands for: the ZIP its link names (SFTP), or the versioned ZIP whose recorded SHA-256 its
   * copy has (an object store: `expected` when it matches `checksum`); `present`: the expected ZIP is there.
   */
  latest(
    linkName: string,
    expected: string,
    checksum: string | null
  ): Promise<{ readonly target: string | null; readonly present: boolean }>
}

/** The copies on an SFTP server, in the plugin's folder. */
export function sftpCopies(session: SftpSession, server: SftpServer, dir: string): RemoteCopies {
  return {
    where: (name) => `${server.host}:${posixPath.join(dir, name)}`,
    stat: async (name) => {
      const stats = await session.lstat(posixPath.join(dir, name))
      return stats === null ? null : { size: stats.size, facts: [], problems: [] }
    },
    latest: async (linkName, expected) => {
      // Both in one round trip: the target to look for is known before the link is read.
      const [target, stats] = await Promise.all([
        session.readlink(posixPath.join(dir, linkName)),
        session.lstat(posixPath.join(dir, expected))
      ])
      return { target, present: stats !== null }
    }
  }
}

/**
 * The copies in an object store, under the plugin's key prefix. `recordsUploads`: the store keeps each object's
 * SHA-256 and Cache-Control as written (S3), else (a folder) only the bytes.
 */
export function storeCopies(store: ObjectStore, slug: string, recordsUploads: boolean): RemoteCopies {
  const key = (name: string): string => `${slug}/${name}`
  return {
    where: (name) => store.publicUrl(key(name)),
    stat: async (name, checksum) => {
      const head = await store.head(key(name))
      if (head === null) return null
      const facts: string[] = []
      const problems: string[] = []
      // A folder records neither (its web server sends the caching); every object wprm writes to S3 has both.
      if (!recordsUploads) return { size: head.size, facts, problems }
      if (head.sha256 === checksum) facts.push('SHA-256 recorded at upload as released')
      else if (head.sha256 === null) problems.push('no SHA-256 recorded at upload (not written by wprm)')
      else problems.push(`SHA-256 recorded at upload ${head.sha256.slice(0, 16)}…, released ${checksum?.slice(0, 16) ?? 'none'}…`)
      if (head.cacheControl === IMMUTABLE_CACHE_CONTROL) facts.push(`Cache-Control: ${head.cacheControl}`)
      else problems.push(`Cache-Control: ${head.cacheControl ?? 'none'}, expected ${IMMUTABLE_CACHE_CONTROL}`)
      return { size: head.size, facts, problems }
    },
    latest: async (linkName, expected, checksum) => {
      const [copy, versioned] = await Promise.all([store.head(key(linkName)), store.head(key(expected))])
      if (copy === null) return { target: null, present: versioned !== null }
      // A server-side copy keeps the SHA-256 its source was recorded with; a folder's copy is hashed here.
      const sha256 = copy.sha256 ?? (await sha256Of(store, key(linkName)))
      const same = sha256 === checksum
      return { target: same ? expected : `a copy of other bytes (${copy.size.toLocaleString('en-US')} bytes)`, present: versioned !== null }
    }
  }
}

async function sha256Of(store: ObjectStore, key: string): Promise<string | null> {
  const object = await store.get(key)
  return object === null ? null : createHash('sha256').update(object.bytes).digest('hex')
}
