import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import type { ApiError, ApiEvents, ErrorKind } from '../src-preload/api.js'
import { createApi } from './api.js'
import { toApiError } from './api/to-result.js'
import type { Command } from './cli/commands.js'
import { COMMANDS, UsageError } from './cli/commands.js'
import { ProgressLine } from './cli/progress.js'
import { resolveDataDir } from './core/fs/data-dir.js'

/** Exit codes: done, the operation failed, wrong usage. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const

/** Where the CLI writes; tests and the real process pass their own. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown }
  readonly stderr: { write(text: string): unknown; isTTY?: boolean }
  readonly env: NodeJS.ProcessEnv
}

interface GlobalOptions {
  dataDir?: string
  json: boolean
  debug: boolean
  help: boolean
  version: boolean
}

/** Takes the global options out of the arguments, wherever they stand. */
function splitGlobalOptions(argv: readonly string[]): { globals: GlobalOptions; rest: string[] } {
  const globals: GlobalOptions = { json: false, debug: false, help: false, version: false }
  const rest: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      rest.push(...argv.slice(i))
      break
    }
    if (arg === '--json') globals.json = true
    else if (arg === '--debug') globals.debug = true
    else if (arg === '--help' || arg === '-h') globals.help = true
    else if (arg === '--version') globals.version = true
    else if (arg === '--data-dir') {
      const value = argv[++i]
      if (value === undefined || value.startsWith('--')) throw new UsageError('--data-dir needs a folder')
      globals.dataDir = value
    } else if (arg.startsWith('--data-dir=')) globals.dataDir = arg.slice('--data-dir='.length)
    else rest.push(arg)
  }
  return { globals, rest }
}

function usageLine(command: Command): string {
  return `wprm ${command.words.join(' ')}${command.args ? ` ${command.args}` : ''}`
}

/** The full help text. */
export function helpText(): string {
  const lines = COMMANDS.map((c) => `  ${usageLine(c).slice(5)}\n      ${c.summary}`)
  return [
    'wprm: WP Release Manager on the command line: build, checksum and release self-hosted WordPress plugins.',
    '',
    'Usage: wprm [--data-dir DIR] [--json] [--debug] <command> [arguments]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    "  --data-dir DIR  the data folder (default: $WPRM_DATA_DIR, else the desktop app's folder)",
    "  --json          print records as JSON, with the database's field names, for scripts",
    '  --debug         print the stack trace of an internal error',
    '',
    'Exit codes: 0 done, 1 the operation failed, 2 wrong usage.'
  ].join('\n')
}

function findCommand(words: readonly string[]): { command: Command; args: string[] } | null {
  // Longest match first: "plugin add" before a one-word command.
  const matches = COMMANDS.filter((c) => c.words.every((word, i) => words[i] === word)).sort((a, b) => b.words.length - a.words.length)
  const command = matches[0]
  return command === undefined ? null : { command, args: words.slice(command.words.length) }
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

/** A failure as the CLI reports it: an ApiError, or a bug (`internal`), which the API never answers. */
type CliFailure = Omit<ApiError, 'kind'> & { readonly kind: ErrorKind | 'internal' }

/**
 * Runs the CLI and returns its exit code. Errors are one line that says what happened and what to do;
 * with `--json`, the same error is also printed on stdout as `{ ok: false, error }`.
 */
export async function main(
  argv: readonly string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }
): Promise<number> {
  let debug = argv.includes('--debug')
  let json = argv.includes('--json')
  /** The words of the command being run, once known: the help hint names them, not option values. */
  let commandWords: readonly string[] = []
  const fail = (failure: CliFailure): number => {
    if (json) io.stdout.write(`${JSON.stringify({ ok: false, error: failure }, null, 2)}\n`)
    io.stderr.write(`wprm: ${[failure.message, failure.hint].filter((text) => text !== '').join(' ')}\n`)
    return failure.kind === 'usage' ? EXIT.usage : EXIT.failed
  }
  try {
    const { globals, rest } = splitGlobalOptions(argv)
    debug = globals.debug
    json = globals.json
    if (globals.version) {
      io.stdout.write(`${packageVersion()}\n`)
      return EXIT.ok
    }
    const found = findCommand(rest)
    if (found === null) {
      if (globals.help || rest.length === 0) {
        io.stdout.write(`${helpText()}\n`)
        return globals.help ? EXIT.ok : EXIT.usage
      }
      return fail({ kind: 'usage', message: `unknown command "${rest.join(' ')}".`, hint: 'Run `wprm --help` for the list.' })
    }
    const { command, args } = found
    commandWords = command.words
    if (globals.help) {
      io.stdout.write(`Usage: ${usageLine(command)}\n  ${command.summary}\n`)
      return EXIT.ok
    }
    let parsed
    try {
      parsed = parseArgs({ args, options: command.options, allowPositionals: true, strict: true })
    } catch (error) {
      throw new UsageError((error as Error).message.replace(/\. To specify.*$/s, ''))
    }
    const [min, max] = command.positionals
    if (parsed.positionals.length < min || parsed.positionals.length > max) {
      throw new UsageError(`wrong number of arguments`)
    }

    const progress = new ProgressLine(globals.json ? { isTTY: false, write: () => undefined } : io.stderr)
    const api = createApi({
      dataDir: resolveDataDir(globals.dataDir, io.env),
      onEvent: (name, event) => {
        if (name === 'progress') progress.update(event as ApiEvents['progress'])
      }
    })
    let outcome
    try {
      outcome = await command.run(api, parsed.positionals, parsed.values)
    } finally {
      progress.finish()
    }
    if (!outcome.ok) return fail(outcome.error)
    io.stdout.write(globals.json ? `${JSON.stringify(outcome.json, null, 2)}\n` : `${outcome.text}\n`)
    return outcome.failed === true ? EXIT.failed : EXIT.ok
  } catch (error) {
    if (error instanceof UsageError) {
      const words = commandWords.length === 0 ? '' : `${commandWords.join(' ')} `
      return fail({ kind: 'usage', message: `${error.message}.`, hint: `Run \`wprm ${words}--help\` for its usage.` })
    }
    const expected = toApiError(error)
    if (expected !== null) return fail(expected)
    const message = (error as Error).message ?? String(error)
    if (debug) io.stderr.write(`${(error as Error).stack ?? message}\n`)
    return fail({ kind: 'internal', message: `internal error: ${message}`, hint: debug ? '' : '(run again with --debug for details)' })
  }
}
