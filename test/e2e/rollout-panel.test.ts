import path from 'node:path'
import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiHandle } from '../../src-main/api.js'
import { createApi } from '../../src-main/api.js'
import type { Result } from '../../src-preload/api.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'
import type { UpdateServer } from '../support/update-server.js'
import { startUpdateServer } from '../support/update-server.js'
import { EventRelay, bindApi } from './support/api-bridge.js'
import { launchChromium } from './support/browser.js'
import { buildRenderer } from './support/build-renderer.js'
import type { StaticServer } from './support/static-server.js'
import { serveStatic } from './support/static-server.js'

// The Rollout panel of the Releases screen in Debian's Chromium, against the real API, a real sshd + nginx
// and the manifest sites read: a draft rolled out at 10 %, released, advanced, halted, resumed and scheduled;
// the versions table shows each version's channel. The plugin and server are set up through the API (the
// release walk covers those screens); every rollout change is made with the panel.

const SLUG = 'hello-wprm'
const WAIT = 20_000

interface ManifestEntry {
  readonly version: string
  readonly channel: string
  readonly rollout: { readonly steps: readonly { percent: number; at: string }[]; readonly halted_at: string | null } | null
}

let temp: { dir: string; cleanup: () => Promise<void> }
let updateServer: UpdateServer
let web: StaticServer
let api: ApiHandle
let browser: Browser
let page: Page
const pageErrors: string[] = []

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.kind}: ${result.error.message}`)
  return result.value
}

async function see(locator: Locator, timeout = WAIT): Promise<Locator> {
  await locator.waitFor({ state: 'visible', timeout })
  return locator
}

/** The manifest sites read, over HTTP from nginx: its stable offer and the entry of `version`. */
async function published(version: string): Promise<{ stable: string; entry: ManifestEntry | undefined }> {
  const manifest = (await (await fetch(`${updateServer.nginx.baseUrl}prod/${SLUG}/info.json`)).json()) as {
    version: string
    versions: ManifestEntry[]
  }
  return { stable: manifest.version, entry: manifest.versions.find((v) => v.version === version) }
}

beforeAll(async () => {
  temp = await makeTempDir('wprm-e2e-rollout-')
  const sourceDir = await writePluginFolder(path.join(temp.dir, 'src', SLUG))
  const [server] = await Promise.all([startUpdateServer(), buildRenderer(path.join(temp.dir, 'renderer'))])
  updateServer = server
  web = await serveStatic(path.join(temp.dir, 'renderer'))
  const relay = new EventRelay()
  api = createApi({ dataDir: path.join(temp.dir, 'data'), onEvent: relay.onEvent })
  value(await api.addServer(await updateServer.profile('prod')))
  value(await api.addPlugin({ sourceDir, server: 'prod' }))
  value(await api.addVersion({ slug: SLUG, version: '1.0.0', changelog: 'First.', status: 'released' }))
  value(await api.addVersion({ slug: SLUG, version: '1.1.0-beta.1', changelog: 'Try it.', status: 'released' }))
  value(await api.addVersion({ slug: SLUG, version: '1.1.0', changelog: 'The new grid.' }))
  browser = await launchChromium()
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'UTC' })
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
    () => web?.close(),
    () => updateServer?.stop(),
    () => temp?.cleanup()
  ]
  for (const step of steps) await Promise.resolve(step()).catch(() => undefined)
})

/** The panel's line about the chosen version's rollout. */
function state(version: string): Locator {
  return page.getByRole('region', { name: 'Rollout' }).getByRole('status', { name: `Rollout of ${version}` })
}

describe('the Rollout panel', () => {
  it('shows the channel of each version in the table, and offers the draft for a rollout', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Releases', exact: true }).click()
    await see(page.getByRole('heading', { name: 'Hello WPRM', level: 1 }))
    const table = page.getByRole('table', { name: 'Versions of this plugin' })
    const row = (v: string): Locator =>
      table.getByRole('row').filter({ has: page.getByRole('checkbox', { name: `Select ${v}`, exact: true }) })
    await see(row('1.1.0-beta.1').getByText('Beta', { exact: true }))
    await see(row('1.0.0').getByText('Stable', { exact: true }))
    await see(state('1.1.0').filter({ hasText: '100 % (no rollout)' }))
  })

  it('refuses a fraction in its own words, then rolls the draft out at 10 % from its release', async () => {
    const panel = page.getByRole('region', { name: 'Rollout' })
    const form = panel.getByRole('form', { name: 'Set the rollout percentage' })
    await form.getByLabel('Share of sites (%)').fill('0.1')
    await form.getByRole('button', { name: 'Set percentage' }).click()
    await see(panel.getByText(/is not a whole percent/))
    await see(panel.getByText(/that is 10 %: write 10/))
    await form.getByLabel('Share of sites (%)').fill('10')
    await form.getByRole('button', { name: 'Set percentage' }).click()
    await see(state('1.1.0').filter({ hasText: '10 % (starts when it is released)' }))
    value(await api.changeStatus({ slug: SLUG, versions: ['1.1.0'], status: 'released' }))
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Plugins', exact: true }).click()
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Releases', exact: true }).click()
    await see(state('1.1.0').filter({ hasText: /^1\.1\.0: 10 %$/ }))
    const { stable, entry } = await published('1.1.0')
    expect(stable).toBe('1.0.0')
    expect(entry?.rollout?.steps.map((s) => s.percent)).toEqual([10])
  })

  it('advances, halts and resumes; each change is published to the manifest sites read', async () => {
    const panel = page.getByRole('region', { name: 'Rollout' })
    await panel.getByRole('button', { name: 'Advance to 25 %' }).click()
    await see(state('1.1.0').filter({ hasText: /^1\.1\.0: 25 %$/ }))
    expect((await published('1.1.0')).entry?.rollout?.steps.map((s) => s.percent)).toEqual([25])
    await panel.getByRole('button', { name: 'Halt', exact: true }).click()
    await see(state('1.1.0').filter({ hasText: 'halted at 25 %' }))
    expect((await published('1.1.0')).entry?.rollout?.halted_at).toEqual(expect.any(String))
    await panel.getByRole('button', { name: 'Resume', exact: true }).click()
    await see(state('1.1.0').filter({ hasText: /^1\.1\.0: 25 %$/ }))
    expect((await published('1.1.0')).entry?.rollout?.halted_at).toBeNull()
  })

  it('sets a schedule that sites follow by the clock, and shows its steps', async () => {
    const panel = page.getByRole('region', { name: 'Rollout' })
    const form = panel.getByRole('form', { name: 'Set a rollout schedule' })
    await form.getByLabel('Schedule').fill('25%@0h,50%@24h,100%@72h')
    await form.getByRole('button', { name: 'Set schedule' }).click()
    await see(state('1.1.0').filter({ hasText: /^1\.1\.0: 25 %, 50 % at / }))
    expect(await panel.getByRole('list', { name: 'Schedule' }).getByRole('listitem').count()).toBe(3)
    const { stable, entry } = await published('1.1.0')
    expect(stable).toBe('1.0.0')
    expect(entry?.rollout?.steps.map((s) => s.percent)).toEqual([25, 50, 100])
    const [first, , last] = entry!.rollout!.steps
    expect(Date.parse(last!.at) - Date.parse(first!.at)).toBe(72 * 3_600_000)
  })

  it('adds a stepping stone from the new-version form, and the table marks it', async () => {
    await page.getByRole('button', { name: 'New version' }).click()
    const form = await see(page.getByRole('form', { name: 'New version' }))
    await form.getByLabel('Version', { exact: true }).fill('1.2.0')
    await form.getByLabel('Changelog').fill('Migrates the settings table.')
    await form.getByText('Filled for you').click()
    await see(form.getByText('Stable: offered to every site'))
    await form.getByRole('checkbox', { name: /Sites below it get this version first/ }).check()
    await form.getByRole('button', { name: 'Save draft' }).click()
    const row = page
      .getByRole('table', { name: 'Versions of this plugin' })
      .getByRole('row')
      .filter({ has: page.getByRole('checkbox', { name: 'Select 1.2.0', exact: true }) })
    await see(row.getByText('Stepping stone', { exact: true }))
    const stored = value(await api.getVersion({ slug: SLUG, version: '1.2.0' }))
    expect(stored.required).toBe(true)
    expect(pageErrors).toEqual([])
  })
})
