import { mkdir, readdir, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi } from '../../src-main/api.js'
import { mainFileText, makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'
import type { UpdateServer } from '../support/update-server.js'
import { startUpdateServer } from '../support/update-server.js'
import { failure, pluginSource, sharedServer, value, workstation } from '../support/workstations.js'

// Mistakes undone before sites see them, and the rules that keep them from being made: a slug asked
// for rather than guessed from a layout folder, one source one plugin, a first version from the header.

let server: UpdateServer
let temp: { dir: string; cleanup: () => Promise<void> }
let counter = 0

beforeAll(async () => {
  server = await startUpdateServer()
  temp = await makeTempDir('wprm-undo-')
})
afterAll(async () => {
  await server?.stop()
  await temp?.cleanup()
})

const local = (name: string) => createApi({ dataDir: path.join(temp.dir, name, 'data') })

describe('undo before sites see it', () => {
  it('removes a mistyped draft (which blocked every lower version), never a published version', async () => {
    const name = `u${++counter}`
    const shared = sharedServer(server, name, 'undo')
    const ws = await workstation(temp.dir, name, server, shared)
    value(await ws.api.addPlugin({ sourceDir: await pluginSource(path.join(temp.dir, name, 'undo'), 'undo'), server: name }))
    value(await ws.api.addVersion({ slug: 'undo', version: '1.0.0', changelog: 'One', status: 'released' }))
    value(await ws.api.addVersion({ slug: 'undo', version: '10.0.0', changelog: 'Oops' }))
    expect(failure(await ws.api.addVersion({ slug: 'undo', version: '1.1.0', changelog: 'x' })).kind).toBe('version-not-higher')
    expect(value(await ws.api.removeVersion({ slug: 'undo', version: '10.0.0' }))).toMatchObject({ version: '10.0.0', status: 'draft' })
    value(await ws.api.addVersion({ slug: 'undo', version: '1.1.0', changelog: 'x' }))
    const refused = failure(await ws.api.removeVersion({ slug: 'undo', version: '1.0.0' }))
    expect(refused).toMatchObject({ kind: 'invalid-transition', message: expect.stringContaining('only a draft can be removed') })
    expect(refused.hint).toContain('wprm deprecate undo 1.0.0')
    expect((await ws.versions()).map((v) => v.version)).toEqual(['1.1.0', '1.0.0'])
    expect(value(await ws.api.listActivity({ slug: 'undo', limit: 5 })).map((e) => e.action)).toContain('version.remove')
  })

  it("edits a draft's changelog here, and a released one's by publishing it: sites and the ledger see the new text", async () => {
    const name = `u${++counter}`
    const shared = sharedServer(server, name, 'edits')
    const ws = await workstation(temp.dir, name, server, shared)
    value(await ws.api.addPlugin({ sourceDir: await pluginSource(path.join(temp.dir, name, 'edits'), 'edits'), server: name }))
    value(await ws.api.addVersion({ slug: 'edits', version: '1.0.0', changelog: 'Fixed teh bug', status: 'released' }))
    value(await ws.api.addVersion({ slug: 'edits', version: '1.1.0', changelog: 'Draft text' }))
    const draft = value(await ws.api.editVersion({ slug: 'edits', version: '1.1.0', changelog: 'Better draft text' }))
    expect(draft.publish).toBeNull()
    expect(draft.versions[0]!.changelog).toBe('Better draft text')
    const live = value(await ws.api.editVersion({ slug: 'edits', version: '1.0.0', changelog: 'Fixed the bug' }))
    expect(live.publish).toMatchObject({ manifest_version: 2, latest: '1.0.0', uploaded: [] })
    expect((await shared.manifest())!.sections.changelog).toContain('Fixed the bug')
    expect((await shared.ledger())!.versions[0]).toMatchObject({
      changelog: 'Fixed the bug',
      changed: { manifest_version: 2 },
      published: { manifest_version: 1 }
    })
    // The same text again: nothing to do, nothing published.
    expect(value(await ws.api.editVersion({ slug: 'edits', version: '1.0.0', changelog: 'Fixed the bug' })).already).toBe(true)
    expect(failure(await ws.api.editVersion({ slug: 'edits', version: '1.0.0', changelog: '  ' })).kind).toBe('usage')
  })

  it('refuses to remove a plugin that is live on its server unless --keep-server; another workstation imports it back', async () => {
    const name = `u${++counter}`
    const shared = sharedServer(server, name, 'gone')
    const ws = await workstation(temp.dir, name, server, shared)
    value(await ws.api.addPlugin({ sourceDir: await pluginSource(path.join(temp.dir, name, 'gone'), 'gone'), server: name }))
    value(await ws.api.addVersion({ slug: 'gone', version: '1.0.0', changelog: 'One', status: 'released' }))
    const refused = failure(await ws.api.removePlugin({ slug: 'gone' }))
    expect(refused).toMatchObject({ kind: 'invalid-transition', hint: expect.stringContaining('--keep-server') })
    value(await ws.api.removePlugin({ slug: 'gone', keepServer: true }))
    expect(value(await ws.api.listPlugins())).toEqual([])
    expect((await shared.manifest())!.version).toBe('1.0.0')
    expect(value(await ws.api.importPlugin({ server: name, slug: 'gone' })).manifest_version).toBe(1)
    // A plugin never published goes at once.
    const other = local(`u${++counter}`)
    value(await other.addPlugin({ sourceDir: await pluginSource(path.join(temp.dir, `u${counter}`, 'drafty'), 'drafty') }))
    value(await other.removePlugin({ slug: 'drafty' }))
  })

  it('changes the slug before the first release, never after', async () => {
    const name = `u${++counter}`
    const api = local(name)
    value(await api.addPlugin({ sourceDir: await pluginSource(path.join(temp.dir, name, 'wrong-slug'), 'wrong-slug'), slug: 'wrong-slug' }))
    value(await api.addVersion({ slug: 'wrong-slug', version: '1.0.0', changelog: 'One' }))
    const renamed = value(await api.setPlugin({ slug: 'wrong-slug', newSlug: 'right-slug' }))
    expect(renamed).toMatchObject({ slug: 'right-slug', dist_dir: path.join(temp.dir, name, 'data', 'dist', 'right-slug') })
    expect(value(await api.getPlugin({ slug: 'right-slug' })).versions.map((v) => [v.plugin, v.version])).toEqual([['right-slug', '1.0.0']])
    expect(failure(await api.getPlugin({ slug: 'wrong-slug' })).kind).toBe('not-found')
    value(await api.changeStatus({ slug: 'right-slug', versions: ['1.0.0'], status: 'released' }))
    expect(failure(await api.setPlugin({ slug: 'right-slug', newSlug: 'third' })).message).toContain('was released already')
  })
})

describe('the rules that keep mistakes from being made', () => {
  it('takes the slug of a folder named src from the main file, or its Text Domain; one source is one plugin', async () => {
    const name = `u${++counter}`
    const api = local(name)
    const src = await writePluginFolder(path.join(temp.dir, name, 'checkout', 'src'), {}, 'my-widget')
    expect(value(await api.addPlugin({ sourceDir: src }))).toMatchObject({ slug: 'my-widget', main_file: 'my-widget.php' })
    const again = failure(await api.addPlugin({ sourceDir: path.join(src, '.') }))
    expect(again).toMatchObject({ kind: 'already-exists', message: expect.stringContaining('already the source of plugin "my-widget"') })
    expect(failure(await api.addPlugin({ sourceDir: src, slug: 'another-name' })).kind).toBe('already-exists')

    const trunk = path.join(temp.dir, name, 'svn', 'trunk')
    await mkdir(trunk, { recursive: true })
    await writeFile(
      path.join(trunk, 'plugin.php'),
      mainFileText({ extra: '' }).replace(' * Version:', ' * Text Domain: shop-tools\n * Version:')
    )
    expect(value(await api.addPlugin({ sourceDir: trunk }))).toMatchObject({ slug: 'shop-tools', main_file: 'plugin.php' })

    const build = path.join(temp.dir, name, 'x', 'build')
    await mkdir(build, { recursive: true })
    await writeFile(path.join(build, 'index.php'), mainFileText())
    const unnamed = failure(await api.addPlugin({ sourceDir: build }))
    expect(unnamed).toMatchObject({ kind: 'usage', hint: expect.stringContaining('--slug') })
    expect(unnamed.message).toContain('The folder is named "build"')
  })

  it("starts the first version from the source header's version, and refuses a lower first version", async () => {
    const name = `u${++counter}`
    const api = local(name)
    value(await api.addPlugin({ sourceDir: await pluginSource(path.join(temp.dir, name, 'akismet'), 'akismet', '5.0.2') }))
    expect(value(await api.suggestNextVersions({ slug: 'akismet' }))).toEqual({
      latest: null,
      patch: '5.0.2',
      minor: '5.0.2',
      major: '5.0.2'
    })
    const lower = failure(await api.addVersion({ slug: 'akismet', version: '1.0.0', changelog: 'x' }))
    expect(lower).toMatchObject({
      kind: 'version-not-higher',
      message: expect.stringContaining('lower than 5.0.2, the version in the source')
    })
    value(await api.addVersion({ slug: 'akismet', version: '5.0.3', changelog: 'x' }))
    expect(value(await api.suggestNextVersions({ slug: 'akismet' })).patch).toBe('5.0.4')
    // A source that cannot be read suggests what it always did.
    await rename(path.join(temp.dir, name, 'akismet'), path.join(temp.dir, name, 'moved'))
    value(await api.removeVersion({ slug: 'akismet', version: '5.0.3' }))
    expect(value(await api.suggestNextVersions({ slug: 'akismet' })).patch).toBe('1.0.0')
    expect(await readdir(path.join(temp.dir, name))).toContain('moved')
  })
})
