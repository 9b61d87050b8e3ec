import type { Dirent } from 'node:fs'
import { readFile, readdir, realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import ignore from 'ignore'
import type { Ignore } from 'ignore'
import type { ExclusionRule } from '../../../src-shared/model.js'
import { WprmError, isErrnoCode } from '../errors.js'
import { caseFoldKey, fileNameProblem, quoted } from '../../../src-shared/input-rules.js'
import { ZIP32_LIMITS } from './zip-writer.js'

/**
 * What never goes into a distribution ZIP: the clean-up list of the system we replace (tests, `.git`,
 * `__pycache__`, `*.bak`), what users of `wp dist-archive` expect to be left out, and the plugin's own
 * development files at its top (build configs, package manifests, wordpress.org artwork, which is
 * uploaded beside the ZIP instead). A plugin's own `.distignore` (gitignore syntax) comes after these, so
 * it can add to them or re-include with `!`.
 *
 * Tool configs are anchored to the top (`/phpunit.xml`): a library under `vendor/` keeps its own, as
 * `wp dist-archive` keeps them. The README lists where these defaults differ from `wp dist-archive`.
 */
export const DEFAULT_EXCLUDES: readonly string[] = [
  // Version control, CI and editors, at any depth.
  '.git/',
  '.svn/',
  '.hg/',
  '.bzr/',
  '.github/',
  '.gitlab/',
  '.circleci/',
  '.idea/',
  '.vscode/',
  'node_modules/',
  '__pycache__/',
  '*.bak',
  '*.orig',
  '*.rej',
  '*.swp',
  '*~',
  '.DS_Store',
  'Thumbs.db',
  '.distignore',
  '.gitignore',
  '.gitattributes',
  '.gitmodules',
  // The plugin's own tests and tool configs, at its top only.
  '/tests/',
  '/test/',
  '/.editorconfig',
  '/.travis.yml',
  '/phpunit.xml',
  '/phpunit.xml.dist',
  '/phpcs.xml',
  '/phpcs.xml.dist',
  '/.phpcs.xml',
  '/.phpcs.xml.dist',
  '/.phpunit.result.cache',
  '/phpcompat.xml',
  '/phpcompat.xml.dist',
  '/phpstan.neon',
  '/phpstan.neon.dist',
  '/psalm.xml',
  '/psalm.xml.dist',
  // Package manifests and build configs, at the top only: the build has run before the release.
  '/composer.json',
  '/composer.lock',
  '/package.json',
  '/package-lock.json',
  '/yarn.lock',
  '/pnpm-lock.yaml',
  '/webpack.config.js',
  '/Gruntfile.js',
  '/gulpfile.js',
  '/.babelrc',
  '/.browserslistrc',
  '/.eslintrc*',
  '/.eslintignore',
  '/.stylelintrc*',
  '/.prettierrc*',
  '/.prettierignore',
  '/.jscsrc',
  '/.jshintrc',
  '/.nvmrc',
  '/.wp-env.json',
  '/.wp-env.override.json',
  // wordpress.org artwork (banners, icons, screenshots, Playground blueprints): published beside the ZIP.
  '/.wordpress-org/',
  '/wporg-assets/',
  '/assets/banner-*.png',
  '/assets/banner-*.jpg',
  '/assets/icon-*.png',
  '/assets/icon-*.jpg',
  '/assets/icon.svg',
  '/assets/screenshot-*.png',
  '/assets/screenshot-*.jpg',
  '/assets/screenshot-*.jpeg',
  '/assets/screenshot-*.gif',
  '/assets/blueprints/'
]

/** The plugin's own ignore file, read with gitignore syntax. */
export const DISTIGNORE_FILE = '.distignore'

/** A file or folder that goes into the ZIP. */
export interface SourceEntry {
  /** Path inside the plugin folder, `/`-separated, Unicode NFC (the same on every OS). */
  readonly relPath: string
  readonly kind: 'file' | 'directory'
  /** Absolute path to read the bytes from (a link inside the folder is read through). */
  readonly absPath: string
  readonly size: number
}

/** A path left out of the ZIP, and the rule that left it out (a folder stands for all it holds). */
export interface ExcludedEntry {
  readonly relPath: string
  readonly kind: 'file' | 'directory'
  readonly rule: ExclusionRule
}

/**
 * The default list, then the plugin's `.distignore`, each rule marked with where it comes from (`default`
 * or its line number), so that a preview can say which rule left a file out.
 */
async function loadRules(root: string): Promise<Ignore> {
  const rules = ignore().add(DEFAULT_EXCLUDES.map((pattern) => ({ pattern, mark: 'default' })))
  try {
    const lines = (await readFile(path.join(root, DISTIGNORE_FILE), 'utf8')).split(/\r?\n/)
    rules.add(lines.map((pattern, index) => ({ pattern, mark: String(index + 1) })))
  } catch (error) {
    if (!isErrnoCode(error, 'ENOENT')) throw error
  }
  return rules
}

/** The rule that leaves a path out, or null when none does (`isDir`: tested as a folder). */
function exclusionOf(rules: Ignore, relPath: string, isDir: boolean): ExclusionRule | null {
  const { rule } = rules.test(isDir ? `${relPath}/` : relPath)
  if (rule === undefined) return null
  return rule.mark === 'default'
    ? { source: 'default', line: null, pattern: rule.pattern }
    : { source: 'distignore', line: Number(rule.mark), pattern: rule.pattern }
}

function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target)
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

function bytes(n: number): string {
  return `${n.toLocaleString('en-US')} bytes (${(n / 2 ** 30).toFixed(1)} GiB)`
}

/** A source that needs ZIP64, refused before any work: `what` says which file or how much. */
function tooLarge(what: string): WprmError {
  return new WprmError(
    'source-invalid',
    `${what}: a ZIP that large needs ZIP64, which wprm does not write (WordPress hosts could not install such a plugin anyway).`,
    'Leave large media and data out of the plugin (.distignore) and serve them from elsewhere.'
  )
}

/** Per entry, what a ZIP adds to the file's bytes: local and central headers, the name twice (with the slug and "/" in front). */
const ENTRY_OVERHEAD = 30 + 46 + 2 * 65

/**
 * Refuses a source whose ZIP would need ZIP64: more entries than a ZIP without it holds, or more
 * bytes than its offsets reach (counted as if nothing compressed: the writer stores what does not
 * shrink, so a ZIP is never larger than that). Names the folder with the most entries, or the largest
 * files, so the user knows what to leave out.
 */
export function assertZip32Fits(files: readonly Pick<SourceEntry, 'relPath' | 'size'>[], dirs: ReadonlySet<string>): void {
  // The slug's top folder is one more entry.
  const count = files.length + dirs.size + 1
  if (count > ZIP32_LIMITS.entries) {
    const perFolder = new Map<string, number>()
    for (const name of [...files.map((f) => f.relPath), ...dirs]) {
      const parent = name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : '.'
      perFolder.set(parent, (perFolder.get(parent) ?? 0) + 1)
    }
    const [busiest, inIt] = [...perFolder].sort((a, b) => b[1] - a[1])[0]!
    throw new WprmError(
      'source-invalid',
      `The plugin has ${count.toLocaleString('en-US')} files and folders (${inIt.toLocaleString('en-US')} of them in ${busiest}): a ZIP without ZIP64 holds at most ${ZIP32_LIMITS.entries.toLocaleString('en-US')}, and wprm does not write ZIP64.`,
      'Leave out what sites do not need (.distignore), or pack such files into one archive inside the plugin.'
    )
  }
  const total = files.reduce((sum, f) => sum + f.size + ENTRY_OVERHEAD + Buffer.byteLength(f.relPath), 0) + dirs.size * ENTRY_OVERHEAD
  if (total > ZIP32_LIMITS.bytes) {
    const largest = [...files]
      .sort((a, b) => b.size - a.size)
      .slice(0, 3)
      .map((f) => `${quoted(f.relPath)} ${bytes(f.size)}`)
    throw tooLarge(`The source adds up to ${bytes(total)} (largest: ${largest.join(', ')})`)
  }
}

/** Byte order of UTF-8, the order every machine agrees on (JS string order is UTF-16's). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

/**
 * Lists what goes into the ZIP, sorted, with folders only where they hold something.
 *
 * Refuses a link that leads outside the folder (naming it): a build must never pick up files from
 * elsewhere on the machine. `onExcluded` hears of each path left out, with its rule (a folder once).
 */
export async function collectSourceEntries(
  sourceDir: string,
  onProgress?: (found: number) => void,
  onExcluded?: (excluded: ExcludedEntry) => void
): Promise<SourceEntry[]> {
  const root = await realpath(sourceDir).catch((error: unknown) => {
    if (isErrnoCode(error, 'ENOENT')) {
      throw new WprmError(
        'source-invalid',
        `The source folder ${sourceDir} does not exist.`,
        'Check the path, or point the plugin at its folder again.'
      )
    }
    throw error
  })
  const rules = await loadRules(root)
  const files: SourceEntry[] = []
  const seenDirs = new Set<string>([root])
  const byNormalName = new Map<string, string>()
  const byCaseKey = new Map<string, string>()
  const leftOut = (relPath: string, isDir: boolean): boolean => {
    const rule = exclusionOf(rules, relPath, isDir)
    if (rule !== null) onExcluded?.({ relPath: relPath.normalize('NFC'), kind: isDir ? 'directory' : 'file', rule })
    return rule !== null
  }

  const visit = async (absDir: string, relDir: string, name: string, kind: 'file' | 'directory' | 'link' | 'other'): Promise<void> => {
    const relRaw = relDir === '' ? name : `${relDir}/${name}`
    const absPath = path.join(absDir, name)
    let isDir = kind === 'directory'
    let real = absPath
    let size = 0
    if (kind === 'link') {
      // A link is judged by what it leads to, and where that is.
      const target = await stat(absPath).catch((error: unknown) => error as NodeJS.ErrnoException)
      if (target instanceof Error) {
        if (leftOut(relRaw, false)) return
        if (isErrnoCode(target, 'ENOENT')) {
          throw new WprmError(
            'source-invalid',
            `The link ${relRaw} in the source points to nothing.`,
            'Remove the broken link, or list it in .distignore.'
          )
        }
        throw target
      }
      isDir = target.isDirectory()
      if (leftOut(relRaw, isDir)) return
      real = await realpath(absPath)
      if (!isInside(root, real)) {
        throw new WprmError(
          'source-invalid',
          `The link ${relRaw} leads outside the source folder (to ${real}).`,
          'A build takes files from inside the plugin folder only: replace the link with the file itself, or list it in .distignore.'
        )
      }
      if (!isDir && !target.isFile()) return
      size = target.size
    } else if (kind === 'other' || leftOut(relRaw, isDir)) {
      // Sockets, pipes and devices have no place in a plugin and are passed over.
      return
    }
    const relPath = relRaw.normalize('NFC')
    const problem = fileNameProblem(relRaw)
    if (problem !== null) {
      throw new WprmError(
        'source-invalid',
        `${quoted(relRaw)} in the source ${problem}.`,
        'Rename it (letters, digits, "-", "_", "." and spaces travel well), or list it in .distignore.'
      )
    }
    const clash = byNormalName.get(relPath)
    if (clash !== undefined) {
      throw new WprmError(
        'source-invalid',
        `Two names in the source are the same once normalized: ${clash} and ${relRaw}.`,
        'Rename one of them.'
      )
    }
    byNormalName.set(relPath, relRaw)
    const caseClash = byCaseKey.get(caseFoldKey(relPath))
    if (caseClash !== undefined) {
      const [first, second] = [caseClash, relRaw].sort(compareUtf8)
      throw new WprmError(
        'source-invalid',
        `${quoted(first!)} and ${quoted(second!)} in the source differ only in case: unpacked on macOS or Windows, one would overwrite the other.`,
        'Rename one of them, or list one in .distignore.'
      )
    }
    byCaseKey.set(caseFoldKey(relPath), relRaw)
    if (isDir) {
      if (kind === 'link') {
        if (seenDirs.has(real)) return // a link back into a folder already walked: its files are there
        seenDirs.add(real)
      }
      await walk(absPath, relRaw)
      return
    }
    if (kind === 'file') size = (await stat(absPath)).size
    if (size > ZIP32_LIMITS.bytes) throw tooLarge(`${quoted(relRaw)} in the source is ${bytes(size)}`)
    files.push({ relPath, kind: 'file', absPath: real, size })
    onProgress?.(files.length)
  }

  // Every folder's entries are looked at together: the file system calls overlap on libuv's pool
  // instead of waiting for each other (the walk of a 3,000-file tree went from ~0.6 s to ~0.1 s).
  const walk = async (absDir: string, relDir: string): Promise<void> => {
    let entries: Dirent[]
    try {
      entries = await readdir(absDir, { withFileTypes: true })
    } catch (error) {
      if (isErrnoCode(error, 'EACCES')) {
        throw new WprmError(
          'source-invalid',
          `The folder ${relDir || '.'} in the source cannot be read (permission denied).`,
          'Fix its permissions, or list it in .distignore.'
        )
      }
      throw error
    }
    await Promise.all(
      entries.map((entry) =>
        visit(
          absDir,
          relDir,
          entry.name,
          entry.isSymbolicLink() ? 'link' : entry.isDirectory() ? 'directory' : entry.isFile() ? 'file' : 'other'
        )
      )
    )
  }
  await walk(root, '')

  const dirs = new Set<string>()
  for (const file of files) {
    for (let cut = file.relPath.lastIndexOf('/'); cut > 0; cut = file.relPath.lastIndexOf('/', cut - 1)) {
      dirs.add(file.relPath.slice(0, cut))
    }
  }
  assertZip32Fits(files, dirs)
  const entries: SourceEntry[] = [
    ...files,
    ...[...dirs].map((dir): SourceEntry => ({ relPath: dir, kind: 'directory', absPath: path.join(root, dir), size: 0 }))
  ]
  // Folders sort as "name/" so that they come right before their contents.
  const key = (entry: SourceEntry): string => (entry.kind === 'directory' ? `${entry.relPath}/` : entry.relPath)
  return entries.sort((a, b) => compareUtf8(key(a), key(b)))
}
