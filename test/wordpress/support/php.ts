import type { ChildProcess } from 'node:child_process'
import { connect } from 'node:net'
import { readFile } from 'node:fs/promises'
import { missingToolMessage, requireTool } from '../../support/require-tool.js'
import { phpString } from './php-literal.js'
import type { Daemon } from './processes.js'
import { describeState, hasExited, runChecked, startDaemon, stopDaemon } from './processes.js'
import { delay } from './signals.js'

/** The PHP extensions the test site needs, by the Debian package that brings each (all in `.ci/run`). */
const REQUIRED_EXTENSIONS: readonly { readonly extension: string; readonly debianPackage: string }[] = [
  // wpdb talks to MariaDB through mysqli; without it wp_install() only prints an HTML error page.
  { extension: 'mysqli', debianPackage: 'php-mysql' },
  // The upgrader downloads with curl and unpacks with ZipArchive. WordPress would fall back to streams and
  // PclZip, so a site without them would run code that no production site with these packages runs.
  { extension: 'curl', debianPackage: 'php-curl' },
  { extension: 'zip', debianPackage: 'php-zip' }
]

/**
 * Checks that the PHP CLI and the extensions the test site needs are installed, or throws the one-line
 * "not installed" error naming the first missing Debian package.
 */
export async function requirePhp(): Promise<void> {
  const php = requireTool('php', 'php-cli')
  const { stdout } = await runChecked(php, ['-r', 'echo json_encode(array_map("strtolower", get_loaded_extensions()));'])
  const loaded = new Set(JSON.parse(stdout) as string[])
  const missing = REQUIRED_EXTENSIONS.find(({ extension }) => !loaded.has(extension))
  if (missing) throw new Error(missingToolMessage(`PHP's ${missing.extension} extension`, missing.debianPackage))
}

/**
 * PHP that makes a CLI script look like a request to the site, so wp-config and WordPress see the right host.
 * Ends inside an open `<?php` block.
 */
export function cliRequestPreamble(url: string): string {
  const { host, port } = new URL(url)
  return [
    '<?php',
    `$_SERVER['HTTP_HOST'] = ${phpString(host)};`,
    `$_SERVER['SERVER_NAME'] = ${phpString(new URL(url).hostname)};`,
    `$_SERVER['SERVER_PORT'] = ${phpString(port)};`,
    "$_SERVER['REQUEST_URI'] = '/';",
    "$_SERVER['REQUEST_METHOD'] = 'GET';",
    "$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';",
    ''
  ].join('\n')
}

/**
 * A runnable file: the preamble, WordPress with its admin and upgrader code loaded, the admin user current,
 * then `code` (PHP statements; a leading `<?php` is tolerated).
 */
export function renderSnippet(siteDir: string, url: string, code: string): string {
  return [
    cliRequestPreamble(url),
    `require_once ${phpString(`${siteDir}/wp-load.php`)};`,
    "require_once ABSPATH . 'wp-admin/includes/admin.php';",
    "require_once ABSPATH . 'wp-admin/includes/class-wp-upgrader.php';",
    // WP_DEBUG_DISPLAY=false silenced errors for pages; a snippet's caller wants them on stderr (they still reach the log).
    "ini_set('display_errors', 'stderr');",
    'wp_set_current_user(1);',
    '// ---- snippet ----',
    code.replace(/^\s*<\?php\b/, ''),
    ''
  ].join('\n')
}

/**
 * Serves the site with PHP's built-in server on 127.0.0.1.
 * Several workers, so a page that makes an HTTP request back to the site itself cannot deadlock; they are
 * forked processes that outlive a SIGTERMed parent, hence a process group of its own.
 */
export async function startPhpServer(siteDir: string, port: number, logPath: string): Promise<Daemon> {
  const daemon = startDaemon('php', ['-S', `127.0.0.1:${port}`, '-t', siteDir], logPath, {
    cwd: siteDir,
    env: { ...process.env, PHP_CLI_SERVER_WORKERS: '4' },
    group: true
  })
  try {
    await waitForPort(daemon.child, port, logPath)
  } catch (error) {
    await stopDaemon(daemon)
    throw error
  }
  return daemon
}

/** Waits until something accepts TCP connections on 127.0.0.1:port, failing fast if the server died. */
async function waitForPort(child: ChildProcess, port: number, logPath: string): Promise<void> {
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    if (hasExited(child)) break
    if (await canConnect(port)) return
    await delay(50)
  }
  const log = await readFile(logPath, 'utf8').catch(() => '')
  throw new Error(`php -S did not start on 127.0.0.1:${port}; ${describeState(child)}\n${log}`)
}

/** One TCP connection attempt to 127.0.0.1:port. */
function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
