import { rmSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { freePorts } from '../../support/free-port.js'
import type { InstallOutput } from './install.js'
import { renderInstallScript, TEST_ADMIN } from './install.js'
import { startMariaDb } from './mariadb.js'
import { renderTestMuPlugin, TEST_MU_PLUGIN_FILE } from './mu-plugin.js'
import { renderSnippet, requirePhp, startPhpServer } from './php.js'
import type { CommandResult, Daemon } from './processes.js'
import { runChecked, runCommand, signalDaemon, stopDaemon } from './processes.js'
import { copyWordPressTree, requireWordPressTree, TEST_THEME } from './site-files.js'
import { renderWpConfig } from './wp-config.js'

/** Options for startWordPress. */
export interface StartWordPressOptions {
  /** Keep WordPress's automatic updater enabled (AUTOMATIC_UPDATER_DISABLED is defined otherwise). Core updates stay off. */
  autoUpdates?: boolean
}

/** A page fetched from the site; redirects are not followed, so a 302 is seen as such. */
export interface PageResponse {
  status: number
  headers: Headers
  body: string
}

/** A running WordPress site on 127.0.0.1 with its own MariaDB, all inside one temporary folder. */
export interface WordPressSite {
  /** http://127.0.0.1:PORT, no trailing slash. */
  url: string
  /** Site root: ABSPATH without its trailing slash. */
  dir: string
  /** wp-content/plugins of the site. */
  pluginsDir: string
  /** WP_DEBUG_LOG file; may not exist until something is logged. */
  debugLogPath: string
  /** WP_TEMP_DIR (empty at start): where download_url() and the upgrader put their temporary files. */
  tempDir: string
  /** The administrator created at install; user id 1. */
  admin: { user: string; password: string; email: string }
  /** The active theme, as WordPress reported it at the end of set-up: always the test theme (set-up fails otherwise). */
  theme: string
  /** Runs PHP statements from the CLI with WordPress, its admin code and the upgrader loaded, as user 1. */
  runPhp(code: string, phpArgs?: readonly string[]): Promise<CommandResult>
  /** HTTP GET of `path` (e.g. '/wp-login.php') on the site. */
  get(path: string): Promise<PageResponse>
  /** HTTP GET of `path` logged in as the admin (through wp-login.php, once per site), e.g. '/wp-admin/plugins.php'. */
  getAsAdmin(path: string): Promise<PageResponse>
  /** Contents of the debug log, or '' when nothing was logged. */
  debugLog(): Promise<string>
  /** URLs of outbound non-loopback requests the test mu-plugin refused, oldest first. */
  blockedRequests(): Promise<string[]>
  /** Stops php and mariadbd and removes the temporary folder. Safe to call more than once; never throws. */
  stop(): Promise<void>
}

/** What a half-started site owns, so stop() and the exit hook can clean up whatever got that far. */
interface Resources {
  root: string
  daemons: Daemon[]
}

// If a test run dies without calling stop(), do not leave servers or 100 MB folders behind.
const live = new Set<Resources>()
process.once('exit', () => {
  for (const r of live) {
    for (const daemon of r.daemons) signalDaemon(daemon, 'SIGKILL')
    rmSync(r.root, { recursive: true, force: true })
  }
})

/**
 * Starts a fresh, installed WordPress site: MariaDB on a unix socket, `php -S` on 127.0.0.1, the test
 * mu-plugin in place. Needs the Debian packages wordpress, mariadb-server, php-cli, php-mysql (php-curl and
 * php-zip for the upgrader). On failure everything started so far is stopped before the error is thrown.
 */
export async function startWordPress(opts: StartWordPressOptions = {}): Promise<WordPressSite> {
  // Before anything starts: a missing package is one line naming it, not a half-started site's log.
  requireWordPressTree()
  await requirePhp()
  const root = await mkdtemp(join(tmpdir(), 'wprm-wp-'))
  const resources: Resources = { root, daemons: [] }
  live.add(resources)
  try {
    return await startIn(resources, opts)
  } catch (error) {
    await release(resources)
    throw error
  }
}

/** The start-up sequence; the slow steps (data dir, file copy) run side by side. */
async function startIn(resources: Resources, opts: StartWordPressOptions): Promise<WordPressSite> {
  const { root } = resources
  const siteDir = join(root, 'site')
  const dbDir = join(root, 'db')
  await mkdir(dbDir)
  const [dbPort, httpPort] = (await freePorts(2)) as [number, number]
  const url = `http://127.0.0.1:${httpPort}`
  const debugLogPath = join(root, 'debug.log')
  const blockedLogPath = join(root, 'blocked-requests.log')
  const snippetsDir = join(root, 'snippets')
  await mkdir(snippetsDir)
  const tempDir = join(root, 'tmp')
  await mkdir(tempDir)

  const [db] = await allSettledOrThrow([
    startMariaDb(dbDir, dbPort, userInfo().username).then((started) => {
      resources.daemons.push(started.daemon)
      return started
    }),
    copyWordPressTree(siteDir)
  ])

  const config = renderWpConfig({
    url,
    dbSocketPath: db.socketPath,
    dbUser: db.user,
    dbName: db.database,
    debugLogPath,
    blockedRequestsLogPath: blockedLogPath,
    autoUpdates: opts.autoUpdates ?? false,
    tempDir
  })
  await writeFile(join(siteDir, 'wp-config.php'), config)
  await writeFile(join(siteDir, 'wp-content', 'mu-plugins', TEST_MU_PLUGIN_FILE), renderTestMuPlugin())
  const installScript = join(root, 'install.php')
  await writeFile(installScript, renderInstallScript(siteDir, url, TEST_THEME))
  const [installed] = await allSettledOrThrow([
    runChecked('php', [installScript], { cwd: siteDir }),
    startPhpServer(siteDir, httpPort, join(root, 'php-server.log')).then((server) => {
      resources.daemons.push(server)
    })
  ])
  const theme = activeTheme(installed.stdout)

  let snippetCount = 0
  let adminCookies: Promise<string> | null = null
  const fetchPage = async (path: string, cookie?: string): Promise<PageResponse> => {
    const response = await fetch(new URL(path, url), { redirect: 'manual', headers: cookie === undefined ? {} : { cookie } })
    return { status: response.status, headers: response.headers, body: await response.text() }
  }
  return {
    url,
    dir: siteDir,
    pluginsDir: join(siteDir, 'wp-content', 'plugins'),
    debugLogPath,
    tempDir,
    admin: { ...TEST_ADMIN },
    theme,
    async runPhp(code, phpArgs = []) {
      // A file, not `php -r`: errors then carry real line numbers, and the file stays for post-mortems.
      const file = join(snippetsDir, `snippet-${++snippetCount}.php`)
      await writeFile(file, renderSnippet(siteDir, url, code))
      return runCommand('php', ['-d', 'display_errors=stderr', ...phpArgs, file], { cwd: siteDir })
    },
    get: (path) => fetchPage(path),
    async getAsAdmin(path) {
      adminCookies ??= logIn(url)
      return fetchPage(path, await adminCookies)
    },
    debugLog: () => readFile(debugLogPath, 'utf8').catch(() => ''),
    async blockedRequests() {
      const text = await readFile(blockedLogPath, 'utf8').catch(() => '')
      return text.split('\n').filter((line) => line !== '')
    },
    stop: () => release(resources)
  }
}

/**
 * The active theme from the install script's output, checked: a site on any other theme (or on none, as when
 * Debian's recommended theme is not installed) renders pages without the hooks the tests read.
 */
function activeTheme(installOutput: string): string {
  let out: InstallOutput
  try {
    out = JSON.parse(installOutput) as InstallOutput
  } catch {
    throw new Error(`the WordPress install script printed no JSON:\n${installOutput}`)
  }
  if (out.stylesheet !== TEST_THEME || out.template !== TEST_THEME || out.themeErrors.length > 0) {
    throw new Error(
      `the test site's active theme is ${out.stylesheet}/${out.template} (errors: ${out.themeErrors.join(', ') || 'none'}), not ${TEST_THEME}`
    )
  }
  return out.stylesheet
}

/**
 * Logs the admin in through wp-login.php and returns the Cookie header for later requests.
 * WordPress refuses a login whose request lacks its test cookie, so it is sent along.
 */
async function logIn(url: string): Promise<string> {
  const form = new URLSearchParams({
    log: TEST_ADMIN.user,
    pwd: TEST_ADMIN.password,
    'wp-submit': 'Log In',
    testcookie: '1',
    redirect_to: `${url}/wp-admin/`
  })
  const response = await fetch(new URL('/wp-login.php', url), {
    method: 'POST',
    body: form,
    redirect: 'manual',
    headers: { cookie: 'wordpress_test_cookie=WP%20Cookie%20check' }
  })
  await response.text()
  const cookies = response.headers.getSetCookie().map((line) => line.split(';')[0]!)
  if (response.status !== 302 || !cookies.some((c) => c.startsWith('wordpress_logged_in_'))) {
    throw new Error(`wp-login.php did not log the admin in: HTTP ${response.status}, cookies ${cookies.join(', ') || 'none'}`)
  }
  return ['wordpress_test_cookie=WP%20Cookie%20check', ...cookies].join('; ')
}

/**
 * Promise.all that waits for every branch before rejecting: a sibling still starting a server when the other
 * failed would otherwise register its child after cleanup ran, and leak it.
 */
async function allSettledOrThrow<T extends readonly unknown[]>(promises: readonly [...{ [K in keyof T]: Promise<T[K]> }]): Promise<T> {
  const results = await Promise.allSettled(promises)
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) throw failed.reason
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T
}

/** Stops every child (in parallel, each SIGTERM then SIGKILL) and deletes the folder. */
async function release(resources: Resources): Promise<void> {
  await Promise.all(resources.daemons.map((daemon) => stopDaemon(daemon)))
  await rm(resources.root, { recursive: true, force: true }).catch(() => {})
  live.delete(resources)
}
