import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ServerProfile, StatsReport } from '../../src-preload/api.js'
import { makeTempDir, writePluginFolder } from '../fixtures/plugin-folder.js'
import { siteBucket } from '../../src-shared/rollout.js'
import { siteHash } from '../support/access-log.js'
import type { UpdateServer } from '../support/update-server.js'
import { startUpdateServer } from '../support/update-server.js'
import { runCli } from './run-cli.js'

let server: UpdateServer
let temp: { dir: string; cleanup: () => Promise<void> }
const wprm = (...args: string[]) => runCli(args, { dataDir: path.join(temp.dir, 'data') })
beforeAll(async () => {
  server = await startUpdateServer()
  temp = await makeTempDir('wprm-cli-stats-')
})
afterAll(async () => {
  await server?.stop()
  await temp?.cleanup()
})

describe('wprm stats on a real nginx access log', () => {
  it('names the log on the server profile, pulls it, and shows the counts the log holds', async () => {
    const profile = await server.profile('stats')
    expect((await wprm('plugin', 'add', await writePluginFolder(path.join(temp.dir, 'hello-wprm')))).code).toBe(0)
    const add = await wprm(
      ...['server', 'add', 'prod', '--host', profile.host, '--port', String(profile.port), '--user', profile.user],
      ...['--key', server.sshd.privateKeyPath, '--remote-root', profile.remoteRoot, '--public-url', profile.publicUrl],
      ...['--accept-host-key', server.sshd.hostKeyFingerprint, '--access-log', '/nowhere/access.log']
    )
    expect(add.code, add.stderr).toBe(0)
    expect((await wprm('server', 'set', 'prod')).code).toBe(2)
    expect((await wprm('server', 'set', 'prod', '--access-log', 'relative.log')).code).toBe(2)
    const set = await wprm('server', 'set', 'prod', '--access-log', server.nginx.accessLogPath)
    expect(set.code, set.stderr).toBe(0)
    expect(set.stdout).toContain(`reads install statistics from ${server.nginx.accessLogPath}`)
    const listed = JSON.parse((await wprm('--json', 'server', 'list')).stdout) as ServerProfile[]
    expect(listed[0]!.access_logs).toEqual([server.nginx.accessLogPath])
    expect((await wprm('plugin', 'set', 'hello-wprm', '--server', 'prod')).code).toBe(0)
    expect((await wprm('version', 'add', 'hello-wprm', '1.0.0', '--changelog', 'First', '--status', 'released')).code).toBe(0)

    // Real requests for 30 sites on two versions, plus a check without a report, a 404 and a download.
    const manifest = `${profile.publicUrl}hello-wprm/info.json`
    for (let i = 0; i < 30; i++) {
      const query = new URLSearchParams({
        site: siteHash(`https://site-${i}.example`, 'hello-wprm'),
        installed: i < 12 ? '0.9.0' : '1.0.0',
        wp: i % 2 === 0 ? '6.4.5' : '6.7.1',
        php: '8.2.27',
        locale: 'de_DE',
        multisite: '0',
        channel: 'stable'
      })
      expect((await fetch(`${manifest}?${query}`)).status).toBe(200)
    }
    await fetch(manifest).then((r) => r.text())
    await fetch(`${profile.publicUrl}hello-wprm/missing.json`).then((r) => r.text())
    expect((await fetch(`${profile.publicUrl}hello-wprm/hello-wprm-v1.0.0.zip`).then((r) => r.arrayBuffer())).byteLength).toBeGreaterThan(0)

    const pulled = await wprm('stats', 'pull', 'hello-wprm')
    expect(pulled.code, pulled.stderr).toBe(0)
    expect(pulled.stdout).toContain(`${server.nginx.accessLogPath}: new: read ${server.nginx.accessLogPath}`)

    // The counts, computed here from nginx's own log.
    const log = await readFile(server.nginx.accessLogPath, 'utf8')
    const reports = [...log.matchAll(/"GET \/stats\/hello-wprm\/info\.json\?site=([0-9a-f]{64})&installed=([\d.]+)[^"]*" (?:200|304) /g)]
    const latest = new Map(reports.map((m) => [m[1]!, m[2]!]))
    const byVersion: Record<string, number> = {}
    for (const v of latest.values()) byVersion[v] = (byVersion[v] ?? 0) + 1
    expect(latest.size).toBe(30)

    const json = await wprm('--json', 'stats', 'hello-wprm')
    expect(json.code, json.stderr).toBe(0)
    const report = JSON.parse(json.stdout) as StatsReport
    expect(report.active_sites).toBe(latest.size)
    expect(Object.fromEntries(report.adoption.map((a) => [a.key, a.sites]))).toEqual(byVersion)
    expect(report.adoption.find((a) => a.key === '1.0.0')).toMatchObject({ status: 'released', revoked: false })
    expect(report.wp).toEqual([
      { key: '6.7', sites: 15, share: 0.5 },
      { key: '6.4', sites: 15, share: 0.5 }
    ])
    expect(report.downloads).toEqual([{ version: '1.0.0', downloads: 1 }])
    expect(report.unreported).toBe(1)
    expect(report.rollouts[0]).toMatchObject({ version: '1.0.0', days_to_50: 0, days_to_90: null, share_now: 0.6 })

    const text = await wprm('stats', 'hello-wprm', '--days', '7')
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^hello-wprm: 30 active sites/)
    expect(text.stdout).toMatch(/1\.0\.0\s+18\s+60\.0 %\s+released/)

    const again = await wprm('stats', 'pull')
    expect(again.code).toBe(0)
    expect(again.stdout).toContain(`${server.nginx.accessLogPath}: unchanged (1 SFTP request)`)
    expect((await wprm('stats', 'hello-wprm', '--days', 'x')).code).toBe(2)

    // After a rollback, the checklist says how many active sites still run the revoked version.
    expect((await wprm('version', 'add', 'hello-wprm', '1.1.0', '--changelog', 'Second', '--status', 'released')).code).toBe(0)
    for (let i = 30; i < 35; i++) {
      const query = new URLSearchParams({
        site: siteHash(`https://site-${i}.example`, 'hello-wprm'),
        installed: '1.1.0',
        wp: '6.7.1',
        php: '8.3.15'
      })
      expect((await fetch(`${manifest}?${query}`)).status).toBe(200)
    }
    expect((await wprm('stats', 'pull', 'hello-wprm')).code).toBe(0)
    const rollback = await wprm('rollback', 'hello-wprm', '--to', '1.0.0')
    expect(rollback.code, rollback.stderr).toBe(0)
    expect(rollback.stdout).toMatch(/note: 5 of 35 active sites still run a revoked version: 1\.1\.0 \(5\) \(statistics of \d{4}-\d\d-\d\d/)
    const verify = JSON.parse((await wprm('--json', 'verify', 'hello-wprm')).stdout) as { ok: boolean; notes: string[] }
    expect(verify.ok).toBe(true)
    expect(verify.notes).toEqual([expect.stringMatching(/^5 of 35 active sites still run a revoked version/)])
  })

  it('breaks a staged rollout down by cohort: the sites in it now, those of them on it, those outside on it anyway; a halt keeps the cohort', async () => {
    // Continues from the test above: 35 active sites, 1.0.0 the stable version, 1.1.0 revoked.
    expect((await wprm('version', 'add', 'hello-wprm', '1.2.0', '--changelog', 'Third')).code).toBe(0)
    expect((await wprm('rollout', 'hello-wprm', '1.2.0', '--percent', '10')).code).toBe(0)
    const release = await wprm('release', 'hello-wprm', '1.2.0')
    expect(release.code, release.stderr).toBe(0)
    const profile = await server.profile('stats')
    const manifest = `${profile.publicUrl}hello-wprm/info.json`
    const ids = Array.from({ length: 35 }, (_, i) => siteHash(`https://site-${i}.example`, 'hello-wprm'))
    const inside = ids.filter((id) => siteBucket(id) < 1000)
    const outside = ids.filter((id) => siteBucket(id) >= 1000)
    expect(inside.length).toBeGreaterThanOrEqual(3)
    // Two sites of the cohort update (one to a higher version still), one outside installs it by hand.
    const reports: [string, string][] = [
      [inside[0]!, '1.2.0'],
      [inside[1]!, '1.2.5'],
      [outside[0]!, '1.2.0']
    ]
    for (const [site, installed] of reports) {
      expect((await fetch(`${manifest}?${new URLSearchParams({ site, installed, wp: '6.7.1', php: '8.3.15' })}`)).status).toBe(200)
    }
    expect((await wprm('stats', 'pull', 'hello-wprm')).code).toBe(0)
    const expected = { in_cohort: inside.length, in_cohort_updated: 2, outside: outside.length, outside_updated: 1 }
    const report = JSON.parse((await wprm('--json', 'stats', 'hello-wprm')).stdout) as StatsReport
    expect(report.cohorts_at).toBe(report.pulled_at)
    expect(report.cohorts).toEqual([{ version: '1.2.0', percent: 10, halted: false, halted_at: null, next_step: null, ...expected }])
    const text = await wprm('stats', 'hello-wprm')
    expect(text.stdout).toContain(`Staged rollouts at ${report.pulled_at}`)
    const share = ((2 / inside.length) * 100).toFixed(1)
    expect(text.stdout).toMatch(new RegExp(`\\n1\\.2\\.0\\s+10 %\\s+${inside.length}\\s+2 \\(${share} %\\)\\s+${outside.length}\\s+1\\n`))

    expect((await wprm('rollout', 'hello-wprm', '--halt')).code).toBe(0)
    const halted = JSON.parse((await wprm('--json', 'stats', 'hello-wprm')).stdout) as StatsReport
    expect(halted.cohorts).toEqual([{ ...report.cohorts[0], halted: true, halted_at: expect.any(String) }])
    expect((await wprm('stats', 'hello-wprm')).stdout).toMatch(/\n1\.2\.0\s+10 % \(halted since \d{4}-/)
  })
})
