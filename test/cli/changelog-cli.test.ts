import { spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'
import { WPRM_BIN, runCli } from './run-cli.js'

let temp: { dir: string; cleanup: () => Promise<void> }

beforeAll(async () => {
  temp = await makeTempDir('wprm-changelog-cli-')
})
afterAll(async () => temp?.cleanup())

/** Runs wprm with `input` on its standard input. */
function withStdin(args: readonly string[], dataDir: string, input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [WPRM_BIN, '--data-dir', dataDir, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  child.stdin.end(input)
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

describe('changelogs from a file or standard input, and commands that undo', () => {
  it('takes --changelog - and --changelog-file, refuses both at once; edits and removes a draft; names the slug of a src folder', async () => {
    const dataDir = path.join(temp.dir, 'data')
    const source = await writePluginFolder(path.join(temp.dir, 'checkout', 'src'), {}, 'hello-wprm')
    const added = await runCli(['plugin', 'add', source], { dataDir })
    expect(added.code).toBe(0)
    expect(added.stdout).toContain(`The folder is named "src", so the slug hello-wprm comes from the main file's name (hello-wprm.php)`)

    const piped = await withStdin(['version', 'add', 'hello-wprm', '1.0.0', '--changelog', '-'], dataDir, 'Line one\nLine two\n')
    expect(piped).toMatchObject({ code: 0, stdout: 'Added hello-wprm 1.0.0 as draft.\n' })
    const file = path.join(temp.dir, 'CHANGES.txt')
    await writeFile(file, 'From a file\n')
    const edited = await runCli(['version', 'edit', 'hello-wprm', '1.0.0', '--changelog-file', file], { dataDir })
    expect(edited).toMatchObject({ code: 0, stdout: 'Changed the changelog of hello-wprm 1.0.0.\n' })
    const db = JSON.parse(await readFile(path.join(dataDir, 'wprm.json'), 'utf8')) as { versions: { changelog: string }[] }
    expect(db.versions.map((v) => v.changelog)).toEqual(['From a file'])

    const both = await runCli(['version', 'add', 'hello-wprm', '1.1.0', '--changelog', 'x', '--changelog-file', file], { dataDir })
    expect(both.code).toBe(2)
    expect(both.stderr).toContain('give --changelog or --changelog-file, not both')
    const missing = await runCli(['version', 'add', 'hello-wprm', '1.1.0', '--changelog-file', path.join(temp.dir, 'nope.txt')], {
      dataDir
    })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('cannot read --changelog-file')

    const removed = await runCli(['version', 'remove', 'hello-wprm', '1.0.0'], { dataDir })
    expect(removed).toMatchObject({ code: 0, stdout: 'Removed draft hello-wprm 1.0.0.\n' })
  })
})
