import { constants } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import { createHash, randomBytes } from 'node:crypto'
import type { LocalTarget, ServerTestResult } from '../../../../src-shared/model.js'
import { WprmError, isErrnoCode } from '../../errors.js'
import { sequentialChecks } from '../checklist-runner.js'
import type { ObjectStore } from './object-store.js'

/** How long the GET through the public URL may take. */
const PUBLIC_GET_TIMEOUT_MS = 15_000

/**
 * Refuses a `local` root that is not a folder this user can write, saying how to fix it; `server add` asks before
 * anything is saved, `server test` asks again (permissions change).
 */
export async function assertWritableFolder(root: string): Promise<void> {
  const stats = await stat(root).catch((error: unknown) => {
    if (isErrnoCode(error, 'ENOENT') || isErrnoCode(error, 'ENOTDIR')) return null
    throw error
  })
  if (stats === null) {
    throw new WprmError(
      'usage',
      `The folder ${root} does not exist.`,
      `Create it (mkdir -p ${root}) and let your web server serve it at the public URL, then run again.`
    )
  }
  if (!stats.isDirectory())
    throw new WprmError('usage', `${root} is not a folder.`, 'Give the folder your web server serves, e.g. --root /var/www/updates.')
  try {
    await access(root, constants.W_OK | constants.X_OK)
  } catch (error) {
    if (!isErrnoCode(error, 'EACCES') && !isErrnoCode(error, 'EPERM') && !isErrnoCode(error, 'EROFS')) throw error
    throw new WprmError(
      'usage',
      `The folder ${root} is not writable by this user (${(error as NodeJS.ErrnoException).code}).`,
      `Let the user running wprm write to it (e.g. chown or chmod it, or add the user to its group), keeping it readable by the web server.`
    )
  }
}

/**
 * "Test connection" for a `local` target, in the shape of the SFTP one: the folder is writable (a probe file written
 * through the store a publish uses), the public URL serves that file, and the probe is removed again.
 */
export async function testLocalTarget(name: string, target: LocalTarget, store: ObjectStore): Promise<ServerTestResult> {
  const { checks, run } = sequentialChecks()
  const key = `.wprm-probe-${randomBytes(6).toString('hex')}.txt`
  const body = randomBytes(16).toString('hex')
  const sha256 = createHash('sha256').update(body).digest('hex')
  const written = await run(`Write to ${target.root}`, async () => {
    await assertWritableFolder(target.root)
    await store.put(key, { kind: 'bytes', bytes: Buffer.from(body) }, { cacheControl: 'no-cache', contentType: 'text/plain', sha256 })
    return `wrote ${key}`
  })
  await run(`Serve ${target.public_url}`, async () => {
    if (!written) throw new Error('skipped: the probe file could not be written')
    const url = store.publicUrl(key)
    const response = await fetch(url, { signal: AbortSignal.timeout(PUBLIC_GET_TIMEOUT_MS) })
    const text = await response.text()
    if (response.status !== 200 || text !== body) {
      throw new Error(
        `${url} → HTTP ${response.status}${response.status === 200 ? ' with other content' : ''}: the public URL does not serve ${target.root}${response.status === 403 ? ' (the web server may not read it: chmod a+rX the folder)' : ''}`
      )
    }
    return `${url} → HTTP 200 with the probe's content`
  })
  await run(`Remove the probe from ${target.root}`, async () => {
    if (!written) throw new Error('skipped: the probe file could not be written')
    await store.delete(key)
    if ((await store.head(key)) !== null) throw new Error(`${key} is still there after it was removed`)
    return `removed ${key} (prune and rollback remove old ZIPs)`
  })
  return { server: name, ok: checks.every((c) => c.ok), checks }
}
