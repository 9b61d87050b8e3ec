import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiHandle } from '../../src-main/api.js'
import { createApi } from '../../src-main/api.js'
import { KEEP_SESSION_MS } from '../../src-main/core/remote/session-pool.js'
import { createAesCipher } from '../../src-main/core/remote/secret-vault.js'
import type { AddSftpServerInput, Result } from '../../src-preload/api.js'
import { inRolloutShare, siteBucket } from '../../src-shared/rollout.js'
import { mainFileText, makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'
import { siteHash } from '../support/access-log.js'
import type { ObjectStoreServer } from '../support/object-store.js'
import { startObjectStore } from '../support/object-store.js'
import type { UpdateServer } from '../support/update-server.js'
import { startUpdateServer } from '../support/update-server.js'
import { EventRelay } from './support/api-bridge.js'
import { launchChromium, openAppPage, stopAll } from './support/browser.js'
import { buildRenderer } from './support/build-renderer.js'
import type { StaticServer } from './support/static-server.js'
import { serveStatic } from './support/static-server.js'

// The desktop screens walked as a release manager would, by role and name, against the real API, a real
// sshd + nginx update server and Debian's Chromium. Each `it` is one step and builds on the previous one.

// Screenshots are taken on every run (they exercise the rendering); they replace docs/screenshots only
// with UPDATE_SCREENSHOTS=1, so a test run never leaves the working tree changed.
const DOCS_SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
let screenshots: string
const SLUG = 'hello-wprm'
const WAIT = 20_000

interface Manifest {
  readonly version: string
  readonly manifest_version: number
  readonly revoked: readonly string[]
  readonly force_update: boolean
  readonly autoupdate: boolean
  readonly upgrade_notice: string
}

let temp: { dir: string; cleanup: () => Promise<void> }
let sourceDir: string
let updateServer: UpdateServer
let rgw: ObjectStoreServer
let web: StaticServer
let api: ApiHandle
let relay: EventRelay
let browser: Browser
let context: BrowserContext
let page: Page
let pageErrors: string[] = []

/** Waits until the element is visible (Playwright's auto-waiting, without @playwright/test). */
async function see(locator: Locator, timeout = WAIT): Promise<Locator> {
  await locator.waitFor({ state: 'visible', timeout })
  return locator
}

/** A button of the left navigation. */
function nav(name: string): Locator {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name, exact: true })
}

/** Saves a 1280×800 screenshot of the window as <name>.png (docs/screenshots/ with UPDATE_SCREENSHOTS=1). */
async function shot(name: string): Promise<void> {
  // Let the last state change paint (and the spinner settle) before the picture.
  await page.waitForTimeout(150)
  await page.screenshot({ path: path.join(screenshots, `${name}.png`) })
}

/** The manifest sites read, over HTTP from nginx. */
async function manifestOf(serverName: string): Promise<{ status: number; manifest: Manifest | null }> {
  const response = await fetch(`${updateServer.nginx.baseUrl}${serverName}/${SLUG}/info.json`)
  return { status: response.status, manifest: response.status === 200 ? ((await response.json()) as Manifest) : null }
}

/**
 * Records a value in the page every 10 ms while an action runs, to prove it moved through intermediate
 * states (progress, checks) rather than jumping to the end.
 */
async function startSampling(expression: string): Promise<void> {
  await page.evaluate(`(() => {
    globalThis.__samples = []
    clearInterval(globalThis.__sampler)
    globalThis.__sampler = setInterval(() => globalThis.__samples.push(${expression}), 10)
  })()`)
}

async function stopSampling(): Promise<number[]> {
  return (await page.evaluate('(() => { clearInterval(globalThis.__sampler); return globalThis.__samples })()')) as number[]
}

/** Fills the "Add a server" form from a test server profile (the key is always a key file here). */
async function fillServerForm(profile: AddSftpServerInput): Promise<void> {
  const form = page.getByRole('form', { name: 'Add a server' })
  await form.getByLabel('Name', { exact: true }).fill(profile.name)
  await form.getByLabel('Host', { exact: true }).fill(profile.host)
  await form.getByLabel('Port', { exact: true }).fill(String(profile.port))
  await form.getByLabel('User', { exact: true }).fill(profile.user)
  if (profile.auth.kind !== 'key') throw new Error('the walk adds key-file servers only')
  await form.getByLabel('Private key file', { exact: true }).fill(profile.auth.key_path)
  await form.getByLabel('Remote folder', { exact: true }).fill(profile.remoteRoot)
  await form.getByLabel('Public URL', { exact: true }).fill(profile.publicUrl)
}

/** Adds a server through its first contact: the host key is shown, checked and accepted. */
async function addServerAcceptingKey(profile: AddSftpServerInput, screenshot?: string): Promise<Locator> {
  await nav('Servers').click()
  await fillServerForm(profile)
  await page.getByRole('button', { name: 'Add server', exact: true }).click()
  const prompt = await see(page.getByRole('alertdialog', { name: 'Accept this host key?' }))
  expect(await prompt.getByLabel('Host key fingerprint').textContent()).toBe(updateServer.sshd.hostKeyFingerprint)
  if (screenshot !== undefined) await shot(screenshot)
  await prompt.getByRole('button', { name: 'Accept this key' }).click()
  return see(page.getByRole('region', { name: `Server ${profile.name}` }))
}

/** Opens the plugin's page (Releases). */
async function openReleases(): Promise<void> {
  await nav('Releases').click()
  await see(page.getByRole('heading', { name: 'Hello WPRM', level: 1 }))
}

/** Chooses the plugin's update server on its page and saves. */
async function setPluginServer(name: string): Promise<void> {
  await openReleases()
  const form = page.getByRole('form', { name: 'Publishing settings' })
  await form.getByLabel('Update server').selectOption(name)
  await form.getByRole('button', { name: 'Save publishing settings' }).click()
  await see(form.getByRole('status').filter({ hasText: 'Saved' }))
  await see(page.getByText(`Server ${name}`, { exact: true }))
}

/** The status badge text of one row of the versions table. */
async function statusOf(version: string): Promise<string> {
  const row = page
    .getByRole('table', { name: 'Versions of this plugin' })
    .getByRole('row')
    .filter({ has: page.getByRole('checkbox', { name: `Select ${version}`, exact: true }) })
  return (await row.getByRole('cell').nth(2).textContent()) ?? ''
}

/** Waits for a release run to end, then returns its panel. */
async function finishedRun(title: string): Promise<Locator> {
  const panel = await see(page.getByRole('region', { name: `${title} progress` }))
  await see(panel.getByRole('status').filter({ hasText: /^(Done|Failed|Published, with failing checks)$/ }), 45_000)
  return panel
}

beforeAll(async () => {
  temp = await makeTempDir('wprm-e2e-')
  sourceDir = await writePluginFolder(path.join(temp.dir, 'src', SLUG))
  screenshots = process.env.UPDATE_SCREENSHOTS === '1' ? DOCS_SCREENSHOTS : path.join(temp.dir, 'screenshots')
  await mkdir(screenshots, { recursive: true })
  // The servers and the build are independent: start them together.
  const [server, store] = await Promise.all([
    startUpdateServer(),
    startObjectStore({ bucket: 'updates' }),
    buildRenderer(path.join(temp.dir, 'renderer'))
  ])
  updateServer = server
  rgw = store
  await rgw.allowPublicRead()
  web = await serveStatic(path.join(temp.dir, 'renderer'))
  relay = new EventRelay()
  // As the app makes it (src-main/index.ts): the checklist after a publish uses the publish's connection.
  api = createApi({
    dataDir: path.join(temp.dir, 'data'),
    onEvent: relay.onEvent,
    watchSources: true,
    keepSessionsMs: KEEP_SESSION_MS,
    cipher: createAesCipher()
  })
  browser = await launchChromium()
  ;({
    context,
    page,
    errors: pageErrors
  } = await openAppPage(browser, web.url, api, relay, { colorScheme: 'light', acceptDownloads: true }))
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: web.url.replace(/\/$/, '') })
})

afterAll(() =>
  stopAll([
    () => browser?.close(),
    () => api?.close(),
    () => web?.close(),
    () => updateServer?.stop(),
    () => rgw?.stop(),
    () => temp?.cleanup()
  ])
)

describe('the desktop screens, walked by a release manager', () => {
  it('starts empty, says what to do first, and is reachable by keyboard', async () => {
    await see(page.getByRole('heading', { name: 'Plugins', level: 1 }))
    await see(page.getByText('No plugins yet'))
    await nav('Servers').focus()
    await page.keyboard.press('Enter')
    await see(page.getByRole('heading', { name: 'Servers', level: 1 }))
    await see(page.getByText('No update server yet'))
  })

  it('adds the update server: the host key is shown on first contact and accepted, then the connection tested', async () => {
    const card = await addServerAcceptingKey(await updateServer.profile('prod', { acceptHostKey: undefined }), 'servers-host-key')
    await card.getByRole('button', { name: 'Test connection' }).click()
    await see(card.getByText('Connection works'))
    const checks = card.getByRole('list', { name: 'Connection test of prod' })
    expect(await checks.getByRole('img', { name: 'passed' }).count()).toBe(3)
    // The pinned key is on the card (and in the login check's detail).
    expect(await card.getByText(updateServer.sshd.hostKeyFingerprint).count()).toBeGreaterThan(0)
  })

  it('adds a plugin by typing its folder: the core reads slug and name from the header', async () => {
    await nav('Plugins').click()
    await page.getByLabel('Source folder').fill(sourceDir)
    await page.getByRole('button', { name: 'Add plugin' }).click()
    const table = await see(page.getByRole('table', { name: 'Plugins' }))
    await see(table.getByRole('button', { name: 'Open Hello WPRM' }))
    const row = table.getByRole('row').filter({ hasText: SLUG })
    await see(row.getByText('1.0.0', { exact: true }))
    expect(await row.textContent()).toContain('No versions')
  })

  it('releases 1.0.0 from the three fields, showing the progress and ending with every check passed', async () => {
    await page.getByRole('button', { name: 'Open Hello WPRM' }).click()
    await see(page.getByRole('heading', { name: 'Hello WPRM', level: 1 }))
    await see(page.getByText('No versions yet'))
    await setPluginServer('prod')

    // A log file left in the folder: the form shows what the ZIP would hold, and that the build would stop.
    await writeFile(path.join(sourceDir, 'debug.log'), 'PHP Notice: undefined index')
    await page.getByRole('button', { name: 'New version' }).click()
    const form = await see(page.getByRole('form', { name: 'New version' }))
    const version = form.getByLabel('Version', { exact: true })
    await expect.poll(() => version.inputValue()).toBe('1.0.0')
    // The form says what addVersion would refuse, in the same words, before anything is sent.
    await version.fill('1.2')
    await see(form.getByText('"1.2" is not a valid version: it needs three parts. Write all three parts, for example 1.2.0 for "1.2".'))
    await version.fill('1.0.0')
    await expect.poll(() => form.getByText('is not a valid version').count()).toBe(0)
    const files = await see(form.getByRole('region', { name: `Files of ${SLUG} 1.0.0` }))
    await see(files.getByText(/What goes into the ZIP: 3 files, .* no earlier release to compare with/))
    const flagged = await see(files.getByRole('alert'))
    expect(await flagged.getByRole('list', { name: 'Flagged files' }).textContent()).toContain('debug.log — log file')
    expect(await flagged.textContent()).toContain('Leave them out with lines in .distignore (/debug.log)')
    // Removed from the folder: the watcher's event lists the files again, and nothing is flagged.
    await rm(path.join(sourceDir, 'debug.log'))
    await files.getByRole('alert').waitFor({ state: 'detached', timeout: WAIT })
    await see(files.getByText(/What goes into the ZIP: 2 files/))
    await form.getByLabel('Changelog').fill('First release: a friendly greeting.')
    expect(await form.getByLabel('Status').inputValue()).toBe('draft')
    await form.getByLabel('Status').selectOption('released')
    await form.getByText('Filled for you').click()
    await see(form.getByText('7.4 (from the plugin header)'))
    await see(form.getByText('6.0 (from the plugin header)'))
    await see(form.getByText('10000', { exact: true }))
    await shot('new-version')

    await startSampling(`Number(document.querySelector('progress[aria-label="Release progress"]')?.value ?? -1)`)
    await form.getByRole('button', { name: 'Release', exact: true }).click()
    const run = await finishedRun('Release 1.0.0')
    const samples = await stopSampling()
    expect(await run.getByRole('status').first().textContent()).toBe('Done')
    // The bar moved through the phases rather than jumping from nothing to done.
    expect(samples.some((value) => value > 0 && value < 100)).toBe(true)
    expect(relay.sent.some((e) => e.name === 'progress' && (e.payload as { phase: string }).phase === 'upload')).toBe(true)
    for (const phase of ['Scan', 'Zip', 'Hash', 'Upload', 'Manifest', 'Verify']) {
      await see(run.getByRole('listitem').filter({ hasText: phase }).first())
    }
    await see(run.getByText('All 11 checks passed'))
    // All green: the checks are folded so the table stays in view, and one click away.
    await run.getByText('Show the 11 checks').click()
    expect(await run.getByRole('list', { name: 'Verification of 1.0.0' }).getByRole('img', { name: 'passed' }).count()).toBe(11)
    expect(await statusOf('1.0.0')).toContain('Released')
    expect((await manifestOf('prod')).manifest?.version).toBe('1.0.0')
  })

  it('verifies the latest version check by check, then copies and saves the report', async () => {
    await nav('Verify').click()
    await see(page.getByRole('heading', { name: 'Verify', level: 1 }))
    expect(await page.getByLabel('Version to check').inputValue()).toBe('')
    await startSampling(`document.querySelectorAll('[aria-label="Checklist"] [role="img"]').length`)
    await page.getByRole('button', { name: 'Run checklist' }).click()
    const result = page.getByRole('region', { name: 'Verification result' })
    await see(result.getByText('All 11 checks passed'))
    const samples = await stopSampling()
    // Checks appeared one by one as they finished, not all at once at the end.
    expect(samples.some((count) => count > 0 && count < 8)).toBe(true)
    await see(result.getByRole('heading', { name: `${SLUG} 1.0.0` }))

    await result.getByRole('button', { name: 'Copy report' }).click()
    await see(result.getByRole('status').filter({ hasText: /Copied as Markdown|clipboard is not available/ }))
    const copied = (await page.evaluate('navigator.clipboard.readText().catch(() => "")')) as string
    if (copied !== '') expect(copied).toContain(`# Verification of ${SLUG} 1.0.0`)

    const [download] = await Promise.all([page.waitForEvent('download'), result.getByRole('link', { name: 'Save JSON' }).click()])
    expect(download.suggestedFilename()).toBe(`${SLUG}-1.0.0-verification.json`)
    const report = JSON.parse(await readFile((await download.path())!, 'utf8')) as { ok: boolean; checks: unknown[] }
    expect(report.ok).toBe(true)
    expect(report.checks).toHaveLength(11)
    const [markdown] = await Promise.all([page.waitForEvent('download'), result.getByRole('link', { name: 'Save Markdown' }).click()])
    expect(await readFile((await markdown.path())!, 'utf8')).toContain('**All checks passed**')
    await shot('verify')
  })

  it('shows a source change since the last build, warns about a lower source version and writes the version back', async () => {
    await openReleases()
    const source = page.getByRole('region', { name: 'Source' })
    expect(await source.getByText('Changed since last build').count()).toBe(0)
    await mkdir(path.join(sourceDir, 'includes'), { recursive: true })
    await writeFile(path.join(sourceDir, 'includes', 'greeting.php'), "<?php\nfunction hello_wprm_greeting() { return 'Hello'; }\n")
    await see(source.getByText('Changed since last build'))
    await source.getByText(/files? changed since 1\.0\.0/).click()
    await see(source.getByText('includes/greeting.php'))

    await writeFile(path.join(sourceDir, `${SLUG}.php`), mainFileText({ version: '0.9.0' }))
    const warnings = await see(source.getByRole('list', { name: 'Source warnings' }))
    await see(warnings.getByText(/lower than the latest release 1\.0\.0/))
    expect(await source.getByLabel('Header version').textContent()).toBe('0.9.0')
    await source.scrollIntoViewIfNeeded()
    await shot('source-watch')

    await nav('Plugins').click()
    const row = page.getByRole('table', { name: 'Plugins' }).getByRole('row').filter({ hasText: SLUG })
    await see(row.getByText('Changed since last build'))
    await shot('plugins')

    await openReleases()
    expect(await source.getByLabel('Version to write').inputValue()).toBe('1.0.0')
    await source.getByRole('button', { name: 'Write version into source' }).click()
    await source.getByRole('list', { name: 'Source warnings' }).waitFor({ state: 'detached', timeout: WAIT })
    expect(await source.getByLabel('Header version').textContent()).toBe('1.0.0')
    const main = await readFile(path.join(sourceDir, `${SLUG}.php`), 'utf8')
    expect(main).toContain(' * Version: 1.0.0')
    expect(main).toContain("define('HELLO_WPRM_VERSION', '1.0.0');")
  })

  it('adds 1.1.0 as a draft and releases it with the bulk action, after a confirmation', async () => {
    await openReleases()
    await page.getByRole('button', { name: 'New version' }).click()
    const form = await see(page.getByRole('form', { name: 'New version' }))
    await form.getByRole('button', { name: /^1\.1\.0 minor$/ }).click()
    await form.getByLabel('Changelog').fill('A greeting function.')
    await form.getByRole('button', { name: 'Save draft' }).click()
    await form.waitFor({ state: 'detached' })
    await expect.poll(() => statusOf('1.1.0')).toContain('Draft')

    await page.getByRole('checkbox', { name: 'Select 1.1.0' }).check()
    await page.getByRole('toolbar', { name: 'Bulk actions' }).getByRole('button', { name: 'Release', exact: true }).click()
    const confirm = await see(page.getByRole('alertdialog', { name: 'Release 1.1.0?' }))
    // Before confirming: what 1.1.0's ZIP will hold, against 1.0.0's.
    const files = await see(confirm.getByRole('region', { name: `Files of ${SLUG} 1.1.0` }))
    await see(files.getByText(/since 1\.0\.0: 1 added, 2 changed, 0 removed/))
    const changes = files.getByRole('list', { name: 'Changes since 1.0.0' })
    expect((await changes.getByRole('listitem').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim())).toEqual([
      expect.stringMatching(/^Changed hello-wprm\.php /),
      expect.stringMatching(/^Added includes\/greeting\.php /),
      expect.stringMatching(/^Changed readme\.txt /)
    ])
    await confirm.getByRole('button', { name: 'Release 1.1.0' }).click()
    const run = await finishedRun('Release 1.1.0')
    await see(run.getByText('All 11 checks passed'))
    await expect.poll(() => statusOf('1.1.0')).toContain('Released')
    // The new build contains the edited source: nothing is "changed since the last build" any more.
    await page.getByRole('region', { name: 'Source' }).getByText('Changed since last build').waitFor({ state: 'detached', timeout: WAIT })
    await page.getByRole('heading', { name: 'Hello WPRM', level: 1 }).scrollIntoViewIfNeeded()
    await shot('releases')
  })

  it('refuses to deprecate every live version, says why and what to do, and changes nothing', async () => {
    const before = await manifestOf('prod')
    await page.getByRole('checkbox', { name: 'Select all versions' }).check()
    await page.getByRole('toolbar', { name: 'Bulk actions' }).getByRole('button', { name: 'Deprecate', exact: true }).click()
    const confirm = await see(page.getByRole('alertdialog', { name: 'Deprecate 1.1.0, 1.0.0?' }))
    await confirm.getByRole('button', { name: 'Deprecate 2 versions' }).click()
    const alert = await see(page.getByRole('alert').filter({ hasText: 'Nothing was changed' }))
    expect(await alert.textContent()).toMatch(/no live version/)
    expect(await alert.textContent()).toMatch(/Roll back instead/)
    expect(await statusOf('1.1.0')).toContain('Released')
    expect(await statusOf('1.0.0')).toContain('Released')
    expect((await manifestOf('prod')).manifest?.manifest_version).toBe(before.manifest?.manifest_version)
    await page.getByRole('region', { name: 'Versions' }).scrollIntoViewIfNeeded()
    await shot('bulk-refused')
    await page.getByRole('checkbox', { name: 'Select all versions' }).uncheck()
  })

  it('rolls back to 1.0.0 after showing what will happen and a typed confirmation; the checklist runs by itself', async () => {
    await nav('Rollback').click()
    await see(page.getByRole('heading', { name: 'Rollback', level: 1 }))
    await page.getByRole('radio', { name: 'Version 1.0.0' }).check()
    const plan = await see(page.getByRole('region', { name: 'What will happen' }))
    await see(plan.getByText(/becomes\s+deprecated\s+and is listed as\s+revoked/))
    expect(await plan.textContent()).toContain('1.1.0')
    const button = plan.getByRole('button', { name: 'Roll back to 1.0.0' })
    expect(await button.isDisabled()).toBe(true)
    await plan.getByLabel('Type 1.0.0 to confirm').fill('1.0.0')
    expect(await button.isEnabled()).toBe(true)
    await shot('rollback')
    await button.click()
    const result = await see(page.getByRole('region', { name: 'Rollback result' }))
    await see(result.getByRole('heading', { name: 'Rolled back to 1.0.0' }), 45_000)
    await see(result.getByText('All 11 checks passed'))
    await see(result.getByText(/Revoked 1\.1\.0/))
    await shot('rollback-done')
    const { manifest } = await manifestOf('prod')
    expect(manifest?.version).toBe('1.0.0')
    expect(manifest?.revoked).toContain('1.1.0')
  })

  it('verify then shows the rolled-back manifest', async () => {
    await nav('Verify').click()
    await expect.poll(() => page.getByLabel('Version to check').locator('option').first().textContent()).toBe('Latest live (1.0.0)')
    await page.getByRole('button', { name: 'Run checklist' }).click()
    const result = page.getByRole('region', { name: 'Verification result' })
    await see(result.getByRole('heading', { name: `${SLUG} 1.0.0` }))
    await see(result.getByText('All 11 checks passed'))
    const manifestCheck = result.getByRole('listitem').filter({ hasText: 'The manifest names the expected latest version' })
    expect(await manifestCheck.textContent()).toContain('1.0.0')
  })

  it('publishes an emergency update: forced, update-ready, SECURITY: changelog, after a clear warning', async () => {
    await nav('Emergency update').click()
    const warning = await see(page.getByRole('region', { name: 'What an emergency update does' }))
    expect(await warning.textContent()).toContain('install it automatically')
    const form = page.getByRole('form', { name: 'Emergency update' })
    await expect.poll(() => form.getByLabel('Version', { exact: true }).inputValue()).toBe('1.1.1')
    await form.getByLabel(/What the fix is/).fill('Escaped the greeting output (reported by a site owner).')
    const publish = form.getByRole('button', { name: 'Publish emergency update' })
    expect(await publish.isDisabled()).toBe(true)
    await form.getByRole('checkbox', { name: /sites will install 1\.1\.1 automatically/ }).check()
    await shot('emergency')
    await publish.click()
    const run = await finishedRun('Emergency update 1.1.1')
    await see(run.getByText('All 11 checks passed'))
    const { manifest } = await manifestOf('prod')
    expect(manifest).toMatchObject({ version: '1.1.1', force_update: true, autoupdate: true })
    expect(manifest?.upgrade_notice).toMatch(/^SECURITY: Escaped the greeting output/)
  })

  it('an SFTP login failure shows what happened and what to do, and nothing changes', async () => {
    const card = await addServerAcceptingKey(
      await updateServer.profile('broken', {
        acceptHostKey: undefined,
        auth: { kind: 'key', key_path: updateServer.sshd.unauthorizedKeyPath, passphrase_env: null }
      })
    )
    await card.getByRole('button', { name: 'Test connection' }).click()
    await see(card.getByText('Connection failed'))
    await see(card.getByRole('list', { name: 'Connection test of broken' }).getByRole('img', { name: 'failed' }).first())
    // Secrets: the window stores one and only learns that it is stored; then forgets it again.
    await card.getByLabel('Key passphrase for broken').fill('not-the-passphrase')
    await card.getByRole('button', { name: 'Store passphrase' }).click()
    await see(card.getByText('Key passphrase stored'))
    expect(await card.getByLabel('Key passphrase for broken').inputValue()).toBe('')
    await card.scrollIntoViewIfNeeded()
    await shot('servers')
    await card.getByRole('button', { name: 'Forget passphrase' }).click()
    await see(card.getByText('No passphrase stored'))
    // What needs no new login changes in place, on SFTP too: the URL the next publish writes download URLs under.
    const settings = card.getByRole('form', { name: 'Settings of broken' })
    const moved = `${updateServer.nginx.baseUrl}moved/`
    await settings.getByLabel('Public URL of broken').fill(moved)
    await settings.getByRole('button', { name: 'Save settings' }).click()
    await see(settings.getByRole('status').filter({ hasText: 'Saved' }))
    await see(card.getByText(moved, { exact: true }))

    const before = await manifestOf('prod')
    await setPluginServer('broken')
    await page.getByRole('button', { name: 'New version' }).click()
    const form = await see(page.getByRole('form', { name: 'New version' }))
    await expect.poll(() => form.getByLabel('Version', { exact: true }).inputValue()).toBe('1.1.2')
    await form.getByLabel('Changelog').fill('Small fixes.')
    await form.getByLabel('Status').selectOption('released')
    await form.getByRole('button', { name: 'Release', exact: true }).click()
    const alert = await see(form.getByRole('alert'), 45_000)
    const text = (await alert.textContent()) ?? ''
    expect(text).toContain('The version was not added')
    expect(text).toMatch(/refused the login/)
    expect(text).toMatch(/authorized on the server/)
    const run = await finishedRun('Release 1.1.2')
    expect(await run.getByRole('status').first().textContent()).toBe('Failed')
    // Nothing changed: no 1.1.2 record, the broken server got no manifest, prod's is the same.
    expect(await page.getByRole('checkbox', { name: 'Select 1.1.2' }).count()).toBe(0)
    expect(await statusOf('1.1.1')).toContain('Update ready')
    expect((await manifestOf('broken')).status).toBe(404)
    expect((await manifestOf('prod')).manifest?.manifest_version).toBe(before.manifest?.manifest_version)
    await page.getByRole('heading', { name: 'Hello WPRM', level: 1 }).scrollIntoViewIfNeeded()
    await shot('sftp-error')
  })

  it('lists every change in the activity log, newest first, filterable by plugin', async () => {
    await nav('Activity').click()
    const table = await see(page.getByRole('table', { name: 'Activity' }))
    const rows = table.getByRole('row')
    await see(rows.nth(1))
    // The last change was pointing the plugin at the broken server.
    expect(await rows.nth(1).textContent()).toContain('Changed server')
    expect(await table.getByText('Added server broken', { exact: false }).count()).toBe(1)
    await page.getByRole('combobox', { name: 'Filter by plugin' }).selectOption(SLUG)
    await table.getByText('Added server broken', { exact: false }).waitFor({ state: 'detached', timeout: WAIT })
    const pluginCells = await table.locator('tbody tr td:nth-child(2)').allTextContents()
    expect(pluginCells.length).toBeGreaterThan(5)
    expect(new Set(pluginCells)).toEqual(new Set(['Hello WPRM']))
    await see(table.getByText(/Rolled back to 1\.0\.0/))
    await shot('activity')
  })

  it('shows install statistics from the access log: asks for the log, pulls it in the background, counts sites on the revoked 1.1.0', async () => {
    await setPluginServer('prod')
    // Sites report with their manifest checks, as the updater does; nginx logs them.
    const manifest = `${updateServer.nginx.baseUrl}prod/${SLUG}/info.json`
    const versions = [...Array(12).fill('1.1.0'), ...Array(20).fill('1.1.1'), ...Array(3).fill('1.0.0')] as string[]
    for (const [i, installed] of versions.entries()) {
      const query = new URLSearchParams({
        site: siteHash(`https://site-${i}.example`, SLUG),
        installed,
        wp: ['6.4.5', '6.7.1'][i % 2]!,
        php: ['7.4.33', '8.2.27', '8.3.15'][i % 3]!,
        locale: 'en_US',
        multisite: '0',
        channel: 'stable'
      })
      expect((await fetch(`${manifest}?${query}`)).status).toBe(200)
    }
    await nav('Stats').click()
    await see(page.getByRole('heading', { name: 'Stats', level: 1 }))
    const form = await see(page.getByRole('region', { name: 'Access log' }))
    await form.getByLabel('Access log path').fill(updateServer.nginx.accessLogPath)
    await form.getByRole('button', { name: 'Save access log' }).click()
    const active = await see(page.getByRole('group', { name: 'Active sites' }))
    await expect.poll(() => active.textContent()).toContain('35')
    expect(await page.getByRole('group', { name: 'Still on a revoked version' }).textContent()).toMatch(
      /^Still on a revoked version12on 1\.1\.0/
    )
    await see(page.getByRole('img', { name: /Active sites per day, 35 on/ }))
    const inUse = page.getByRole('list', { name: 'Active sites by version' })
    expect(await inUse.getByRole('listitem').allTextContents()).toEqual([
      expect.stringMatching(/^1\.1\.1.*20/),
      expect.stringMatching(/^1\.1\.0.*12.*revoked/),
      expect.stringMatching(/^1\.0\.0.*3/)
    ])
    expect(await page.getByRole('table', { name: 'Rollout cohorts' }).count()).toBe(0)

    // 1.2.0 goes out at 10 % (set up through the API: the Rollout panel has its own walk); of its cohort one
    // site updates, and one site outside installs it by hand. The next pull shows the cohort panel.
    const ok = <T>(result: Result<T>): T => {
      if (!result.ok) throw new Error(`${result.error.kind}: ${result.error.message}`)
      return result.value
    }
    ok(await api.addVersion({ slug: SLUG, version: '1.2.0', changelog: 'The grid, for a tenth of the sites first.' }))
    ok(await api.setRollout({ slug: SLUG, version: '1.2.0', percent: '10' }))
    ok(await api.changeStatus({ slug: SLUG, versions: ['1.2.0'], status: 'released' }))
    const ids = versions.map((_, i) => siteHash(`https://site-${i}.example`, SLUG))
    const inside = ids.filter((id) => inRolloutShare(siteBucket(id), 10))
    const outside = ids.filter((id) => !inRolloutShare(siteBucket(id), 10))
    for (const site of [inside[0]!, outside[0]!]) {
      expect((await fetch(`${manifest}?${new URLSearchParams({ site, installed: '1.2.0', wp: '6.7.1', php: '8.3.15' })}`)).status).toBe(200)
    }
    await page.getByRole('button', { name: 'Pull now' }).click()
    const cohorts = await see(page.getByRole('table', { name: 'Rollout cohorts' }))
    const cells = cohorts.getByRole('row').nth(1).getByRole('cell')
    expect(await cells.allTextContents()).toEqual([
      '1.2.0',
      '10 %',
      String(inside.length),
      `1 (${Math.round(100 / inside.length)} %)`,
      String(outside.length),
      '1'
    ])
    await page.getByRole('button', { name: 'Pull now' }).waitFor({ state: 'visible', timeout: WAIT })
    await shot('stats')
  })

  it('adds a folder on this computer and an S3 bucket, tests both, and keeps the S3 keys in the keychain', async () => {
    await nav('Servers').click()
    const form = page.getByRole('form', { name: 'Add a server' })
    // A local folder: the one nginx already serves under the update server's root.
    const folder = path.join(updateServer.sshd.root, 'here')
    await mkdir(folder)
    await form.getByLabel('Kind').selectOption('local')
    expect(await form.getByLabel('Host', { exact: true }).count()).toBe(0)
    await form.getByLabel('Name', { exact: true }).fill('here')
    await form.getByLabel('Folder', { exact: true }).fill(folder)
    await form.getByLabel('Public URL', { exact: true }).fill(`${updateServer.nginx.baseUrl}here/`)
    await form.getByRole('button', { name: 'Add server', exact: true }).click()
    const here = await see(page.getByRole('region', { name: 'Server here' }))
    await here.getByRole('button', { name: 'Test connection' }).click()
    await see(here.getByText('Connection works'))
    expect(await here.getByRole('list', { name: 'Connection test of here' }).getByRole('img', { name: 'passed' }).count()).toBe(3)
    expect(await here.getByLabel(/for here$/).count()).toBe(0)

    // A bucket whose keys are in no environment variable: the test says so, then they are stored in the keychain.
    await form.getByLabel('Kind').selectOption('s3')
    await form.getByLabel('Name', { exact: true }).fill('cdn')
    await form.getByLabel('Bucket', { exact: true }).fill(rgw.bucket)
    await form.getByLabel('Key prefix', { exact: true }).fill('plugins')
    await form.getByLabel('S3 endpoint', { exact: true }).fill(rgw.endpoint)
    await form.getByLabel('Region', { exact: true }).fill(rgw.region)
    await form.getByLabel('Access key variable', { exact: true }).fill('WPRM_E2E_NO_KEY_ID')
    await form.getByLabel('Secret key variable', { exact: true }).fill('WPRM_E2E_NO_SECRET')
    await form.getByLabel('Public URL', { exact: true }).fill(`${rgw.endpoint}/${rgw.bucket}/plugins/`)
    await form.getByRole('button', { name: 'Add server', exact: true }).click()
    const cdn = await see(page.getByRole('region', { name: 'Server cdn' }))
    await see(cdn.getByText('s3://updates/plugins/ at ' + rgw.endpoint, { exact: true }).first())
    await cdn.getByRole('button', { name: 'Test connection' }).click()
    await see(cdn.getByText('Connection failed'))
    await see(cdn.getByText(/none is stored in this app and the environment variable WPRM_E2E_NO_KEY_ID is not set/))

    await cdn.getByLabel('S3 access key id for cdn').fill(rgw.accessKeyId)
    await cdn.getByRole('button', { name: 'Store access key id' }).click()
    await see(cdn.getByText('S3 access key id stored'))
    await cdn.getByLabel('S3 secret access key for cdn').fill(rgw.secretAccessKey)
    await cdn.getByRole('button', { name: 'Store secret key' }).click()
    await see(cdn.getByText('S3 secret access key stored'))
    await cdn.getByRole('button', { name: 'Test connection' }).click()
    await see(cdn.getByText('Connection works'))
    const checks = cdn.getByRole('list', { name: 'Connection test of cdn' })
    expect(await checks.getByRole('img', { name: 'passed' }).count()).toBe(6)
    await see(checks.getByText(/HTTP 200 with the probe's content/))
    // What needs no new login changes in place: the max-age info.json is written with.
    const settings = cdn.getByRole('form', { name: 'Settings of cdn' })
    await settings.getByLabel('Max-age (s)').fill('30')
    await settings.getByRole('button', { name: 'Save settings' }).click()
    await see(settings.getByRole('status').filter({ hasText: 'Saved' }))
    await see(cdn.getByText('30 s (versioned ZIPs: a year, immutable)'))
    await cdn.scrollIntoViewIfNeeded()
    await shot('servers-s3')
    // The keys went to the vault encrypted: no file of the data folder holds them, nor does the window.
    const data = path.join(temp.dir, 'data')
    const files = (await readdir(data, { recursive: true, withFileTypes: true })).filter((e) => e.isFile())
    const contents = await Promise.all(files.map((e) => readFile(path.join(e.parentPath, e.name), 'latin1')))
    expect(contents.join('\n')).not.toContain(rgw.secretAccessKey)
    expect(await page.content()).not.toContain(rgw.secretAccessKey)
  })

  it('follows the OS into dark mode, and the walk raised no page or CSP error', async () => {
    await page.emulateMedia({ colorScheme: 'dark' })
    await openReleases()
    await shot('releases-dark')
    await page.emulateMedia({ colorScheme: 'light' })
    expect(pageErrors).toEqual([])
  })
})
