import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core'
import { chromium } from 'playwright-core'
import type { WprmApi } from '../../../src-preload/api.js'
import { requireTool } from '../../support/require-tool.js'
import type { EventRelay } from './api-bridge.js'
import { bindApi } from './api-bridge.js'

/** Debian's Chromium; never a downloaded one (`npx playwright install` is not used). */
export const CHROMIUM_PATH = process.env.WPRM_CHROMIUM ?? '/usr/bin/chromium'

/** Launches headless Chromium with nothing that reaches out to the network on its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: requireTool(CHROMIUM_PATH, 'chromium'),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic'
    ]
  })
}

/** The app's page in a context of its own: the real API bound in, and every page error and console error collected. */
export interface AppPage {
  readonly context: BrowserContext
  readonly page: Page
  /** Uncaught errors, failed loads and CSP violations (reported as console errors): a walk must end with none. */
  readonly errors: string[]
}

/** Opens the renderer served at `url` in a new context (en-US, UTC, 1280 × 800 unless `options` say otherwise) with `api` bound in. */
export async function openAppPage(
  browser: Browser,
  url: string,
  api: WprmApi,
  relay: EventRelay,
  options: BrowserContextOptions = {}
): Promise<AppPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', timezoneId: 'UTC', ...options })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`)
  })
  await bindApi(page, api, relay)
  await page.goto(url)
  return { context, page, errors }
}

/** Runs every stop step in order, whatever happened: one failing stop does not keep the others running. */
export async function stopAll(steps: readonly (() => Promise<unknown> | undefined)[]): Promise<void> {
  for (const step of steps) await Promise.resolve(step()).catch(() => undefined)
}
