import { chmod, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/** A fresh private (0700) folder under os.tmpdir(). */
export function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `wprm-${prefix}-`))
}

/**
 * Makes `dir` readable by everyone (0755) and every parent traversable.
 * nginx workers run as an unprivileged user: mkdtemp's 0700 (or a 0700 parent) would turn every request into 403.
 * Parents only get o+x added, and only when it is missing, so /tmp (1777) and the like are left as they are.
 */
export async function makePublicDir(dir: string): Promise<void> {
  await chmod(dir, 0o755)
  for (let parent = dirname(dir); parent !== dirname(parent); parent = dirname(parent)) {
    const { mode } = await stat(parent)
    if ((mode & 0o001) === 0) await chmod(parent, (mode & 0o7777) | 0o001)
  }
}

/** Removes a temp folder; never throws, as it runs in teardown. */
export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true }).catch(() => undefined)
}
