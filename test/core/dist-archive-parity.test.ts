/**
 * Our build's file list against `wp dist-archive`'s semantics: that command takes every file the plugin's
 * `.distignore` (gitignore syntax, parents included) does not ignore, and nothing else is left out. The
 * reference here is exactly that rule, written out with the same gitignore matcher.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import ignore from 'ignore'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { collectSourceEntries } from '../../src-main/core/build/source-files.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'

let temp: { dir: string; cleanup: () => Promise<void> }
beforeEach(async () => {
  temp = await makeTempDir()
})
afterEach(async () => temp.cleanup())

interface RealPlugin {
  readonly files: readonly string[]
  readonly distignore?: string
}

async function realPlugin(name: string): Promise<RealPlugin> {
  const lists = JSON.parse(await readFile(new URL('../fixtures/plugins/real-file-lists.json', import.meta.url), 'utf8')) as Record<
    string,
    RealPlugin
  >
  return lists[name]!
}

/** `wp dist-archive`: every file its `.distignore` does not ignore (without one, every file). */
function distArchiveList(files: readonly string[], distignore: string | undefined): string[] {
  const rules = ignore().add(distignore ?? '')
  return files.filter((file) => !rules.ignores(file)).sort()
}

async function ourList(dir: string): Promise<string[]> {
  return (await collectSourceEntries(dir))
    .filter((e) => e.kind === 'file')
    .map((e) => e.relPath)
    .sort()
}

async function compare(name: string, plugin: RealPlugin): Promise<{ onlyTheirs: string[]; onlyOurs: string[] }> {
  const files = plugin.distignore === undefined ? plugin.files : [...plugin.files, '.distignore']
  const contents = Object.fromEntries(plugin.files.map((file) => [file, `// ${file}\n`]))
  const dir = await writePluginFolder(
    path.join(temp.dir, name),
    plugin.distignore === undefined ? contents : { ...contents, '.distignore': plugin.distignore },
    name
  )
  const theirs = distArchiveList(files, plugin.distignore)
  const ours = await ourList(dir)
  return { onlyTheirs: theirs.filter((f) => !ours.includes(f)), onlyOurs: ours.filter((f) => !theirs.includes(f)) }
}

describe('the file list against wp dist-archive', () => {
  it("is the same for a plugin with its own .distignore (10up's Safe SVG)", async () => {
    expect(await compare('safe-svg', await realPlugin('safe-svg'))).toEqual({ onlyTheirs: [], onlyOurs: [] })
  })

  it('differs without a .distignore only by the default list, each difference documented in the README (Health Check)', async () => {
    const { onlyTheirs, onlyOurs } = await compare('health-check', await realPlugin('health-check'))
    expect(onlyOurs).toEqual([])
    // wp dist-archive warns and ships all of it; our defaults leave these out (README: "Where the defaults differ").
    expect(onlyTheirs).toEqual([
      '.editorconfig',
      '.eslintignore',
      '.eslintrc.js',
      '.github/CONTRIBUTING.md',
      '.github/ISSUE_TEMPLATE.md',
      '.github/PULL_REQUEST_TEMPLATE.md',
      '.github/workflows/build-status.yml',
      '.github/workflows/coding-standards.yml',
      '.github/workflows/php-compatibility.yml',
      '.gitignore',
      '.jscsrc',
      '.wp-env.json',
      'composer.json',
      'composer.lock',
      'package-lock.json',
      'package.json',
      'phpcompat.xml.dist',
      'phpcs.xml.dist',
      'phpunit.xml.dist',
      'tests/phpunit/bootstrap.php',
      'tests/phpunit/test-mu-plugin.php',
      'tests/phpunit/test-site-status.php',
      'tests/phpunit/test-tools.php',
      'tests/phpunit/test-updates.php',
      'tests/setup/install-wp-tests.sh',
      'webpack.config.js',
      'wporg-assets/banner-1544x500.png',
      'wporg-assets/banner-772x250.png',
      'wporg-assets/icon-128x128.png',
      'wporg-assets/icon-256x256.png',
      'wporg-assets/icon.svg',
      'wporg-assets/screenshot-1.png',
      'wporg-assets/screenshot-2.png',
      'wporg-assets/screenshot-3.png',
      'wporg-assets/screenshot-4.png'
    ])
  })

  it('differs for a .distignore that re-includes and anchors only by .distignore itself, which never ships here', async () => {
    const plugin: RealPlugin = {
      files: [
        'parity.php',
        'readme.txt',
        'docs/x.md',
        'docs/keep.md',
        'lib/docs/y.md',
        'build/app.js',
        'build/app.js.map',
        'notes.txt',
        'vendor/x/phpunit.xml'
      ],
      distignore: '/docs/\n!/docs/keep.md\n*.map\nnotes.txt\n'
    }
    // gitignore decides both lists: docs/keep.md stays out (its folder is), lib/docs/ stays in (/docs/ is anchored).
    expect(await compare('parity', plugin)).toEqual({ onlyTheirs: ['.distignore'], onlyOurs: [] })
  })
})
