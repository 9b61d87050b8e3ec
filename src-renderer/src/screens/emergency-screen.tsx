import { useEffect, useState } from 'react'
import type { FormEvent } from 'react'
import { ErrorNotice } from '../components/error-notice'
import { PageHeader } from '../components/page-header'
import { PluginSwitcher } from '../components/plugin-switcher'
import { ServerSyncNotice } from '../components/server-sync-notice'
import { RunPanel } from '../components/run-panel'
import { usePlugin } from '../components/use-plugin'
import { latestLive } from '../../../src-shared/versions'
import { useApp } from '../store/app-store'
import { IDLE } from '../store/types'
import { NoPluginYet } from './releases-screen'

/** The changelog prefix sites show as the upgrade notice of a security release. */
const PREFIX = 'SECURITY: '

/**
 * Emergency update: a guided release with force update on, status update-ready and a `SECURITY:`
 * changelog, after a clear warning of what it does to sites.
 */
export function EmergencyScreen() {
  const { slug, details, op, ready } = usePlugin()
  const sync = useApp((s) => (slug === null ? undefined : s.serverSync[slug]))
  const pullPlugin = useApp((s) => s.pullPlugin)
  const next = useApp((s) => (slug === null ? undefined : s.nextVersions[slug]))
  const addOp = useApp((s) => (slug === null ? IDLE : (s.newVersionOps[slug] ?? IDLE)))
  const run = useApp((s) => (slug === null ? undefined : s.runs[slug]))
  const verifyRun = useApp((s) => (slug === null ? undefined : s.verifyRuns[slug]))
  const addVersion = useApp((s) => s.addVersion)
  const [version, setVersion] = useState('')
  const [fix, setFix] = useState('')
  const [understood, setUnderstood] = useState(false)
  // A security fix is a patch on top of what is out there: the next patch version is the default.
  const suggested = next?.patch ?? ''
  useEffect(() => setVersion(suggested), [suggested])

  if (slug === null) return <NoPluginYet ready={ready} />
  if (details === undefined)
    return op.error !== null ? <ErrorNotice error={op.error} title="The plugin could not be read" /> : <p className="muted">Loading…</p>
  const live = latestLive(details.versions)
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    const text = fix.trim().replace(/^SECURITY:\s*/i, '')
    const ok = await addVersion(
      { slug, version: version.trim(), changelog: `${PREFIX}${text}`, status: 'update_ready', forceUpdate: true },
      'emergency'
    )
    if (ok) {
      setFix('')
      setUnderstood(false)
    }
  }
  const emergencyRun = run?.origin === 'emergency' ? run : undefined
  return (
    <>
      <PageHeader
        title="Emergency update"
        subtitle={`${details.plugin.name}: a security fix that sites install by themselves.`}
        actions={<PluginSwitcher screen="emergency" />}
      />
      {details.plugin.server !== null && (
        <ServerSyncNotice server={details.plugin.server} sync={sync} onPull={() => void pullPlugin(slug)} />
      )}
      <section className="card card--danger" aria-label="What an emergency update does">
        <h2 className="card__title">What this does to sites</h2>
        <ul className="plan">
          <li>
            Sites <strong>install it automatically</strong>, without waiting for an administrator (<code>autoupdate: true</code>,{' '}
            <code>force_update: true</code>).
          </li>
          <li>
            It is published as <strong>update ready</strong>: sites are told to check for it now
            {live !== null ? `, replacing ${live.version}` : ''}.
          </li>
          <li>
            Its changelog starts with <code>SECURITY:</code>, which sites show as the upgrade notice.
          </li>
          <li>
            {details.plugin.server === null
              ? 'This plugin has no update server: the ZIP is built but nothing reaches sites until one is set.'
              : `It is published to ${details.plugin.server} at once, then the checklist runs.`}
          </li>
        </ul>
      </section>
      <form className="card" onSubmit={submit} aria-label="Emergency update">
        <div className="grid-2">
          <label className="field">
            <span className="field__label">Version</span>
            <input
              type="text"
              className="mono"
              required
              value={version}
              onChange={(e) => setVersion(e.target.value)}
              spellCheck={false}
              autoComplete="off"
            />
          </label>
          <div className="field">
            <span className="field__label">Set for you</span>
            <p className="small">
              Status <strong>update ready</strong> · force update <strong>on</strong>
            </p>
          </div>
        </div>
        <label className="field">
          <span className="field__label">What the fix is (after “SECURITY:”)</span>
          <div className="prefixed">
            <span className="prefixed__prefix mono" aria-hidden="true">
              SECURITY:
            </span>
            <textarea
              required
              rows={3}
              value={fix}
              onChange={(e) => setFix(e.target.value)}
              placeholder="Fixed an authenticated XSS in the settings page"
            />
          </div>
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={understood} onChange={(e) => setUnderstood(e.target.checked)} />
          <span>I understand that sites will install {version.trim() || 'this version'} automatically.</span>
        </label>
        <div className="row">
          <button type="submit" className="button button--danger" disabled={!understood || addOp.busy || fix.trim() === ''}>
            {addOp.busy ? 'Publishing…' : 'Publish emergency update'}
          </button>
        </div>
        <ErrorNotice error={addOp.error} title="The emergency update was not published" />
      </form>
      {emergencyRun !== undefined && <RunPanel run={emergencyRun} verifyRun={verifyRun} />}
    </>
  )
}
