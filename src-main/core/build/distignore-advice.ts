import type { UnsafeFile } from '../../../src-shared/model.js'
import { distignoreLinesFor } from './secret-guard.js'
import type { SourceEntry } from './source-files.js'

/**
 * The `.distignore` to suggest to a plugin that has none: `wp dist-archive` warns that everything ships
 * without one, and so do we, with the lines that would leave out what the default list does not.
 */

/** Top-level development files the default list keeps (they are harmless, but no site needs them). */
const DEVELOPMENT_FILES: readonly RegExp[] = [
  /^(README|CHANGELOG|CONTRIBUTING|CODE_OF_CONDUCT|CREDITS|SECURITY|AGENTS|UPGRADING)\.md$/i,
  /^(tsconfig|jsconfig)\.json$/i,
  /^(playwright|jest|vite|vitest|rollup|postcss|tailwind|babel|cypress)\.config\.[cm]?[jt]s$/i,
  /^(Makefile|Dockerfile|docker-compose\.ya?ml|wp-cli\.yml|behat\.yml|codecov\.yml|\.actrc|\.wordpress-version-checker\.json)$/i
]

/** Top-level folders that hold development work, not plugin code. */
const DEVELOPMENT_FOLDERS: readonly RegExp[] = [/^(docs|bin|e2e|phpunit|cypress|\.husky|\.storybook|\.changeset)$/i]

/**
 * The suggested lines, in the order a person would write them: development files and folders at the
 * top, `/src/` when it holds no PHP (sources a build compiles), then whatever the guard flagged.
 */
export function suggestDistignoreLines(sources: readonly SourceEntry[], unsafe: readonly UnsafeFile[]): string[] {
  const lines: string[] = []
  const top = new Set(sources.map((entry) => entry.relPath.split('/')[0]!))
  const folders = new Set(sources.filter((e) => e.relPath.includes('/')).map((e) => e.relPath.split('/')[0]!))
  for (const name of [...top].sort()) {
    if (folders.has(name) && DEVELOPMENT_FOLDERS.some((rule) => rule.test(name))) lines.push(`/${name}/`)
    else if (!folders.has(name) && DEVELOPMENT_FILES.some((rule) => rule.test(name))) lines.push(`/${name}`)
  }
  const src = sources.filter((e) => e.kind === 'file' && e.relPath.startsWith('src/'))
  if (src.length > 0 && !src.some((e) => /\.php$/i.test(e.relPath))) lines.push('/src/')
  return [...lines, ...distignoreLinesFor(unsafe)]
}

/** The suggested `.distignore` as a file, or null when there is nothing to add to the defaults. */
export function suggestDistignore(sources: readonly SourceEntry[], unsafe: readonly UnsafeFile[]): string | null {
  const lines = suggestDistignoreLines(sources, unsafe)
  if (lines.length === 0) return null
  return ['# .distignore: what the ZIP leaves out, in gitignore syntax (`!path` puts a default back).', ...lines, ''].join('\n')
}

/** The build's warning for a plugin without a `.distignore`, naming the lines to start one with. */
export function missingDistignoreWarning(slug: string, sources: readonly SourceEntry[]): string {
  const lines = suggestDistignoreLines(sources, [])
  const suggestion = lines.length === 0 ? '' : ` Suggested: ${lines.join(' ')}.`
  return `No .distignore: only the default list leaves files out of the ZIP (see \`wprm files ${slug}\`).${suggestion}`
}
