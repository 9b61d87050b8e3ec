import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import posixPath from 'node:path/posix'
import type { UnsafeFile } from '../../../src-shared/model.js'
import { WprmError } from '../errors.js'
import type { SourceEntry } from './source-files.js'

/**
 * The secret and junk guard: files that should never ship in a plugin ZIP, found by name and by content
 * before a build. A released ZIP can never be deleted from the sites that installed it, so a hit stops the
 * build until the file is left out (`.distignore`) or allowed for that version (`--allow PATH`).
 *
 * Public certificates (a CA bundle such as `cacert.pem`) are not secrets and pass; a `.pem` file is
 * judged by its content, which must not hold a private key.
 */

/** A rule on a file's name (its last path part, compared case-insensitively). */
interface NameRule {
  readonly name: RegExp
  readonly kind: UnsafeFile['kind']
  readonly reason: string
}

const NAME_RULES: readonly NameRule[] = [
  { name: /^\.env(\..+)?$/i, kind: 'secret', reason: 'environment file (API keys, passwords)' },
  { name: /^wp-config\.php$/i, kind: 'secret', reason: 'WordPress configuration (database password, salts)' },
  { name: /^auth\.json$/i, kind: 'secret', reason: 'Composer credentials' },
  { name: /^id_(rsa|dsa|ecdsa|ed25519)$/i, kind: 'secret', reason: 'SSH private key' },
  { name: /\.(key|ppk|p12|pfx|jks|keystore)$/i, kind: 'secret', reason: 'private key or key store' },
  { name: /^\.(netrc|pgpass|my\.cnf|htpasswd)$/i, kind: 'secret', reason: 'credentials file' },
  { name: /\.(sql|sqlite|sqlite3)(\.(gz|bz2|zip))?$/i, kind: 'junk', reason: 'database dump' },
  { name: /(\.log|^error_log)$/i, kind: 'junk', reason: 'log file' },
  { name: /\.(zip|tar|tgz|tar\.gz|rar|7z)$/i, kind: 'junk', reason: 'archive' },
  { name: /^\.(git|hg|svn|cvs)/i, kind: 'junk', reason: 'version-control leftover' },
  { name: /^\..+\.sw[a-p]$|~$|^\.#|^#.*#$/i, kind: 'junk', reason: 'editor swap or backup file' }
]

/** Files whose secrets are their token lines: npm and Yarn configuration. */
const PACKAGE_RC = /^\.(npmrc|yarnrc|yarnrc\.yml)$/i
const PACKAGE_TOKEN = /^\s*(?:\/\/\S+:)?(_authToken|_auth|_password|npmAuthToken|npmAuthIdent)\s*[=:]\s*\S+/m

/** A well-known credential format, found in any text file. */
interface TokenRule {
  readonly pattern: RegExp
  readonly reason: string
  /** A match that is a documented placeholder rather than a real credential. */
  readonly placeholder?: RegExp
}

const TOKEN_RULES: readonly TokenRule[] = [
  // The body must follow the header: code that only names the header (key libraries do) is no key.
  {
    pattern:
      /-----BEGIN (?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----\r?\n(?:[\w-]+:[^\n]*\r?\n)*\r?\n?[A-Za-z0-9+/=]{40,}/,
    reason: 'private key'
  },
  { pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, reason: 'AWS access key ID', placeholder: /EXAMPLE$/ },
  { pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/, reason: 'GitHub token' },
  { pattern: /\bgithub_pat_[A-Za-z0-9_]{60,}\b/, reason: 'GitHub token' },
  { pattern: /\bxox[abposr]-[0-9A-Za-z-]{10,}/, reason: 'Slack token' },
  { pattern: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{16,}/, reason: 'Slack webhook URL' },
  { pattern: /\b[sr]k_live_[0-9A-Za-z]{20,}\b/, reason: 'Stripe live secret key' },
  { pattern: /\bAIza[0-9A-Za-z_-]{35}\b/, reason: 'Google API key' },
  { pattern: /\bnpm_[A-Za-z0-9]{36}\b/, reason: 'npm token' },
  { pattern: /\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}|\bsk-proj-[A-Za-z0-9_-]{80,}/, reason: 'OpenAI API key' },
  { pattern: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/, reason: 'SendGrid API key' }
]

/**
 * One cheap pass decides whether a file needs the rules at all: every token rule starts with one of
 * these, and almost no file holds any of them.
 */
const TOKEN_HINT = /PRIVATE KEY|AKIA|ASIA|gh[pousr]_|github_pat_|xox[abposr]-|hooks\.slack|k_live_|AIza|npm_|T3BlbkFJ|sk-proj-|SG\./

/** Binary formats a plugin ships: not searched for tokens. */
const BINARY_EXTENSION =
  /\.(png|jpe?g|gif|webp|avif|ico|bmp|tiff?|psd|woff2?|ttf|otf|eot|mo|mp3|mp4|m4a|ogg|wav|webm|mov|avi|pdf|zip|gz|tgz|bz2|xz|7z|rar|jar|phar|exe|dll|so|dylib|wasm)$/i

/** Larger text files (a data dump, not code) are not searched; the README says so. */
const MAX_SEARCHED_BYTES = 8 * 1024 * 1024

/** The 1-based line of a character offset. */
function lineAt(text: string, index: number): number {
  let line = 1
  for (let at = text.indexOf('\n'); at !== -1 && at < index; at = text.indexOf('\n', at + 1)) line++
  return line
}

/** Files up to this size are read on this thread: a page-cached read takes microseconds (see zip-writer.ts). */
const SYNC_READ_MAX = 256 * 1024

/** Reads a file for the content rules: null when it is too large, or binary (a NUL in its first 8 KB). */
async function readText(entry: SourceEntry): Promise<string | null> {
  if (entry.size > MAX_SEARCHED_BYTES || BINARY_EXTENSION.test(entry.relPath)) return null
  const data = entry.size <= SYNC_READ_MAX ? readFileSync(entry.absPath) : await readFile(entry.absPath)
  if (data.subarray(0, 8192).includes(0)) return null
  // latin1 keeps every byte as one char: offsets and lines are the file's own.
  return data.toString('latin1')
}

/** What the content rules find in one text. */
function tokensIn(path: string, text: string): UnsafeFile[] {
  if (!TOKEN_HINT.test(text)) return []
  const found: UnsafeFile[] = []
  for (const rule of TOKEN_RULES) {
    const global = new RegExp(rule.pattern.source, 'g')
    for (const match of text.matchAll(global)) {
      if (rule.placeholder?.test(match[0]) === true) continue
      found.push({ path, kind: 'secret', reason: rule.reason, line: lineAt(text, match.index) })
      break // one finding per rule and file is enough to stop the build
    }
  }
  return found
}

/** What the guard finds in one file. */
async function inspect(entry: SourceEntry): Promise<UnsafeFile[]> {
  const base = posixPath.basename(entry.relPath)
  const byName = NAME_RULES.find((rule) => rule.name.test(base))
  if (byName !== undefined) return [{ path: entry.relPath, kind: byName.kind, reason: byName.reason, line: null }]
  const text = await readText(entry)
  if (text === null) return []
  if (PACKAGE_RC.test(base)) {
    const token = PACKAGE_TOKEN.exec(text)
    if (token !== null) return [{ path: entry.relPath, kind: 'secret', reason: `${token[1]} credential`, line: lineAt(text, token.index) }]
  }
  return tokensIn(entry.relPath, text)
}

/**
 * Looks through the files a build would take (after the default list and `.distignore`) for ones that
 * should never ship; the findings come sorted by path. Files are read a few at a time.
 */
export async function findUnsafeFiles(sources: readonly SourceEntry[]): Promise<UnsafeFile[]> {
  const files = sources.filter((entry) => entry.kind === 'file')
  const findings: UnsafeFile[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < files.length) findings.push(...(await inspect(files[next++]!)))
  }
  await Promise.all(Array.from({ length: Math.min(8, files.length) }, worker))
  return findings.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : (a.line ?? 0) - (b.line ?? 0)))
}

/** Findings set against what a version allows: what stops the build, what it lets through, which allows matched nothing. */
export interface GuardVerdict {
  readonly blocking: readonly UnsafeFile[]
  readonly allowed: readonly string[]
  readonly unusedAllows: readonly string[]
}

/** Sets the findings against the allowed paths (`--allow PATH`, exact paths inside the plugin folder). */
export function judgeFindings(findings: readonly UnsafeFile[], allow: readonly string[]): GuardVerdict {
  const wanted = new Set(allow.map((p) => p.normalize('NFC').replace(/^\.?\/+/, '')))
  const flagged = new Set(findings.map((f) => f.path))
  return {
    blocking: findings.filter((f) => !wanted.has(f.path)),
    allowed: [...flagged].filter((p) => wanted.has(p)).sort(),
    unusedAllows: [...wanted].filter((p) => !flagged.has(p)).sort()
  }
}

/** A finding in words: "config/.env (environment file)", "lib/keys.php line 12 (AWS access key ID)". */
export function describeFinding(finding: UnsafeFile): string {
  return `${finding.path}${finding.line === null ? '' : ` line ${finding.line}`} (${finding.reason})`
}

/** The `.distignore` lines that leave the findings out: one anchored line per path. */
export function distignoreLinesFor(findings: readonly UnsafeFile[]): string[] {
  return [...new Set(findings.map((f) => `/${f.path}`))]
}

/** The error that stops a build: every blocking finding, and both ways out. */
export function unsafeFilesError(slug: string, version: string, blocking: readonly UnsafeFile[]): WprmError {
  const count = blocking.length === 1 ? 'a file that should never ship is' : `${blocking.length} files that should never ship are`
  const firstPath = blocking[0]?.path ?? 'PATH'
  return new WprmError(
    'unsafe-files',
    `The build of ${slug} ${version} stopped: ${count} in the source: ${blocking.map(describeFinding).join('; ')}.`,
    `Leave them out with these lines in .distignore: ${distignoreLinesFor(blocking).join(' ')} (see \`wprm files ${slug}\`); or, if one must ship, allow it for this version with --allow ${firstPath} (recorded on the version).`
  )
}
