import { execFile, execFileSync } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { promisify } from 'node:util'

const exec = promisify(execFile)

/** A small tmpfs a test fills up or makes read-only: a full or read-only disk, for real. */
export interface Tmpfs {
  readonly path: string
  /** Changes its size (bytes) or makes it read-only / writable again, keeping what is on it. */
  remount(options: { readonly sizeBytes?: number; readonly readOnly?: boolean }): Promise<void>
  /** Unmounts it; never throws, as it runs in teardown. */
  unmount(): Promise<void>
}

/** Mounted tmpfs paths still mounted, unmounted (lazily) when the test process exits. */
const mounted = new Set<string>()
process.once('exit', () => {
  for (const where of mounted) {
    try {
      // Synchronous: 'exit' handlers cannot wait.
      execFileSync('umount', ['-l', where])
    } catch {
      // Already gone.
    }
  }
})

/**
 * Mounts a tmpfs of `sizeBytes` at `where` (created if missing), mode 0755, in this machine's mount
 * namespace, so that sshd and nginx see it too. Needs root (CAP_SYS_ADMIN), as the CI machine runs the
 * tests; fails in one line saying so otherwise.
 */
export async function mountTmpfs(where: string, sizeBytes: number): Promise<Tmpfs> {
  await mkdir(where, { recursive: true })
  try {
    await exec('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0755`, 'tmpfs', where])
  } catch (error) {
    throw new Error(
      `Could not mount a tmpfs at ${where} (the fault tests need root with CAP_SYS_ADMIN): ${(error as Error).message.trim()}`
    )
  }
  mounted.add(where)
  return {
    path: where,
    async remount({ sizeBytes: size, readOnly }) {
      const options = [
        'remount',
        ...(size === undefined ? [] : [`size=${size}`]),
        ...(readOnly === undefined ? [] : [readOnly ? 'ro' : 'rw'])
      ]
      await exec('mount', ['-o', options.join(','), where])
    },
    async unmount() {
      mounted.delete(where)
      await exec('umount', [where]).catch(() => exec('umount', ['-l', where]).catch(() => undefined))
    }
  }
}
