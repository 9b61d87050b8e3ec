import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { AddSftpServerInput } from '../../src-preload/api.js'

/** The built `wprm` entry, as `npx wprm` runs it. */
export const WPRM_BIN = fileURLToPath(new URL('../../bin/wprm.js', import.meta.url))

/** What a CLI run printed and how it ended. */
export interface CliRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Spawns `wprm` with the given arguments and data folder, as a user would run it. */
export function runCli(args: readonly string[], options: { dataDir?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const dataArgs = options.dataDir === undefined ? [] : ['--data-dir', options.dataDir]
  return runProcess(process.execPath, [WPRM_BIN, ...dataArgs, ...args], { env: { ...process.env, ...options.env } })
}

/** Runs any command with no input and collects what it printed and its exit code (-1 when killed). */
export function runProcess(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}
): Promise<CliRun> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

/**
 * The arguments of `wprm server add` for a profile of the loopback update server, logging in with
 * `keyPath`; `acceptHostKey` as given (none: the first-contact prompt).
 */
export function serverAddArgs(
  name: string,
  profile: AddSftpServerInput,
  options: { readonly keyPath: string; readonly remoteRoot?: string; readonly acceptHostKey?: string }
): string[] {
  return [
    'server',
    'add',
    name,
    '--host',
    profile.host,
    '--port',
    String(profile.port),
    '--user',
    profile.user,
    '--key',
    options.keyPath,
    '--remote-root',
    options.remoteRoot ?? profile.remoteRoot,
    '--public-url',
    profile.publicUrl,
    ...(options.acceptHostKey === undefined ? [] : ['--accept-host-key', options.acceptHostKey])
  ]
}
