// Single functions, not the whole package: the renderer bundles these rules too.
import semverCompare from 'semver/functions/compare.js'
import semverParse from 'semver/functions/parse.js'
import type { PluginVersionRecord, VersionStatus } from './model.js'
import { WprmError } from './errors.js'

/** The tags a pre-release may carry, lowest first (semver and PHP's version_compare order them alike). */
export const PRERELEASE_TAGS = ['alpha', 'beta', 'rc'] as const

/** A pre-release tag: `beta` and 1 for `-beta.1`. */
export interface Prerelease {
  readonly tag: (typeof PRERELEASE_TAGS)[number]
  readonly number: number
}

/** The parts of a `MAJOR.MINOR.PATCH` version, with its pre-release tag (`-beta.1`) when it has one. */
export interface VersionParts {
  readonly major: number
  readonly minor: number
  readonly patch: number
  readonly prerelease?: Prerelease
}

/** A release channel: `stable` never offers a pre-release; `beta` offers both. */
export type Channel = 'stable' | 'beta'

const STRICT_VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-(alpha|beta|rc)\.([1-9]\d?))?$/

/**
 * Checks a version typed by a user and returns its parts.
 *
 * `MAJOR.MINOR.PATCH`, optionally with one pre-release tag `-alpha.N`, `-beta.N` or `-rc.N` (N from 1 to
 * 99): within that form semver's precedence and PHP's `version_compare` (what WordPress, plugin-update-checker
 * and our updater compare with) agree, which they do not for tags in general (`-preview`, `-beta1`). The
 * version code would collide for a MINOR or PATCH of 100 or more; build tags (`+…`) mean nothing to sites.
 */
export function parseVersion(input: string): VersionParts {
  const text = input.trim()
  const refuse = (why: string, hint: string): never => {
    // Quoted as JSON: a line break or a control character typed with the version shows as \n, on one line.
    throw new WprmError('invalid-version', `${JSON.stringify(input)} is not a valid version: ${why}.`, hint)
  }
  if (text === '') refuse('it is empty', 'Give a version as MAJOR.MINOR.PATCH, for example 1.2.0.')
  if (/^v/i.test(text)) refuse('it starts with "v"', `Leave the "v" out: ${text.slice(1)}.`)
  const tagged = /[-+]/.test(text) ? semverParse(text) : null
  if (tagged !== null && tagged.build.length > 0) {
    refuse(
      'build tags (+…) are not supported',
      `Leave the build tag out: ${tagged.major}.${tagged.minor}.${tagged.patch}${tagged.prerelease.length > 0 ? `-${tagged.prerelease.join('.')}` : ''}.`
    )
  }
  if (tagged !== null && !STRICT_VERSION.test(text)) {
    const base = `${tagged.major}.${tagged.minor}.${tagged.patch}`
    refuse(
      'its pre-release tag is not -alpha.N, -beta.N or -rc.N',
      `Write the tag as one of those with a number from 1 to 99, for example ${base}-beta.1 or ${base}-rc.2 (sites compare other tags differently).`
    )
  }
  if (/^\d+(\.\d+)?$/.test(text)) refuse('it needs three parts', 'Write all three parts, for example 1.2.0 for "1.2".')
  if (/^\d+\.\d+\.\d+$/.test(text) && !STRICT_VERSION.test(text)) {
    refuse('a part has a leading zero', 'Write the parts without leading zeros, for example 1.2.3 for "01.2.3".')
  }
  const match = STRICT_VERSION.exec(text)
  if (!match) refuse('it is not MAJOR.MINOR.PATCH', 'Give a version as MAJOR.MINOR.PATCH, for example 1.2.0.')
  const [major, minor, patch] = match!.slice(1, 4).map(Number) as [number, number, number]
  if (minor > 99 || patch > 99) {
    refuse(
      `the ${minor > 99 ? 'MINOR' : 'PATCH'} part is 100 or more, so its version code would collide (1.100.0 and 2.0.0 both give 20000)`,
      'Keep MINOR and PATCH below 100; move to the next MAJOR or MINOR instead.'
    )
  }
  if (major > 21473) refuse('the MAJOR part is too large', 'Keep MAJOR below 21474.')
  const tag = match![4] as Prerelease['tag'] | undefined
  return tag === undefined ? { major, minor, patch } : { major, minor, patch, prerelease: { tag, number: Number(match![5]) } }
}

/**
 * A version in the one form it is stored, named and written in: checked, without the spaces or line
 * break around it (`" 1.2.4"` and `"1.2.5\n"` are 1.2.4 and 1.2.5). Every door that takes a version
 * goes through here, so a ZIP name or a header never gets the text as it was typed.
 */
export function normalizeVersion(input: string): string {
  const { major, minor, patch, prerelease } = parseVersion(input)
  return `${major}.${minor}.${patch}${prerelease === undefined ? '' : `-${prerelease.tag}.${prerelease.number}`}`
}

/** True for a pre-release (`1.4.0-beta.1`): offered on the beta channel only. */
export function isPrerelease(version: string): boolean {
  return /-/.test(version)
}

/** The channel a version is published on: `beta` for a pre-release, else `stable`. */
export function channelOf(version: string): Channel {
  return isPrerelease(version) ? 'beta' : 'stable'
}

/**
 * The numeric version code of the system we replace: MAJOR*10000 + MINOR*100 + PATCH. A pre-release has
 * the code of the release it leads to (1.4.0-beta.1 and 1.4.0 are both 10400): the code names the
 * release; the order of versions is semver's, on the version itself (1.4.0-alpha.1 < 1.4.0-beta.1 <
 * 1.4.0-rc.1 < 1.4.0).
 */
export function versionCode(version: string): number {
  const { major, minor, patch } = parseVersion(version)
  return major * 10000 + minor * 100 + patch
}

/** The version code of a text typed so far, or null while it is not a valid version (form previews). */
export function versionCodeOrNull(text: string): number | null {
  try {
    return versionCode(text)
  } catch (error) {
    if (error instanceof WprmError) return null
    throw error
  }
}

/** Orders versions ascending (for `sort`). */
export function compareVersions(a: string, b: string): number {
  return semverCompare(a, b)
}

/** The highest of the given versions, or null when there are none. */
export function highestVersion(versions: readonly string[]): string | null {
  return versions.length === 0 ? null : [...versions].sort(compareVersions)[versions.length - 1]!
}

/**
 * Refuses a new version unless it is valid, new, and higher than every version it must follow: a
 * pre-release every version the plugin has, a stable version every stable one (a 1.3.1 fix may follow a
 * 1.4.0-beta.1: beta sites stay on the higher beta, stable sites take the fix).
 */
export function assertNewVersionAllowed(version: string, existing: readonly string[]): void {
  parseVersion(version)
  if (existing.includes(version)) {
    throw new WprmError('already-exists', `Version ${version} already exists.`, 'Choose a higher version; `wprm next <slug>` suggests one.')
  }
  const highest = highestVersion(isPrerelease(version) ? existing : existing.filter((v) => !isPrerelease(v)))
  if (highest !== null && compareVersions(version, highest) <= 0) {
    throw new WprmError(
      'version-not-higher',
      `Version ${version} is not higher than ${highest}, the plugin's highest version.`,
      `Sites never install a lower version as an update. Use a version above ${highest}, or roll back to an older one instead.`
    )
  }
}

/**
 * Why a version typed into a form cannot be added, in the core's own words (message and hint), or null:
 * the form says it before anything is sent, with the rule that `addVersion` applies.
 */
export function newVersionProblem(text: string, existing: readonly string[]): string | null {
  try {
    assertNewVersionAllowed(normalizeVersion(text), existing)
    return null
  } catch (error) {
    if (error instanceof WprmError) return `${error.message} ${error.hint}`
    throw error
  }
}

/** The next patch, minor and major versions after the latest (from 1.0.0 when there is none). */
export function suggestNext(latest: string | null): { patch: string; minor: string; major: string } {
  if (latest === null) return { patch: '1.0.0', minor: '1.0.0', major: '1.0.0' }
  const { major, minor, patch, prerelease } = parseVersion(latest)
  // After 1.4.0-rc.2 the next patch is 1.4.0 itself: the release the pre-releases led to.
  if (prerelease !== undefined)
    return { patch: `${major}.${minor}.${patch}`, minor: `${major}.${minor}.${patch}`, major: `${major + 1}.0.0` }
  // A part never reaches 100 (the version code would collide): it carries into the next part instead.
  const nextMinor = minor >= 99 ? `${major + 1}.0.0` : `${major}.${minor + 1}.0`
  return {
    patch: patch >= 99 ? nextMinor : `${major}.${minor}.${patch + 1}`,
    minor: nextMinor,
    major: `${major + 1}.0.0`
  }
}

/** The header's version when it is a valid one, else null (a header such as "2.1" or "1.0-beta" suggests nothing). */
function validOrNull(version: string | null): string | null {
  if (version === null) return null
  try {
    parseVersion(version)
    return version.trim()
  } catch (error) {
    if (error instanceof WprmError) return null
    throw error
  }
}

/**
 * The suggestions for a plugin's first version: the source header's version (a plugin that has been
 * released elsewhere at 5.0.2 goes on from 5.0.2, never from 1.0.0), else 1.0.0.
 */
export function suggestFirst(headerVersion: string | null): { patch: string; minor: string; major: string } {
  const header = validOrNull(headerVersion)
  // As with 1.0.0, the first version has one suggestion, whatever part is asked for.
  return header === null ? suggestNext(null) : { patch: header, minor: header, major: header }
}

/**
 * Refuses a first version lower than the source header's: sites that run the plugin at the header's
 * version would never take it as an update.
 */
export function assertFirstVersionFromSource(version: string, headerVersion: string | null): void {
  const header = validOrNull(headerVersion)
  if (header === null || compareVersions(version, header) >= 0) return
  throw new WprmError(
    'version-not-higher',
    `Version ${version} is lower than ${header}, the version in the source's header, and it would be the plugin's first.`,
    `Sites running ${header} would never install it. Start from ${header} (wprm next <slug> suggests it), or correct the header.`
  )
}

const ALLOWED_TRANSITIONS: Readonly<Record<VersionStatus, readonly VersionStatus[]>> = {
  draft: ['released', 'update_ready'],
  released: ['update_ready', 'deprecated'],
  update_ready: ['deprecated'],
  deprecated: ['released']
}

/** True for the statuses sites are offered. */
export function isLive(status: VersionStatus): boolean {
  return status === 'released' || status === 'update_ready'
}

/** Refuses a status change the workflow does not allow, saying which ones it does. */
export function assertTransitionAllowed(version: string, from: VersionStatus, to: VersionStatus): void {
  if (from === to) {
    throw new WprmError('invalid-transition', `Version ${version} is already ${to}.`, 'Nothing to change.')
  }
  const allowed = ALLOWED_TRANSITIONS[from]
  if (!allowed.includes(to)) {
    const options = allowed.length === 0 ? 'none' : allowed.join(' or ')
    const hint =
      from === 'update_ready' && to === 'released'
        ? 'An update-ready version is already live; deprecate it to withdraw it.'
        : `From ${from}, a version can become ${options}.`
    throw new WprmError('invalid-transition', `Version ${version} cannot go from ${from} to ${to}.`, hint)
  }
}

/**
 * The highest live stable version of a plugin: what the stable channel is offered (the manifest's top
 * fields, `-latest.zip`). Live pre-releases are offered to beta sites beside it (`latestLiveBeta`).
 */
export function latestLive(versions: readonly PluginVersionRecord[]): PluginVersionRecord | null {
  return highestLive(versions.filter((v) => !isPrerelease(v.version)))
}

/** The highest live version of any channel: what a beta site is offered (before rollouts). */
export function latestLiveBeta(versions: readonly PluginVersionRecord[]): PluginVersionRecord | null {
  return highestLive(versions)
}

function highestLive(versions: readonly PluginVersionRecord[]): PluginVersionRecord | null {
  let best: PluginVersionRecord | null = null
  for (const record of versions) {
    if (isLive(record.status) && (best === null || compareVersions(record.version, best.version) > 0)) best = record
  }
  return best
}
