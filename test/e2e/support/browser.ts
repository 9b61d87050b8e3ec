import type { Browser } from 'playwright-core'
import { chromium } from 'playwright-core'
import { requireTool } from '../../support/require-tool.js'

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
