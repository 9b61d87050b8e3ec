import path from 'node:path'
import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiHandle } from '../../src-main/api.js'
import { createApi } from '../../src-main/api.js'
import type { Result } from '../../src-preload/api.js'
import { mainFileText, makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'
import type { UpdateServer } from '../support/update-server.js'
import { startUpdateServer } from '../support/update-server.js'
import { EventRelay, bindApi } from './support/api-bridge.js'
import { launchChromium } from './support/browser.js'
import { buildRenderer } from './support/build-renderer.js'
import type { StaticServer } from './support/static-server.js'
import { serveStatic } from './support/static-server.js'

// The team screens walked in Chromium against the real API and a real sshd + nginx: the window is
// workstation B; workstation A (another release manager, or CI) is a second API over its own data folder,
// publishing to the same server. Each `it` builds on the previous one.

const SLUG = 'hello-wprm'
const DRAFT = 'draft-only'
const WAIT = 20_000

interface Manifest {
  readonly version: string
  readonly manifest_version: number
  readonly sections: { readonly changelog: string }
}

let temp: { dir: string; cleanup: () => Promise<void> }
let sourceDir: string
let draftDir: string
let updateServer: UpdateServer
let web: StaticServer
/** Workstation A: outside the window. */
let apiA: ApiHandle
/** Workstation B: the window's. */
let api: ApiHandle
let browser: Browser
let page: Page
const pageErrors: string[] = []

async function see(locator: Locator, timeout = WAIT): Promise<Locator> {
  await locator.waitFor({ state: 'visible', timeout })
  return locator
}

function nav(name: string): Locator {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name, exact: true })
}

/** The value of a Result, or a failure naming the error (set-up steps of workstation A must work). */
function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.kind}: ${result.error.message}`)
  return result.value
}

/** The manifest sites read for `slug`, over HTTP from nginx. */
async function manifestOf(slug: string): Promise<Manifest | null> {
  const response = await fetch(`${updateServer.nginx.baseUrl}prod/${slug}/info.json`)
  return response.status === 200 ? ((await response.json()) as Manifest) : null
}

function pluginRow(name: string): Locator {
  return page
    .getByRole('table', { name: 'Plugins' })
    .getByRole('row')
    .filter({ has: page.getByRole('button', { name: `Open ${name}`, exact: true }) })
}

function versionRow(version: string): Locator {
  return page
    .getByRole('table', { name: 'Versions of this plugin' })
    .getByRole('row')
    .filter({ has: page.getByRole('checkbox', { name: `Select ${version}`, exact: true }) })
}

beforeAll(async () => {
  temp = await makeTempDir('wprm-e2e-team-')
  sourceDir = await writePluginFolder(path.join(temp.dir, 'src', SLUG))
  draftDir = await writePluginFolder(
    path.join(temp.dir, 'src', DRAFT),
    { [`${DRAFT}.php`]: mainFileText({ name: 'Draft Only', constant: 'DRAFT_ONLY_VERSION' }) },
    DRAFT
  )
  const [server] = await Promise.all([startUpdateServer(), buildRenderer(path.join(temp.dir, 'renderer'))])
  updateServer = server
  web = await serveStatic(path.join(temp.dir, 'renderer'))
  // Workstation A publishes 1.0.0 before B exists.
  apiA = createApi({ dataDir: path.join(temp.dir, 'data-a') })
  value(await apiA.addServer(await updateServer.profile('prod')))
  value(await apiA.addPlugin({ sourceDir, server: 'prod' }))
  value(await apiA.addVersion({ slug: SLUG, version: '1.0.0', changelog: 'First release.', status: 'released' }))
  const relay = new EventRelay()
  api = createApi({ dataDir: path.join(temp.dir, 'data-b'), onEvent: relay.onEvent, watchSources: true })
  // B knows the server (adding it through the window is release-walk's); nothing of the plugin.
  value(await api.addServer(await updateServer.profile('prod')))
  browser = await launchChromium()
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', timezoneId: 'UTC' })
  page = await context.newPage()
  page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`)
  })
  await bindApi(page, api, relay)
  await page.goto(web.url)
})

afterAll(async () => {
  const steps: (() => Promise<unknown> | undefined)[] = [
    () => browser?.close(),
    () => api?.close(),
    () => apiA?.close(),
    () => web?.close(),
    () => updateServer?.stop(),
    () => temp?.cleanup()
  ]
  for (const step of steps) await Promise.resolve(step()).catch(() => undefined)
})

describe('the team screens: the update server is the shared truth', () => {
  it('imports a plugin another workstation publishes, from a known server, with the source folder it has here', async () => {
    await see(page.getByText('No plugins yet'))
    const form = page.getByRole('form', { name: 'Import from a server' })
    await expect.poll(() => form.getByLabel('Server').inputValue()).toBe('prod')
    await form.getByLabel('Slug').fill(SLUG)
    await form.getByLabel('Source (optional)').fill(sourceDir)
    await form.getByRole('button', { name: 'Import plugin' }).click()
    const row = await see(pluginRow('Hello WPRM'))
    // The versions were pulled: 1.0.0 is live here too, on prod.
    await expect.poll(() => row.textContent()).toMatch(/1\.0\.0Released.*prod/)
    expect(await form.getByLabel('Slug').inputValue()).toBe('')
  })

  it('edits a published changelog: says beforehand that saving publishes, then publishes it at once', async () => {
    await page.getByRole('button', { name: 'Open Hello WPRM' }).click()
    await see(page.getByRole('heading', { name: 'Hello WPRM', level: 1 }))
    const edit = versionRow('1.0.0').getByRole('button', { name: 'Edit changelog of 1.0.0' })
    // By keyboard: the editor takes the focus, Escape closes it and gives the focus back.
    await edit.focus()
    await page.keyboard.press('Enter')
    const editor = await see(page.getByRole('form', { name: 'Changelog of 1.0.0' }))
    await expect.poll(() => page.evaluate('document.activeElement?.tagName')).toBe('TEXTAREA')
    await page.keyboard.press('Escape')
    await editor.waitFor({ state: 'detached', timeout: WAIT })
    await expect.poll(() => page.evaluate("document.activeElement?.getAttribute('aria-label')")).toBe('Edit changelog of 1.0.0')

    await edit.click()
    await see(editor.getByRole('note').filter({ hasText: 'saving publishes the manifest on prod at once' }))
    await editor.getByLabel('Changelog of 1.0.0').fill('First release: a friendly greeting.')
    await editor.getByRole('button', { name: 'Save and publish' }).click()
    await see(page.getByRole('status').filter({ hasText: 'Changelog of 1.0.0 published: manifest #2 is live on prod.' }))
    expect((await manifestOf(SLUG))?.sections.changelog).toContain('First release: a friendly greeting.')
    expect(await versionRow('1.0.0').textContent()).toContain('First release: a friendly greeting.')
  })

  it('a publish refused because another workstation published meanwhile shows the core\'s words and offers "Pull from server"', async () => {
    value(await apiA.pull({ slugs: [SLUG] }))
    value(await apiA.addVersion({ slug: SLUG, version: '1.1.0', changelog: 'A greeting function.', status: 'released' }))
    const before = await manifestOf(SLUG)
    expect(before?.manifest_version).toBe(3)

    await versionRow('1.0.0').getByRole('button', { name: 'Edit changelog of 1.0.0' }).click()
    const editor = await see(page.getByRole('form', { name: 'Changelog of 1.0.0' }))
    await editor.getByLabel('Changelog of 1.0.0').fill('First release: a friendly greeting, in English.')
    await editor.getByRole('button', { name: 'Save and publish' }).click()
    const refusal = await see(editor.getByRole('alert'))
    expect(await refusal.textContent()).toMatch(
      /The changelog was not saved.*has manifest #3 of hello-wprm.*newer than #2.*Nothing was changed\./
    )
    expect((await manifestOf(SLUG))?.manifest_version).toBe(3)

    const ahead = await see(page.getByRole('alert', { name: 'The server is ahead' }))
    await ahead.getByRole('button', { name: 'Pull from server' }).click()
    await see(page.getByRole('status').filter({ hasText: 'Took in manifest #3 from prod: added 1.1.0.' }))
    await see(versionRow('1.1.0'))
    expect(await versionRow('1.1.0').textContent()).toContain('Released')
    // Caught up, the same save goes through.
    await editor.getByRole('button', { name: 'Save and publish' }).click()
    await see(page.getByRole('status').filter({ hasText: 'Changelog of 1.0.0 published: manifest #4 is live on prod.' }))
    expect((await manifestOf(SLUG))?.sections.changelog).toContain('in English.')
  })

  it('changes the slug of a plugin before its first release, and offers no such change once it is released', async () => {
    expect(await page.getByRole('form', { name: 'Plugin slug' }).count()).toBe(0)
    await nav('Plugins').click()
    const add = page.getByRole('form', { name: 'Add a plugin' })
    await add.getByLabel('Source folder').fill(draftDir)
    await add.getByRole('button', { name: 'Add plugin' }).click()
    await page.getByRole('button', { name: 'Open Draft Only' }).click()
    await see(page.getByRole('heading', { name: 'Draft Only', level: 1 }))
    const form = await see(page.getByRole('form', { name: 'Plugin slug' }))
    await form.getByLabel('Slug').fill('draft-renamed')
    await form.getByRole('button', { name: 'Change slug' }).click()
    await see(page.locator('.page-header').getByText('draft-renamed', { exact: true }))
    expect(await form.getByLabel('Slug').inputValue()).toBe('draft-renamed')
    expect(value(await api.getPlugin({ slug: 'draft-renamed' })).plugin.name).toBe('Draft Only')
  })

  it("removes plugins from this workstation: says what happens, keeps what the server offers, and shows the core's refusal as it words it", async () => {
    await nav('Plugins').click()
    await pluginRow('Draft Only').getByRole('button', { name: 'Remove Draft Only' }).click()
    let confirm = await see(page.getByRole('alertdialog', { name: 'Remove Draft Only from this workstation?' }))
    expect(await confirm.textContent()).toContain('No server offers it to sites')
    // Meanwhile, on this workstation's command line, the plugin goes live on prod: the window does not know.
    value(await api.setPlugin({ slug: 'draft-renamed', server: 'prod' }))
    value(await api.addVersion({ slug: 'draft-renamed', version: '1.0.0', changelog: 'First.', status: 'released' }))
    await confirm.getByRole('button', { name: 'Remove Draft Only' }).click()
    const refusal = await see(page.getByRole('alert').filter({ hasText: 'The plugin was not removed' }))
    expect(await refusal.textContent()).toContain(
      'draft-renamed has live versions on prod (1.0.0 is offered to sites); removing it here would leave nobody in charge of them.'
    )
    await see(pluginRow('Draft Only'))

    // Read again, the confirmation now says that the server keeps offering it.
    await pluginRow('Draft Only').getByRole('button', { name: 'Remove Draft Only' }).click()
    confirm = await see(page.getByRole('alertdialog', { name: 'Remove Draft Only from this workstation?' }))
    expect(await confirm.textContent()).toContain('prod keeps offering 1.0.0')
    await confirm.getByRole('button', { name: 'Remove Draft Only' }).click()
    await pluginRow('Draft Only').waitFor({ state: 'detached', timeout: WAIT })
    expect((await manifestOf('draft-renamed'))?.version).toBe('1.0.0')

    await pluginRow('Hello WPRM').getByRole('button', { name: 'Remove Hello WPRM' }).click()
    confirm = await see(page.getByRole('alertdialog', { name: 'Remove Hello WPRM from this workstation?' }))
    const text = (await confirm.textContent()) ?? ''
    expect(text).toContain('The activity log keeps its history, and its ZIPs stay in')
    expect(text).toContain('prod keeps offering 1.1.0. To bring it back, import it from prod')
    await confirm.getByRole('button', { name: 'Remove Hello WPRM' }).click()
    await see(page.getByText('No plugins yet'))
    expect((await manifestOf(SLUG))?.version).toBe('1.1.0')

    // Brought back as the confirmation said: imported from prod, every version with it.
    const form = page.getByRole('form', { name: 'Import from a server' })
    await form.getByLabel('Slug').fill(SLUG)
    await form.getByRole('button', { name: 'Import plugin' }).click()
    await see(pluginRow('Hello WPRM').getByText('1.1.0', { exact: true }))
    expect(pageErrors).toEqual([])
  })
})
