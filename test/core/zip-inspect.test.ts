import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { inspectPluginZip } from '../../src-main/core/build/zip-inspect.js'
import { writeZip } from '../../src-main/core/build/zip-writer.js'
import { makeTempDir } from '../fixtures/plugin-folder.js'
import { requireTool } from '../support/require-tool.js'

let temp: { dir: string; cleanup: () => Promise<void> }
beforeEach(async () => {
  temp = await makeTempDir()
})
afterEach(async () => temp.cleanup())

const MAIN = '<?php\n/**\n * Plugin Name: Hello\n * Version: 1.2.3\n */\n'

/** A plugin ZIP with an incompressible asset last; returns its path. */
async function pluginZip(): Promise<string> {
  const out = path.join(temp.dir, 'hello.zip')
  await writeZip(
    [
      { name: 'hello/', source: null },
      { name: 'hello/hello.php', source: { kind: 'buffer', data: Buffer.from(MAIN) } },
      { name: 'hello/readme.txt', source: { kind: 'buffer', data: Buffer.from('=== Hello ===\n'.repeat(50)) } },
      { name: 'hello/video.bin', source: { kind: 'buffer', data: randomBytes(200_000) } }
    ],
    out
  )
  return out
}

describe('inspectPluginZip', () => {
  it('reads the main file, the readme and the top folders, checking every CRC', async () => {
    const zip = await pluginZip()
    const contents = await inspectPluginZip(zip, 'hello', 'hello.php')
    expect(contents).toEqual({ topFolders: ['hello'], mainFile: MAIN, readme: '=== Hello ===\n'.repeat(50) })
    // The same ZIP made by Info-ZIP (deflated and stored entries, its own headers) reads the same.
    requireTool('zip', 'zip')
    requireTool('unzip', 'unzip')
    const native = path.join(temp.dir, 'native.zip')
    execFileSync('unzip', ['-q', zip, '-d', path.join(temp.dir, 'x')])
    execFileSync('zip', ['-r', '-q', '-X', native, 'hello'], { cwd: path.join(temp.dir, 'x') })
    expect(await inspectPluginZip(native, 'hello', 'hello.php')).toEqual(contents)
  })

  it('refuses a ZIP whose last entry has one byte changed, unless told to read only the texts', async () => {
    const zip = await pluginZip()
    const bytes = await readFile(zip)
    // The last entry's data ends right before the central directory.
    const directory = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]))
    bytes[directory - 10] = bytes[directory - 10]! ^ 0x01
    await writeFile(zip, bytes)
    await expect(inspectPluginZip(zip, 'hello', 'hello.php')).rejects.toMatchObject({
      kind: 'zip-conflict',
      message: `${zip} is not a readable ZIP (the CRC-32 of hello/video.bin does not match).`
    })
    expect((await inspectPluginZip(zip, 'hello', 'hello.php', { checkCrc: false })).mainFile).toBe(MAIN)
  })
})
