import type { ServerProfile } from '../../../src-shared/model.js'
import { statsJob } from '../../../src-shared/jobs.js'
import type { StatsPullResult, StatsReport, StatsServerPull } from '../../../src-shared/stats.js'
import { ACTIVE_WINDOW_DAYS, buildStatsReport } from '../../../src-shared/stats.js'
import { WprmError } from '../errors.js'
import { requirePlugin, requireServer, versionsOf } from '../db/lookups.js'
import { SftpSession } from '../remote/sftp-session.js'
import type { LogSource } from '../stats/log-source.js'
import { localLogSource, sftpLogSource } from '../stats/log-source.js'
import type { LogCursor, LogReadOutcome } from '../stats/log-reader.js'
import { readLog } from '../stats/log-reader.js'
import { emptyStatsFile, readStatsFile, withStatsLock, writeStatsFile } from '../stats/stats-file.js'
import { StatsFold } from '../stats/stats-fold.js'
import type { ReleaseContext } from './context.js'

/** How many days a report shows unless asked for another number. */
export const DEFAULT_REPORT_DAYS = 30

/**
 * Pulls what is new in the access logs of one plugin's server, or of every server that names logs and
 * has plugins. Each server's logs are read in one SFTP session (from this machine's disk for a `local`
 * server) and folded into every plugin published there; its statistics file is replaced once at the end, so a failed pull counts nothing.
 */
export async function pullStats(ctx: ReleaseContext, slug?: string): Promise<StatsPullResult> {
  const db = await ctx.store.read()
  let servers: ServerProfile[]
  if (slug !== undefined) {
    const plugin = requirePlugin(db, slug)
    if (plugin.server === null)
      throw new WprmError(
        'usage',
        `${slug} is not published to a server, so no log has its statistics.`,
        `Choose its server first: wprm plugin set ${slug} --server NAME.`
      )
    const server = requireServer(db, plugin.server)
    if (server.kind === 's3') throw cdnLogsNotRead(server.name)
    if (server.access_logs.length === 0)
      throw new WprmError(
        'usage',
        `Server ${server.name} names no access log.`,
        `Name the web server's log that serves ${server.public_url}: wprm server set ${server.name} --access-log /var/log/nginx/access.log.`
      )
    servers = [server]
  } else {
    servers = db.servers.filter((s) => s.access_logs.length > 0 && db.plugins.some((p) => p.server === s.name))
  }
  const pulledAt = ctx.now().toISOString()
  const pulls: StatsServerPull[] = []
  for (const server of servers) {
    const slugs = db.plugins.filter((p) => p.server === server.name).map((p) => p.slug)
    pulls.push(await pullServer(ctx, server, slugs, pulledAt, slug ?? ''))
  }
  return { pulled_at: pulledAt, servers: pulls }
}

async function pullServer(
  ctx: ReleaseContext,
  server: ServerProfile,
  slugs: readonly string[],
  pulledAt: string,
  jobSlug: string
): Promise<StatsServerPull> {
  const dataDir = ctx.store.dataDir
  return withStatsLock(dataDir, server.name, ctx.remoteLockWaitMs ?? 30_000, async () => {
    const before = (await readStatsFile(dataDir, server.name)) ?? emptyStatsFile(server.name)
    const fold = new StatsFold(
      { newestDay: before.newest_day, plugins: before.plugins },
      slugs,
      new URL(server.public_url).pathname,
      ctx.now()
    )
    const job = statsJob(jobSlug)
    const cursors: LogCursor[] = []
    const outcomes: LogReadOutcome[] = []
    const opened = await openLogSource(ctx, server)
    try {
      for (const logPath of server.access_logs) {
        const read = await readLog(opened.source, logPath, before.logs.find((c) => c.path === logPath) ?? null, {
          line: (text) => fold.line(text),
          progress: (file, done, total) => ctx.onProgress?.({ job, phase: 'read', done, total, label: `${server.name}: ${file}` })
        })
        cursors.push(read.cursor)
        outcomes.push(read.outcome)
      }
    } finally {
      await opened.close()
    }
    const folded = fold.finish()
    await writeStatsFile(dataDir, {
      ...before,
      newest_day: folded.newestDay,
      pulled_at: pulledAt,
      lines: {
        read: before.lines.read + fold.lines.read,
        malformed: before.lines.malformed + fold.lines.malformed,
        other: before.lines.other + fold.lines.other
      },
      logs: cursors,
      // Plugins no longer published here keep what was counted for them.
      plugins: { ...before.plugins, ...folded.plugins }
    })
    return { server: server.name, plugins: slugs, logs: outcomes, lines: fold.lines, read_from: server.kind === 'sftp' ? 'sftp' : 'disk' }
  })
}

/** The refusal for an `s3` server: its CDN's logs are elsewhere (CloudFront, Cloudflare), and not read yet. */
function cdnLogsNotRead(name: string): WprmError {
  return new WprmError(
    'usage',
    `Server ${name} is an S3 bucket behind a CDN: wprm does not read CDN logs yet.`,
    "Install statistics come from nginx or Apache access logs on sftp and local servers; keep the query string in your CDN's logs for later."
  )
}

/** Where a server's logs are read: over an SFTP session (closed after), or from this machine's disk. */
async function openLogSource(ctx: ReleaseContext, server: ServerProfile): Promise<{ readonly source: LogSource; close(): Promise<void> }> {
  switch (server.kind) {
    case 'local':
      return { source: localLogSource(server), close: async () => undefined }
    case 's3':
      throw cdnLogsNotRead(server.name)
    case 'sftp': {
      const session = await SftpSession.open(server, ctx.secrets, ctx.sessionOptions)
      return { source: sftpLogSource(session, server), close: () => session.close() }
    }
  }
}

/** A plugin's install statistics, from what the pulls stored, over the last `days` days. */
export async function getStats(ctx: ReleaseContext, slug: string, days = DEFAULT_REPORT_DAYS): Promise<StatsReport> {
  if (!Number.isInteger(days) || days < 1 || days > 3660)
    throw new WprmError('usage', `--days must be a whole number from 1 to 3660 (got ${days}).`, 'For a year, give --days 365.')
  const db = await ctx.store.read()
  const plugin = requirePlugin(db, slug)
  const stats = plugin.server === null ? null : await readStatsFile(ctx.store.dataDir, plugin.server)
  const state = stats?.plugins[slug]
  return buildStatsReport({
    slug,
    days: Object.values(state?.days ?? {}),
    versionsSeen: Object.entries(state?.versions ?? {}).map(([version, seen]) => ({ version, ...seen })),
    sites: Object.entries(state?.sites ?? {}).map(([id, [day, version]]) => ({ id, day, version })),
    releases: versionsOf(db, slug).map((v) => ({
      version: v.version,
      status: v.status,
      force_update: v.force_update,
      released_at: v.released_at,
      revoked_at: v.revoked_at,
      rollout: v.rollout ?? null
    })),
    pulledAt: stats?.pulled_at ?? null,
    lines: stats?.lines ?? null,
    windowDays: days
  })
}

/**
 * For the checklist after a rollback: how many active sites still ran a revoked version at the last
 * pull. Nothing when the plugin has no revoked version or no statistics; never an error (statistics
 * are no reason for a checklist to fail).
 */
export async function revokedSitesNotes(ctx: ReleaseContext, slug: string): Promise<string[]> {
  try {
    const report = await getStats(ctx, slug, ACTIVE_WINDOW_DAYS)
    const db = await ctx.store.read()
    const revoked = versionsOf(db, slug).filter((v) => v.revoked_at !== null)
    if (report.as_of === null || revoked.length === 0) return []
    const on = report.adoption.filter((a) => a.revoked && a.sites > 0).map((a) => `${a.key} (${a.sites})`)
    const when = `statistics of ${report.as_of}, pulled ${report.pulled_at ?? '-'}`
    return [
      on.length === 0
        ? `No active site runs a revoked version (${when}).`
        : `${report.revoked_sites} of ${report.active_sites} active sites still run a revoked version: ${on.join(', ')} (${when}; wprm stats pull ${slug} for newer).`
    ]
  } catch {
    return []
  }
}
