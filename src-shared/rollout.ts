import type { PluginVersionRecord, StagedRollout, RolloutStep } from './model.js'
import { WprmError } from './errors.js'
import { compareVersions, isLive, isPrerelease } from './versions.js'

/**
 * Staged rollouts: a version offered to a share of sites that grows by steps at absolute times, written
 * into the manifest so that every site works out the share itself (no server process advances it).
 *
 * A site is in the rollout while its bucket (0–9,999, from the SHA-256 of its site id, which already
 * names the plugin) is below percent × 100: the same sites go first, and a site in at 10 % is in at
 * 50 %. Sites outside are offered the version below (the manifest's top fields, the stable offer). The
 * updater's own copy of these rules is `WPRM_Updater_Offer_1_0` in resources/wordpress/wprm-updater.php.
 */

/** Buckets per site, as the updater's BUCKETS: a percent is 100 of them, so shares are exact to 0.01 %. */
export const ROLLOUT_BUCKETS = 10_000

/**
 * A site's rollout bucket, 0–9,999, from its site id (the SHA-256 hex the install report sends as `site`), as
 * `WPRM_Updater_Offer_1_0::bucket` works it out: its first 8 characters read as hex, modulo 10,000. PHP's
 * hexdec skips what is not a hex digit, so this does too; 8 digits are enough, which is why the statistics'
 * site key (the first 16) gives every site's bucket.
 */
export function siteBucket(siteId: string): number {
  const head = siteId.slice(0, 8)
  // The usual case, 8 hex digits, without a regular expression (a report counts every active site).
  const whole = head.length === 8 ? Number(`0x${head}`) : NaN
  if (!Number.isNaN(whole)) return whole % ROLLOUT_BUCKETS
  const digits = head.replace(/[^0-9a-fA-F]/g, '')
  return digits === '' ? 0 : Number.parseInt(digits, 16) % ROLLOUT_BUCKETS
}

/** True when a site of `bucket` is in a rollout at `percent` (0–100): bucket < percent × 100, as the updater decides. */
export function inRolloutShare(bucket: number, percent: number): boolean {
  return bucket < percent * (ROLLOUT_BUCKETS / 100)
}

/** The hint every refusal of 0 % gives: a rollout never stops one, a halt or a rollback does. */
const ZERO_HINT =
  '0 % is not a kill switch: to stop new sites getting it, use --halt (--resume goes on); to take it back from every site, wprm rollback.'

/**
 * A percentage as typed (`10`, `10%`): a whole number from 1 to 100. A fraction is refused with what it
 * would mean, since rollouts elsewhere take fractions (electron-updater's 0.1 is 10 %).
 */
export function parsePercent(input: string): number {
  const text = input.trim().replace(/%$/, '')
  if (/^\d+$/.test(text)) {
    const percent = Number(text)
    if (percent === 0) throw new WprmError('usage', 'A rollout cannot be at 0 %.', ZERO_HINT)
    if (percent <= 100) return percent
    throw new WprmError(
      'usage',
      `${JSON.stringify(input)} is more than 100 %.`,
      'Give a whole percent from 1 to 100; 100 offers it to every site.'
    )
  }
  if (/^\d*\.\d+$/.test(text)) {
    const value = Number(text)
    const asPercent =
      value > 0 && value <= 1
        ? ` If you meant the fraction ${text} of sites, that is ${Math.round(value * 100)} %: write ${Math.round(value * 100)}.`
        : ''
    throw new WprmError(
      'usage',
      `${JSON.stringify(input)} is not a whole percent: rollout percentages are whole numbers from 1 to 100 (10 means 10 % of sites).`,
      `Give a whole percent.${asPercent}`
    )
  }
  throw new WprmError(
    'usage',
    `${JSON.stringify(input)} is not a percentage.`,
    'Give a whole percent from 1 to 100, for example --percent 10.'
  )
}

const HOURS: Readonly<Record<string, number>> = { m: 1 / 60, h: 1, d: 24 }

/**
 * A schedule as typed, `5%@0h,25%@24h,100%@72h` (offsets in m, h or d after `now`), as steps at absolute
 * times. Percentages rise and times move forward from step to step.
 */
export function parseSchedule(input: string, now: Date): RolloutStep[] {
  const parts = input.split(',').map((part) => part.trim())
  const steps: RolloutStep[] = []
  for (const part of parts) {
    const match = /^([^@]+)@(\d+)([mhd])$/.exec(part)
    if (match === null) {
      throw new WprmError(
        'usage',
        `${JSON.stringify(part)} is not a step of a schedule.`,
        'Write the schedule as PERCENT%@OFFSET steps, offsets in m, h or d from now: --schedule 5%@0h,25%@24h,100%@72h.'
      )
    }
    const percent = parsePercent(match[1]!)
    const at = new Date(now.getTime() + Number(match[2]) * HOURS[match[3]!]! * 3_600_000)
    const previous = steps[steps.length - 1]
    if (previous !== undefined && (percent <= previous.percent || at.getTime() <= Date.parse(previous.at))) {
      throw new WprmError(
        'usage',
        `The schedule's step ${JSON.stringify(part)} does not come after ${previous.percent} %: each step needs a higher percentage at a later time.`,
        'Order the steps by time with rising percentages: 5%@0h,25%@24h,100%@72h.'
      )
    }
    steps.push({ percent, at: at.toISOString() })
  }
  return steps
}

/** The percentage the schedule gives at `now`, halted or not (0 before its first step). */
export function scheduledPercent(rollout: StagedRollout, now: Date): number {
  const at = rollout.halted_at === null ? now.getTime() : Math.min(now.getTime(), Date.parse(rollout.halted_at))
  let percent = 0
  for (const step of rollout.steps) if (Date.parse(step.at) <= at) percent = step.percent
  return percent
}

/**
 * The share of sites that are offered the version at `now`: 0 while halted (sites that have it keep it;
 * no new site gets it), 100 for a forced release unless its rollout was asked to hold it too.
 */
export function offeredPercent(record: Pick<PluginVersionRecord, 'force_update' | 'rollout'>, now: Date): number {
  const rollout = record.rollout ?? null
  if (rollout === null || (record.force_update && !rollout.forced)) return 100
  return rollout.halted_at !== null ? 0 : scheduledPercent(rollout, now)
}

/** True when the version reaches every site at `now`: no rollout, or one at 100 % and not halted. */
export function fullyRolledOut(record: Pick<PluginVersionRecord, 'force_update' | 'rollout'>, now: Date): boolean {
  return offeredPercent(record, now) >= 100
}

/**
 * What the stable channel offers every site at `now`, whatever its bucket: the highest live stable version
 * that is fully rolled out. The manifest's top fields (what plugin-update-checker reads) describe it.
 */
export function stableOffer(versions: readonly PluginVersionRecord[], now: Date): PluginVersionRecord | null {
  let best: PluginVersionRecord | null = null
  for (const v of versions) {
    if (!isLive(v.status) || isPrerelease(v.version) || !fullyRolledOut(v, now)) continue
    if (best === null || compareVersions(v.version, best.version) > 0) best = v
  }
  return best
}

/**
 * A draft's rollout as it goes live at `at`: its steps move so that the first is at the release, keeping
 * their distances (a schedule set days before the release still starts at its first step).
 */
export function rolloutFromRelease(rollout: StagedRollout | null | undefined, at: string): StagedRollout | null {
  if (rollout === null || rollout === undefined) return null
  const shift = Date.parse(at) - Date.parse(rollout.steps[0]!.at)
  if (shift <= 0) return rollout
  return { ...rollout, steps: rollout.steps.map((step) => ({ ...step, at: new Date(Date.parse(step.at) + shift).toISOString() })) }
}

/** The next step of a schedule after `now`, or null when none is left (for the panel: "25 % at …"). */
export function nextStep(rollout: StagedRollout, now: Date): RolloutStep | null {
  return rollout.steps.find((step) => Date.parse(step.at) > now.getTime()) ?? null
}

/** A rollout in words: `25 % (halted)`, `10 %, 50 % at 2026-12-02T12:00:00.000Z`, `100 %`. */
export function describeRollout(record: Pick<PluginVersionRecord, 'force_update' | 'rollout'>, now: Date): string {
  const rollout = record.rollout ?? null
  if (rollout === null) return '100 % (no rollout)'
  if (record.force_update && !rollout.forced) return '100 % (forced release: the rollout is skipped)'
  const percent = scheduledPercent(rollout, now)
  if (rollout.halted_at !== null) return `halted at ${percent} % since ${rollout.halted_at} (no new site gets it)`
  const next = nextStep(rollout, now)
  return next === null ? `${percent} %` : `${percent} %, ${next.percent} % at ${next.at}`
}

/**
 * The version a halt or resume without a version means: the one live version whose rollout is running
 * (for a halt) or halted (for a resume); refused when there is none, or more than one.
 */
export function rollingVersion(versions: readonly PluginVersionRecord[], halted: boolean, now: Date): string {
  const slug = versions[0]?.plugin ?? 'the plugin'
  const rolling = versions.filter((v) => {
    const rollout = v.rollout ?? null
    if (!isLive(v.status) || rollout === null) return false
    return halted ? rollout.halted_at !== null : rollout.halted_at === null && offeredPercent(v, now) < 100
  })
  if (rolling.length === 1) return rolling[0]!.version
  throw new WprmError(
    rolling.length === 0 ? 'not-found' : 'usage',
    rolling.length === 0
      ? `${slug} has no ${halted ? 'halted rollout' : 'rollout in progress'}.`
      : `${slug} has ${rolling.length} ${halted ? 'halted rollouts' : 'rollouts in progress'} (${rolling.map((v) => v.version).join(', ')}).`,
    `Name the version: wprm rollout ${slug} <version> ${halted ? '--resume' : '--halt'}.`
  )
}

/** The steps the panel's "advance" moves through, after Sparkle's and the stores' usual phases. */
export const ROLLOUT_LADDER: readonly number[] = [1, 5, 10, 25, 50, 100]

/** The next percentage up the ladder from `percent` (100 once it is at or past the last step below). */
export function nextPercent(percent: number): number {
  return ROLLOUT_LADDER.find((step) => step > percent) ?? 100
}

/**
 * The versions a rollout can be set on, newest first: drafts (it starts at their release) and live
 * versions with a rollout (to advance, halt or resume). A live version without one reached every site.
 */
export function rolloutCandidates(versions: readonly PluginVersionRecord[]): PluginVersionRecord[] {
  return versions
    .filter((v) => v.status === 'draft' || (isLive(v.status) && (v.rollout ?? null) !== null))
    .sort((a, b) => compareVersions(b.version, a.version))
}

/** How a rollout changes: set at a percentage now, set to a schedule, halted, resumed. */
export type RolloutChange =
  | { readonly kind: 'percent'; readonly percent: number }
  | { readonly kind: 'schedule'; readonly steps: readonly RolloutStep[] }
  | { readonly kind: 'halt' }
  | { readonly kind: 'resume' }

/**
 * The version record a rollout change writes at `now`, or a refusal that says why: the version must be a
 * draft or live and not withdrawn, a halt needs a running rollout, a resume a halted one, and a forced
 * release takes a rollout only with `includeForced` (it is meant to reach every site at once).
 */
export function planRolloutChange(
  versions: readonly PluginVersionRecord[],
  version: string,
  change: RolloutChange,
  now: Date,
  includeForced = false
): PluginVersionRecord {
  const record = versions.find((v) => v.version === version)
  const slug = versions[0]?.plugin ?? 'the plugin'
  if (record === undefined)
    throw new WprmError('not-found', `${slug} has no version ${version}.`, `List its versions with: wprm list ${slug}.`)
  if (!(record.status === 'draft' || isLive(record.status))) {
    throw new WprmError(
      'invalid-transition',
      `${version} is ${record.status}: only a draft or a live version can be rolled out.`,
      'Release a new version with a rollout instead.'
    )
  }
  const at = now.toISOString()
  const current = record.rollout ?? null
  const write = (rollout: StagedRollout | null): PluginVersionRecord => ({ ...record, rollout, updated_at: at })
  if (change.kind === 'halt') {
    if (
      current === null ||
      current.halted_at !== null ||
      scheduledPercent(current, now) >= 100 ||
      (record.force_update && !current.forced)
    ) {
      throw new WprmError(
        'invalid-transition',
        `${version} has no rollout in progress to halt (${describeRollout(record, now)}).`,
        `To take it back from the sites that have it, roll back: wprm rollback ${slug} --to <the version below>.`
      )
    }
    return write({ ...current, halted_at: at })
  }
  if (change.kind === 'resume') {
    if (current === null || current.halted_at === null) {
      throw new WprmError('invalid-transition', `The rollout of ${version} is not halted.`, 'Nothing to resume.')
    }
    // The steps still ahead keep their distance from the halt: a day's pause moves each of them by a day.
    const paused = now.getTime() - Date.parse(current.halted_at)
    const steps = current.steps.map((step) =>
      Date.parse(step.at) > Date.parse(current.halted_at!) ? { ...step, at: new Date(Date.parse(step.at) + paused).toISOString() } : step
    )
    return write({ ...current, steps, halted_at: null })
  }
  if (record.force_update && !includeForced) {
    throw new WprmError(
      'usage',
      `${version} is a forced (emergency) release: it skips rollouts and reaches every site at once.`,
      'Add --include-forced to roll it out in steps anyway.'
    )
  }
  const steps = change.kind === 'percent' ? [{ percent: change.percent, at }] : change.steps
  if (isLive(record.status) && current === null && steps[0]!.percent < 100) {
    throw new WprmError(
      'invalid-transition',
      `${version} is already live on every site: a rollout cannot take it back from the sites that have it.`,
      `Set a rollout on the draft before it is released (wprm rollout ${slug} <version> --percent 10, then wprm release), or roll back.`
    )
  }
  const forced = record.force_update
  const next = write(steps.length === 1 && steps[0]!.percent === 100 && current === null ? null : { steps, halted_at: null, forced })
  const baseline = stableOffer(
    versions.map((v) => (v.version === version ? { ...next, status: isLive(next.status) ? next.status : 'released' } : v)),
    now
  )
  if (!isPrerelease(version) && baseline === null) {
    throw new WprmError(
      'invalid-transition',
      `${slug} has no fully rolled-out stable version below ${version}: sites outside the rollout would have nothing to be offered.`,
      'Release the first version to every site; roll out the versions after it.'
    )
  }
  return next
}
