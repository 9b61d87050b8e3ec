import { rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApi } from '../../src-main/api.js'
import type { FilePreview, Result } from '../../src-preload/api.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'

let temp: { dir: string; cleanup: () => Promise<void> }
beforeEach(async () => {
  temp = await makeTempDir()
})
afterEach(async () => temp.cleanup())

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.kind}: ${result.error.message}`)
  return result.value
}

const marks = (preview: FilePreview): string[] => preview.files.map((f) => `${f.change ?? '-'} ${f.path}`)

describe('previewFiles (wprm files)', () => {
  it('lists what a build would take now, the rule behind each left-out path, the guard, and the changes since the last release', async () => {
    const dir = await writePluginFolder(path.join(temp.dir, 'hello-wprm'), {
      '.distignore': '# sources\n/src/\n',
      'src/app.ts': 'x',
      'includes/a.php': '<?php // a',
      'includes/gone.php': '<?php // gone',
      'node_modules/x/index.js': 'x',
      'demo.zip': 'PK'
    })
    const api = createApi({ dataDir: path.join(temp.dir, 'data') })
    value(await api.addPlugin({ sourceDir: dir }))
    value(await api.addVersion({ slug: 'hello-wprm', version: '1.0.0', changelog: 'First', status: 'released', allow: ['demo.zip'] }))

    // The source moves on: one file changes, one goes, one is new, and a secret appears.
    await writeFile(path.join(dir, 'includes', 'a.php'), '<?php // a, faster')
    await rm(path.join(dir, 'includes', 'gone.php'))
    await writeFile(path.join(dir, 'includes', 'b.php'), '<?php // b')
    await writeFile(path.join(dir, '.env'), 'API_KEY=1')

    const next = value(await api.previewFiles({ slug: 'hello-wprm', version: '1.1.0' }))
    expect(next).toMatchObject({ slug: 'hello-wprm', version: '1.1.0', from: 'source', compared_with: '1.0.0', has_distignore: true })
    expect(marks(next)).toEqual([
      'added .env',
      'unchanged demo.zip',
      'changed hello-wprm.php', // its Version header and constant say 1.1.0 now
      'changed includes/a.php',
      'added includes/b.php',
      'changed readme.txt' // its Stable tag
    ])
    expect(next.removed).toEqual(['includes/gone.php'])
    expect(next.excluded.map((e) => `${e.path} ${e.kind} ${e.rule.source}:${e.rule.line ?? '-'} ${e.rule.pattern}`)).toEqual([
      '.distignore file default:- .distignore',
      'node_modules directory default:- node_modules/',
      'src directory distignore:2 /src/'
    ])
    expect(next.unsafe.map((f) => `${f.path} ${f.kind}`)).toEqual(['.env secret', 'demo.zip junk'])
    // 1.1.0 has no record yet, so nothing is allowed for it.
    expect(next.allowed).toEqual([])
    expect(next.suggested_distignore).toBeNull()
    expect(next.total_size).toBe(next.files.reduce((sum, f) => sum + f.size, 0))

    // A built version lists its own ZIP, with what it was allowed.
    const built = value(await api.previewFiles({ slug: 'hello-wprm', version: '1.0.0' }))
    expect(built).toMatchObject({ from: 'zip', compared_with: null, allowed: ['demo.zip'], excluded: [] })
    expect(built.files.map((f) => f.path)).toEqual(['demo.zip', 'hello-wprm.php', 'includes/a.php', 'includes/gone.php', 'readme.txt'])
  })

  it("previews the source's header version when none is named, and suggests a .distignore when there is none", async () => {
    const dir = await writePluginFolder(path.join(temp.dir, 'hello-wprm'), { 'README.md': '# Hello', 'debug.log': 'x' })
    const api = createApi({ dataDir: path.join(temp.dir, 'data') })
    value(await api.addPlugin({ sourceDir: dir }))
    const preview = value(await api.previewFiles({ slug: 'hello-wprm' }))
    expect(preview).toMatchObject({ version: '1.0.0', compared_with: null, removed: [], has_distignore: false })
    expect(preview.files.every((f) => f.change === null)).toBe(true)
    expect(preview.suggested_distignore).toContain('\n/README.md\n/debug.log\n')
    const refused = await api.previewFiles({ slug: 'hello-wprm', version: 'v2' })
    expect(refused.ok ? null : refused.error.kind).toBe('invalid-version')
  })
})
