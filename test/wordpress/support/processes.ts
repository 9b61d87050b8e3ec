import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { stopGroupRemains } from './process-group.js'
import { signal } from './signals.js'

/** What a finished command printed and how it ended. */
export interface CommandResult {
  stdout: string
  stderr: string
  exitCode: number
}

/** Options shared by the spawn helpers. */
export interface SpawnOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
}

/**
 * Runs a command to completion and captures its output.
 * A run that exceeds `timeoutMs` is killed, so a hung PHP snippet fails its test instead of the whole suite.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  opts: SpawnOptions & { timeoutMs?: number } = {}
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 90_000)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (signal ? `\n[killed by ${signal}]` : ''),
        exitCode: code ?? 128
      })
    })
  })
}

/** Like runCommand, but throws with the captured output when the command fails. */
export async function runChecked(command: string, args: readonly string[], opts: SpawnOptions = {}): Promise<CommandResult> {
  const result = await runCommand(command, args, opts)
  if (result.exitCode !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.exitCode}\n${result.stdout}\n${result.stderr}`)
  }
  return result
}

/** Options for startDaemon. */
export interface DaemonOptions extends SpawnOptions {
  /**
   * Run in a process group of its own and signal the whole group on stop. For servers that fork workers
   * which do not die with their parent (php -S with PHP_CLI_SERVER_WORKERS leaves them running on SIGTERM).
   */
  group?: boolean
}

/** A server started by startDaemon. */
export interface Daemon {
  child: ChildProcess
  /** Whether stop signals go to the child's process group (-pid) rather than to the pid alone. */
  group: boolean
}

/**
 * Starts a long-running server whose stdout and stderr go to a log file.
 * A file rather than a pipe: nobody has to drain it, and it is there to read when start-up fails.
 */
export function startDaemon(command: string, args: readonly string[], logPath: string, opts: DaemonOptions = {}): Daemon {
  const fd = openSync(logPath, 'a')
  try {
    const group = opts.group ?? false
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', fd, fd],
      detached: group
    })
    // Swallow spawn errors here; callers notice through hasExited() while waiting for readiness.
    child.on('error', () => {})
    return { child, group }
  } finally {
    closeSync(fd)
  }
}

/** Sends `sig` to a daemon: its pid, or its whole process group. Ignores processes that are already gone. */
export function signalDaemon(daemon: Daemon, sig: NodeJS.Signals): void {
  const pid = daemon.child.pid
  if (pid !== undefined) signal(daemon.group ? -pid : pid, sig)
}

/** Whether a spawned child has already ended (or never started). */
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null || child.pid === undefined
}

/** How a daemon that should be running is doing, for start-up error messages. */
export function describeState(child: ChildProcess): string {
  if (child.pid === undefined) return 'it could not be spawned (is the Debian package installed?)'
  if (child.exitCode !== null) return `it exited with code ${child.exitCode}`
  if (child.signalCode !== null) return `it was killed by ${child.signalCode}`
  return 'it is still running'
}

/**
 * Stops a daemon by pid: SIGTERM, up to `graceMs` to exit, then SIGKILL.
 * For a group, the leftover members get the same treatment once the leader is gone.
 * Never throws, so a cleanup path can call it whatever state the daemon is in.
 */
export async function stopDaemon(daemon: Daemon, graceMs = 5_000): Promise<void> {
  const { child } = daemon
  if (child.pid === undefined) return
  if (!hasExited(child)) {
    signalDaemon(daemon, 'SIGTERM')
    if (!(await waitForExit(child, graceMs))) {
      signalDaemon(daemon, 'SIGKILL')
      await waitForExit(child, graceMs)
    }
  }
  if (daemon.group) await stopGroupRemains(child.pid, graceMs)
}

/** Resolves true when the child exits within `ms`, false otherwise; leaves no timer behind. */
function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (hasExited(child)) return Promise.resolve(true)
  return new Promise((resolve) => {
    const onExit = (): void => {
      clearTimeout(timer)
      resolve(true)
    }
    const timer = setTimeout(() => {
      child.off('exit', onExit)
      resolve(false)
    }, ms)
    child.once('exit', onExit)
  })
}
