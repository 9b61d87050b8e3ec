import { execFile, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

/** A server process started by spawnServer; it stays our child so it cannot outlive the test run unnoticed. */
export interface ServerProcess {
  child: ChildProcess
  pid: number
  /** Everything the process wrote to stderr (and stdout) so far, for error messages. */
  output(): string
  /** Whether the process has ended (or never started). */
  exited(): boolean
}

// Kept bounded: sshd at LogLevel VERBOSE logs every connection, and only the tail explains a failure.
const MAX_OUTPUT = 256 * 1024

/** Pids of servers still running; killed on process exit so a crashed test run leaves no listeners behind. */
const running = new Set<number>()
process.once('exit', () => {
  for (const pid of running) for (const p of [pid, ...descendantPids(pid)]) signal(p, 'SIGKILL')
})

/**
 * Runs a short command to completion and returns its stdout.
 * Throws with the command line and stderr, so a failing ssh-keygen explains itself.
 */
export function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stderr}`))
      else resolve(stdout)
    })
  })
}

/** Spawns a long-running server as a plain (non-detached) child, capturing its output in memory. */
export function spawnServer(command: string, args: readonly string[]): ServerProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  const append = (chunk: Buffer): void => {
    log = (log + chunk.toString('utf8')).slice(-MAX_OUTPUT)
  }
  child.stdout?.on('data', append)
  child.stderr?.on('data', append)
  // A spawn failure (ENOENT) surfaces through exited() and the output, not as an unhandled 'error' event.
  child.on('error', (error) => append(Buffer.from(`\n[spawn error: ${error.message}]\n`)))
  const exited = (): boolean => child.exitCode !== null || child.signalCode !== null || child.pid === undefined
  if (child.pid !== undefined) {
    running.add(child.pid)
    child.once('exit', () => running.delete(child.pid as number))
  }
  return { child, pid: child.pid ?? -1, output: () => log, exited }
}

/** process.kill that ignores a process that is already gone. */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig)
  } catch {
    // Already gone.
  }
}

/** The fields of /proc/<pid>/stat after the command name, which may itself contain spaces and parentheses. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

/**
 * Whether `pid` is gone. A zombie counts as gone: orphaned server children are reaped by PID 1,
 * and in a container PID 1 may never reap them, so signal 0 alone would wait forever.
 */
function isGone(pid: number): boolean {
  const fields = statFields(pid)
  return fields === undefined || fields[0] === 'Z'
}

/** All descendants of `pid` (children, grandchildren, ...), read from /proc. */
export function descendantPids(pid: number): number[] {
  const parentOf = new Map<number, number[]>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const ppid = Number(statFields(Number(name))?.[1])
    if (!Number.isFinite(ppid)) continue
    parentOf.set(ppid, [...(parentOf.get(ppid) ?? []), Number(name)])
  }
  const found: number[] = []
  const queue = [pid]
  while (queue.length > 0) {
    for (const child of parentOf.get(queue.shift() as number) ?? []) {
      found.push(child)
      queue.push(child)
    }
  }
  return found
}

/**
 * SIGTERM, up to `graceMs` for the process to exit, then SIGKILL.
 * Never throws, so teardown can call it whatever state the process is in.
 */
export async function stopByPid(pid: number, graceMs = 5_000): Promise<void> {
  if (pid <= 0 || isGone(pid)) return
  signal(pid, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (!isGone(pid)) {
    if (Date.now() > deadline) {
      signal(pid, 'SIGKILL')
      return
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/**
 * Stops a server and everything it forked. Needed for sshd: each connection runs in a process that
 * calls setsid(), so killing the listener alone would leave live SFTP sessions (and no connection cut).
 */
export async function stopProcessTree(pid: number, graceMs = 5_000): Promise<void> {
  if (pid <= 0) return
  // Listed before the parent dies: afterwards they are re-parented and no longer findable by ppid.
  const descendants = descendantPids(pid)
  await stopByPid(pid, graceMs)
  await Promise.all(descendants.map((p) => stopByPid(p, graceMs)))
}
