import { mkdir, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { collectSourceEntries } from '../../src-main/core/build/source-files.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'

let temp: { dir: string; cleanup: () => Promise<void> }
beforeEach(async () => {
  temp = await makeTempDir()
})
afterEach(async () => temp.cleanup())

const names = async (dir: string): Promise<string[]> =>
  (await collectSourceEntries(dir)).map((e) => (e.kind === 'directory' ? `${e.relPath}/` : e.relPath))

describe('collectSourceEntries', () => {
  it('leaves out the default clean-up list and keeps the rest, sorted', async () => {
    const dir = await writePluginFolder(path.join(temp.dir, 'p'), {
      'includes/class-a.php': '<?php',
      'includes/tests/fixture.php': '<?php', // only the top-level tests/ folder is clean-up
      'tests/test-a.php': '<?php',
      'test/bootstrap.php': '<?php',
      '.git/HEAD': 'ref',
      '.github/workflows/ci.yml': 'on: push',
      'node_modules/x/index.js': '1',
      'assets/__pycache__/a.pyc': 'x',
      'old.php.bak': 'x',
      'notes.txt~': 'x',
      '.DS_Store': 'x',
      'phpunit.xml.dist': '<x/>',
      '.gitignore': 'x',
      'assets/logo.svg': '<svg/>'
    })
    expect(await names(dir)).toEqual([
      'assets/',
      'assets/logo.svg',
      'hello-wprm.php',
      'includes/',
      'includes/class-a.php',
      'includes/tests/',
      'includes/tests/fixture.php',
      'readme.txt'
    ])
  })

  it("applies the plugin's .distignore, which can also re-include a default", async () => {
    const dir = await writePluginFolder(path.join(temp.dir, 'p'), {
      '.distignore': '# build files\n/src/\n*.map\n!tests/\n',
      'src/app.ts': 'x',
      'assets/app.js': 'x',
      'assets/app.js.map': 'x',
      'tests/keep.php': 'x'
    })
    expect(await names(dir)).toEqual(['assets/', 'assets/app.js', 'hello-wprm.php', 'readme.txt', 'tests/', 'tests/keep.php'])
  })

  it('refuses a link that leads outside the folder, naming it', async () => {
    const dir = await writePluginFolder(path.join(temp.dir, 'p'))
    await writeFile(path.join(temp.dir, 'secret.txt'), 'outside')
    await mkdir(path.join(dir, 'lib'))
    await symlink(path.join(temp.dir, 'secret.txt'), path.join(dir, 'lib', 'secret.txt'))
    await expect(collectSourceEntries(dir)).rejects.toThrow(/lib\/secret\.txt leads outside the source folder/)
  })

  it('follows a link inside the folder, and passes over an ignored link out of it', async () => {
    const dir = await writePluginFolder(path.join(temp.dir, 'p'), { 'lib/real.php': '<?php // real' })
    await symlink('real.php', path.join(dir, 'lib', 'alias.php'))
    await symlink(temp.dir, path.join(dir, 'node_modules'))
    const entries = await collectSourceEntries(dir)
    const alias = entries.find((e) => e.relPath === 'lib/alias.php')
    expect(alias?.absPath).toBe(path.join(await import('node:fs/promises').then((fs) => fs.realpath(dir)), 'lib', 'real.php'))
    expect(entries.some((e) => e.relPath.startsWith('node_modules'))).toBe(false)
  })

  it('refuses a broken link', async () => {
    const dir = await writePluginFolder(path.join(temp.dir, 'p'))
    await symlink('nowhere.php', path.join(dir, 'gone.php'))
    await expect(collectSourceEntries(dir)).rejects.toThrow(/gone\.php in the source points to nothing/)
  })

  it('gives non-ASCII names in NFC, sorted by UTF-8 bytes', async () => {
    const decomposed = 'cafe\u0301.php' // é as e + combining accent (as macOS writes it)
    const dir = await writePluginFolder(path.join(temp.dir, 'p'), { [decomposed]: 'x', 'zz.php': 'x', 'ñ/😀.txt': 'x', 'Z.php': 'x' })
    const list = await names(dir)
    expect(list).toContain('caf\u00e9.php')
    expect(list).toEqual(['Z.php', 'caf\u00e9.php', 'hello-wprm.php', 'readme.txt', 'zz.php', 'ñ/', 'ñ/😀.txt'])
  })

  it("keeps a library's own phpunit.xml under vendor/ (as wp dist-archive does), and leaves out the plugin's build files and wordpress.org artwork", async () => {
    const dir = await writePluginFolder(path.join(temp.dir, 'p'), {
      'vendor/acme/lib/phpunit.xml': '<phpunit/>',
      'vendor/acme/lib/composer.json': '{}',
      'phpunit.xml': '<phpunit/>',
      'composer.json': '{}',
      'composer.lock': '{}',
      'package.json': '{}',
      'webpack.config.js': 'x',
      '.eslintrc.js': 'x',
      '.wp-env.json': '{}',
      'assets/banner-772x250.png': 'x',
      'assets/icon-128x128.png': 'x',
      'assets/icon.svg': '<svg/>',
      'assets/screenshot-1.png': 'x',
      'assets/css/admin.css': 'x',
      'wporg-assets/icon.svg': '<svg/>'
    })
    expect(await names(dir)).toEqual([
      'assets/',
      'assets/css/',
      'assets/css/admin.css',
      'hello-wprm.php',
      'readme.txt',
      'vendor/',
      'vendor/acme/',
      'vendor/acme/lib/',
      'vendor/acme/lib/composer.json',
      'vendor/acme/lib/phpunit.xml'
    ])
  })

  it('says which rule left each path out: the default list, or a line of .distignore (a folder once, for all it holds)', async () => {
    const dir = await writePluginFolder(path.join(temp.dir, 'p'), {
      '.distignore': '# build\n/src/\n\n*.map\n',
      'src/a.ts': 'x',
      'src/b.ts': 'x',
      'js/app.js.map': 'x',
      'node_modules/x/index.js': 'x',
      'package.json': '{}'
    })
    const excluded: string[] = []
    await collectSourceEntries(dir, undefined, (e) =>
      excluded.push(`${e.relPath} ${e.kind} ${e.rule.source}${e.rule.line === null ? '' : `:${e.rule.line}`} ${e.rule.pattern}`)
    )
    expect(excluded.sort()).toEqual([
      '.distignore file default .distignore',
      'js/app.js.map file distignore:4 *.map',
      'node_modules directory default node_modules/',
      'package.json file default /package.json',
      'src directory distignore:2 /src/'
    ])
  })
})
