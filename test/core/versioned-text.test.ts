import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import JSZip from 'jszip'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Result } from '../../src-preload/api.js'
import { createApi } from '../../src-main/api.js'
import { versionedText } from '../../src-main/core/source/versioned-text.js'
import { mainFileText, makeTempDir } from '../fixtures/plugin-folder.js'

let temp: { dir: string; cleanup: () => Promise<void> }
beforeEach(async () => {
  temp = await makeTempDir()
})
afterEach(async () => temp.cleanup())

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.kind}: ${result.error.message}`)
  return result.value
}

const SLUG = 'hello-wprm'
const VERSION = '1.2.0'

/** A plugin source in one form, and which of its files carry the version (their text changes). */
interface SourceCase {
  readonly name: string
  readonly files: Readonly<Record<string, string | Buffer>>
  readonly constant: string | null
  readonly carriers: readonly string[]
}

const readme = (eol: string, stableTag: boolean): string =>
  ['=== Hello WPRM ===', ...(stableTag ? ['Stable tag: 1.0.0'] : []), 'Requires at least: 6.0', '', 'A test plugin.', ''].join(eol)

const CASES: readonly SourceCase[] = [
  {
    name: 'define() constant and readme.txt with a Stable tag',
    files: { 'hello-wprm.php': mainFileText(), 'readme.txt': readme('\n', true), 'includes/a.php': '<?php // a' },
    constant: 'HELLO_WPRM_VERSION',
    carriers: ['hello-wprm.php', 'readme.txt']
  },
  {
    name: 'class const, CRLF line endings, README.TXT in capitals',
    files: {
      'hello-wprm.php': [
        '<?php',
        '/**',
        ' * Plugin Name: Hello WPRM',
        ' * Version: 1.0.0',
        ' */',
        'final class Hello_Wprm {',
        "\tconst VERSION = '1.0.0';",
        '}',
        ''
      ].join('\r\n'),
      'README.TXT': readme('\r\n', true)
    },
    constant: 'VERSION',
    carriers: ['hello-wprm.php', 'README.TXT']
  },
  {
    name: 'no version constant, and a readme without a Stable tag',
    files: {
      'hello-wprm.php': ['<?php', '/*', ' * Plugin Name: Hello WPRM', ' * Version: 1.0.0', ' */', ''].join('\n'),
      'readme.txt': readme('\n', false)
    },
    constant: null,
    carriers: ['hello-wprm.php']
  },
  {
    name: 'bytes that are not UTF-8, a readme in a subfolder and a Version line in another PHP file',
    files: {
      'hello-wprm.php': Buffer.concat([Buffer.from(mainFileText({ extra: '// caf' })), Buffer.from([0xe9, 0xff, 0x0a])]),
      'docs/readme.txt': readme('\n', true),
      'includes/other.php': '<?php\n/*\n * Version: 1.0.0\n */\n'
    },
    constant: 'HELLO_WPRM_VERSION',
    carriers: ['hello-wprm.php']
  },
  {
    name: 'a source already at the version',
    files: { 'hello-wprm.php': mainFileText({ version: VERSION }), 'readme.txt': readme('\n', true).replace('1.0.0', VERSION) },
    constant: 'HELLO_WPRM_VERSION',
    carriers: []
  }
]

async function writeSource(dir: string, files: Readonly<Record<string, string | Buffer>>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true })
    await writeFile(path.join(dir, rel), content)
  }
}

describe('versionedText: build, source status and bump write the same version into the same files', () => {
  it.each(CASES)('$name', async ({ files, constant, carriers }) => {
    const source = path.join(temp.dir, SLUG)
    await writeSource(source, files)
    const api = createApi({ dataDir: path.join(temp.dir, 'data') })
    const plugin = value(await api.addPlugin({ sourceDir: source }))
    expect(plugin.version_constant).toBe(constant)

    // The rule itself, applied to every file.
    const expected = new Map(
      Object.entries(files).map(([rel, content]) => [
        rel,
        Buffer.from(versionedText(plugin, rel, Buffer.from(content).toString('latin1'), VERSION), 'latin1')
      ])
    )
    const changedByRule = [...expected].filter(([rel, bytes]) => !bytes.equals(Buffer.from(files[rel]!))).map(([rel]) => rel)
    expect(changedByRule.sort()).toEqual([...carriers].sort())

    // 1. The build ships exactly that.
    value(await api.addVersion({ slug: SLUG, version: VERSION, changelog: 'Test', status: 'released' }))
    const record = value(await api.getVersion({ slug: SLUG, version: VERSION }))
    const zip = await JSZip.loadAsync(await readFile(record.file_path!))
    for (const [rel, bytes] of expected) expect(await zip.file(`${SLUG}/${rel}`)!.async('nodebuffer'), rel).toEqual(bytes)

    // 2. The source status predicts it: nothing changed since that build.
    expect(value(await api.getSourceStatus({ slug: SLUG })).changed_files).toEqual([])

    // 3. bump writes it into the source, touching only the files whose text changes.
    const bumped = value(await api.bumpSource({ slug: SLUG, version: VERSION }))
    expect([...bumped.changed_files].sort()).toEqual([...carriers].sort())
    for (const [rel, bytes] of expected) expect(await readFile(path.join(source, rel)), rel).toEqual(bytes)
    expect(value(await api.getSourceStatus({ slug: SLUG })).changed_files).toEqual([])
  })

  it('all three refuse a main file whose version constant is gone', async () => {
    const source = path.join(temp.dir, SLUG)
    await writeSource(source, CASES[0]!.files)
    const api = createApi({ dataDir: path.join(temp.dir, 'data') })
    value(await api.addPlugin({ sourceDir: source }))
    value(await api.addVersion({ slug: SLUG, version: '1.1.0', changelog: 'Test', status: 'released' }))
    const main = path.join(source, 'hello-wprm.php')
    await writeFile(main, (await readFile(main, 'utf8')).replace("define('HELLO_WPRM_VERSION', '1.0.0');", ''))

    expect(value(await api.getSourceStatus({ slug: SLUG })).changed_files).toEqual(['hello-wprm.php'])
    const refusals = [
      await api.addVersion({ slug: SLUG, version: VERSION, changelog: 'Test', status: 'released' }),
      await api.bumpSource({ slug: SLUG, version: VERSION })
    ]
    for (const refused of refusals) {
      expect(refused).toMatchObject({
        ok: false,
        error: { kind: 'source-invalid', message: 'The version constant HELLO_WPRM_VERSION is not defined in hello-wprm.php.' }
      })
    }
  })

  it('returns any other file as it is', () => {
    const plugin = { main_file: 'hello-wprm.php', version_constant: 'HELLO_WPRM_VERSION' }
    const text = mainFileText()
    expect(versionedText(plugin, 'includes/hello-wprm.php', text, VERSION)).toBe(text)
    expect(versionedText(plugin, 'docs/readme.txt', 'Stable tag: 1.0.0\n', VERSION)).toBe('Stable tag: 1.0.0\n')
  })
})
