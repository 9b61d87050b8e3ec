import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ApiError } from '../../src-preload/api.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'
import type { CliRun } from './run-cli.js'
import { WPRM_BIN, runCli, runProcess } from './run-cli.js'

let temp: { dir: string; cleanup: () => Promise<void> }
let dataDir: string
beforeEach(async () => {
  temp = await makeTempDir('wprm-cli-errors-')
  dataDir = path.join(temp.dir, 'data')
})
afterEach(async () => temp.cleanup())

const wprm = (...args: string[]) => runCli(args, { dataDir })

/** The one line a failed run printed on stderr. */
function oneLine(run: CliRun): string {
  const lines = run.stderr.trim().split('\n')
  expect(lines, run.stderr).toHaveLength(1)
  return lines[0]!
}

/** The error a failed `--json` run printed on stdout (it must be valid JSON in the Result shape). */
function jsonError(run: CliRun): ApiError {
  const printed = JSON.parse(run.stdout) as { ok: boolean; error: ApiError }
  expect(printed.ok).toBe(false)
  return printed.error
}

/**
 * Runs wprm with a fresh tmpfs mounted on `mountPoint` with `options`, in a mount namespace of its
 * own (root ignores file modes, so only a real read-only or full file system shows these errors).
 */
function runInMount(mountPoint: string, options: string, script: string, args: readonly string[]): Promise<CliRun> {
  return runProcess('unshare', [
    '-m',
    'sh',
    '-c',
    `mount -t tmpfs -o ${options} wprm-test "$1" && ${script}`,
    'sh',
    mountPoint,
    process.execPath,
    WPRM_BIN,
    ...args
  ])
}

/** Whether this machine lets us mount a tmpfs in a private mount namespace (root on Linux). */
const canMount = spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs -o size=1m wprm-probe "$1"', 'sh', os.tmpdir()]).status === 0

describe('wprm errors at the edge', () => {
  it('reports a dist folder under a regular file as an io error naming the path, in one line, exit 1', async () => {
    const source = await writePluginFolder(path.join(temp.dir, 'hello-wprm'))
    await writeFile(path.join(temp.dir, 'a-file'), 'not a folder')
    const distDir = path.join(temp.dir, 'a-file', 'dist')
    expect((await wprm('plugin', 'add', source, '--dist-dir', distDir)).code).toBe(0)
    const run = await wprm('version', 'add', 'hello-wprm', '1.0.0', '--changelog', 'x', '--status', 'released')
    expect(run.code).toBe(1)
    const line = oneLine(run)
    expect(line).toContain(`Could not create the folder ${distDir}: a part of the path is a file, not a folder (ENOTDIR).`)
    expect(line).toContain(`Move the file ${path.join(temp.dir, 'a-file')} out of the way`)
    expect(line).not.toContain('internal error')
    const json = await wprm('--json', 'version', 'add', 'hello-wprm', '1.0.1', '--changelog', 'x', '--status', 'released')
    expect(json.code).toBe(1)
    expect(jsonError(json)).toMatchObject({ kind: 'io', message: expect.stringContaining(distDir) })
  })

  it('reports a data folder that is a file as io (ENOTDIR), with --json on stdout', async () => {
    const file = path.join(temp.dir, 'not-a-folder')
    await writeFile(file, 'x')
    const run = await runCli(['--json', 'plugin', 'list'], { dataDir: file })
    expect(run.code).toBe(1)
    expect(oneLine(run)).toMatch(
      /^wprm: Could not open .*not-a-folder\/wprm\.json: a part of the path is a file, not a folder \(ENOTDIR\)\. /
    )
    expect(jsonError(run)).toEqual({
      kind: 'io',
      message: `Could not open ${path.join(file, 'wprm.json')}: a part of the path is a file, not a folder (ENOTDIR).`,
      hint: `Move the file ${file} out of the way, or choose another folder.`
    })
  })

  it.skipIf(!canMount)('reports a read-only data folder as io (EROFS) with a hint to choose a writable folder', async () => {
    const mountPoint = path.join(temp.dir, 'read-only')
    await mkdir(mountPoint)
    const source = await writePluginFolder(path.join(temp.dir, 'hello-wprm'))
    const run = await runInMount(mountPoint, 'ro', 'exec "$2" "$3" --data-dir "$1" --json "$4" "$5" "$6"', ['plugin', 'add', source])
    expect(run.code, run.stderr).toBe(1)
    expect(oneLine(run)).toContain('the file system is read-only (EROFS). The folder is read-only: choose a writable --data-dir')
    const error = jsonError(run)
    expect(error.kind).toBe('io')
    expect(error.message).toContain(mountPoint)
  })

  it.skipIf(!canMount)('reports a full disk as io (ENOSPC) with a hint to free space, and keeps the version a draft', async () => {
    const mountPoint = path.join(temp.dir, 'small-disk')
    await mkdir(mountPoint)
    const source = await writePluginFolder(path.join(temp.dir, 'hello-wprm'), { 'assets/big.bin': randomBytes(400 * 1024) })
    // One shell: the tmpfs lives as long as its namespace. The draft fits; its 400 KB ZIP does not.
    const script = [
      '"$2" "$3" --data-dir "$1" plugin add "$4" >/dev/null',
      '"$2" "$3" --data-dir "$1" version add hello-wprm 1.0.0 --changelog x >/dev/null',
      '"$2" "$3" --data-dir "$1" --json release hello-wprm 1.0.0; code=$?',
      '"$2" "$3" --data-dir "$1" show hello-wprm 1.0.0 >&2',
      'exit $code'
    ].join('; ')
    const run = await runInMount(mountPoint, 'size=128k', script, [source])
    expect(run.code, run.stderr).toBe(1)
    expect(run.stderr).toContain('no space is left on the disk (ENOSPC). Free space on the disk')
    expect(run.stderr).toMatch(/^status\s+draft$/m)
    expect(jsonError(run).kind).toBe('io')
  })

  it('exits 2 for a usage error from the core, as for one from the arguments', async () => {
    const source = await writePluginFolder(path.join(temp.dir, 'hello-wprm'))
    expect((await wprm('plugin', 'add', source)).code).toBe(0)
    const prune = await wprm('prune', 'hello-wprm', '--keep', '1')
    expect(prune.code).toBe(2)
    expect(oneLine(prune)).toContain('at least 3')
    const json = await wprm('--json', 'prune', 'hello-wprm', '--keep', '1')
    expect(json.code).toBe(2)
    expect(jsonError(json).kind).toBe('usage')
  })

  it('names the command words in the help hint, not the data folder or other option values', async () => {
    const missing = await wprm('prune')
    expect(missing.code).toBe(2)
    expect(oneLine(missing)).toBe('wprm: wrong number of arguments. Run `wprm prune --help` for its usage.')
    const equals = await runCli([`--data-dir=${dataDir}`, '--json', 'plugin', 'add'])
    expect(equals.code).toBe(2)
    expect(oneLine(equals)).toBe('wprm: wrong number of arguments. Run `wprm plugin add --help` for its usage.')
    expect(jsonError(equals)).toEqual({
      kind: 'usage',
      message: 'wrong number of arguments.',
      hint: 'Run `wprm plugin add --help` for its usage.'
    })
    const noFolder = await runCli(['--json', 'plugin', 'list', '--data-dir'])
    expect(noFolder.code).toBe(2)
    expect(oneLine(noFolder)).toBe('wprm: --data-dir needs a folder. Run `wprm --help` for its usage.')
    expect(jsonError(noFolder).kind).toBe('usage')
    const unknown = await wprm('--json', 'frobnicate')
    expect(unknown.code).toBe(2)
    expect(jsonError(unknown)).toEqual({ kind: 'usage', message: 'unknown command "frobnicate".', hint: 'Run `wprm --help` for the list.' })
  })

  it('prints a failed --json run as one JSON document on stdout, in the Result shape', async () => {
    const run = await wprm('--json', 'show', 'nope', '1.0.0')
    expect(run.code).toBe(1)
    expect(JSON.parse(run.stdout)).toEqual({
      ok: false,
      error: { kind: 'not-found', message: expect.any(String), hint: expect.any(String) }
    })
  })
})
