import type { ChangeStatusResult, RolloutInput } from '../../../src-shared/model.js'
import { publishJob } from '../../../src-shared/jobs.js'
import type { RolloutChange } from '../../../src-shared/rollout.js'
import { describeRollout, parsePercent, parseSchedule, planRolloutChange, rollingVersion } from '../../../src-shared/rollout.js'
import { withRecords } from '../../../src-shared/status-plan.js'
import { isLive, normalizeVersion } from '../../../src-shared/versions.js'
import { requirePlugin, versionsOf } from '../db/lookups.js'
import { recordActivity } from '../db/store.js'
import { WprmError } from '../errors.js'
import type { ReleaseContext } from './context.js'
import { changePlugin, commitChange, publishVersions } from './plugin-change.js'

/** The one change an input asks for; refused when it asks for none or for more than one. */
export function rolloutChange(input: RolloutInput, now: Date): RolloutChange {
  const asked = [input.percent !== undefined, input.schedule !== undefined, input.halt === true, input.resume === true].filter(Boolean)
  if (asked.length !== 1) {
    throw new WprmError(
      'usage',
      asked.length === 0 ? 'Say how to roll it out.' : 'Give one of --percent, --schedule, --halt and --resume.',
      'wprm rollout <slug> <version> (--percent 10 | --schedule 5%@0h,25%@24h,100%@72h | --halt | --resume)'
    )
  }
  if (input.percent !== undefined) return { kind: 'percent', percent: parsePercent(input.percent) }
  if (input.schedule !== undefined) return { kind: 'schedule', steps: parseSchedule(input.schedule, now) }
  return input.halt === true ? { kind: 'halt' } : { kind: 'resume' }
}

/**
 * Sets, advances, halts or resumes a version's staged rollout. A draft keeps it for its release; a live
 * version's change is published at once (the manifest carries it, with absolute times), and recorded
 * only once the server has it.
 */
export function setRollout(ctx: ReleaseContext, input: RolloutInput): Promise<ChangeStatusResult> {
  const { slug } = input
  const purpose = `rollout ${slug} ${input.version ?? ''}`.trim()
  return changePlugin(ctx, slug, purpose, async () => {
    const snapshot = await ctx.store.read()
    const plugin = requirePlugin(snapshot, slug)
    const now = ctx.now()
    const versions = versionsOf(snapshot, slug)
    const version =
      input.version !== undefined
        ? normalizeVersion(input.version)
        : input.halt === true || input.resume === true
          ? rollingVersion(versions, input.resume === true, now)
          : (() => {
              throw new WprmError('usage', 'Name the version to roll out.', `wprm rollout ${slug} <version> --percent 10`)
            })()
    const next = planRolloutChange(versions, version, rolloutChange(input, now), now, input.includeForced === true)
    const before = versions.find((v) => v.version === version)!
    const all = withRecords(versions, [next])
    const published = isLive(next.status)
      ? await publishVersions(ctx, snapshot, plugin, all, publishJob(slug), { retryCommand: `wprm rollout ${slug} ${version} …` })
      : null
    const summary = `Rollout of ${version}: ${describeRollout(next, now)}${published === null ? '' : ' (published)'}`
    await commitChange(ctx, purpose, snapshot, slug, published, (db) => {
      const index = db.versions.findIndex((v) => v.plugin === slug && v.version === version)
      db.versions[index] = next
      recordActivity(db, {
        at: now.toISOString(),
        plugin: slug,
        version,
        action: 'version.rollout',
        summary,
        changes: { rollout: [JSON.stringify(before.rollout ?? null), JSON.stringify(next.rollout ?? null)] }
      })
    })
    return { versions: [next], builds: [], publish: published?.result ?? null }
  })
}
