import { useEffect, useMemo, useState } from 'react'
import type { VerifyReport } from '../../../src-preload/api'
import { Checklist, ChecklistSummary } from '../components/checklist'
import { EmptyState } from '../components/empty-state'
import { ErrorNotice } from '../components/error-notice'
import { PageHeader } from '../components/page-header'
import { PluginSwitcher } from '../components/plugin-switcher'
import { usePlugin } from '../components/use-plugin'
import { reportFileName, reportToJson, reportToMarkdown } from '../lib/report'
import { latestLive } from '../../../src-shared/versions'
import { STATUS_LABELS } from '../lib/status-labels'
import { useApp } from '../store/app-store'
import { NoPluginYet } from './releases-screen'

/** A download link for a report; the object URL is released when the report changes. */
function SaveLink({ report, kind }: { readonly report: VerifyReport; readonly kind: 'md' | 'json' }) {
  const url = useMemo(() => {
    const text = kind === 'md' ? reportToMarkdown(report) : reportToJson(report)
    return URL.createObjectURL(new Blob([text], { type: kind === 'md' ? 'text/markdown' : 'application/json' }))
  }, [report, kind])
  useEffect(() => () => URL.revokeObjectURL(url), [url])
  return (
    <a className="button button--small" href={url} download={reportFileName(report, kind)}>
      {kind === 'md' ? 'Save Markdown' : 'Save JSON'}
    </a>
  )
}

/** Copy / save of a finished report. */
function ReportActions({ report }: { readonly report: VerifyReport }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle')
  useEffect(() => setCopied('idle'), [report])
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(reportToMarkdown(report))
      setCopied('copied')
    } catch {
      // Clipboard access can be refused (no focus, permissions): saving the file still works.
      setCopied('failed')
    }
  }
  return (
    <div className="row">
      <button type="button" className="button button--small" onClick={() => void copy()}>
        Copy report
      </button>
      <SaveLink report={report} kind="md" />
      <SaveLink report={report} kind="json" />
      {copied !== 'idle' && (
        <span className="muted small" role="status">
          {copied === 'copied' ? 'Copied as Markdown' : 'The clipboard is not available here; save the report instead.'}
        </span>
      )}
    </div>
  )
}

/** Verify: runs the checklist for the latest or any version; checks appear as they finish. */
export function VerifyScreen() {
  const { slug, details, op, ready } = usePlugin()
  const run = useApp((s) => (slug === null ? undefined : s.verifyRuns[slug]))
  const runVerify = useApp((s) => s.runVerify)
  const [choice, setChoice] = useState('')

  if (slug === null) return <NoPluginYet ready={ready} />
  if (details === undefined)
    return op.error !== null ? <ErrorNotice error={op.error} title="The plugin could not be read" /> : <p className="muted">Loading…</p>
  const live = latestLive(details.versions)
  const built = details.versions.filter((v) => v.status !== 'draft')
  const running = run?.state === 'running'
  // With nothing live, "latest" does not exist: the newest released version is the default instead.
  const selected = choice === '' && live === null ? (built[0]?.version ?? '') : choice
  return (
    <>
      <PageHeader
        title="Verify"
        subtitle={`${details.plugin.name}: what sites get, checked on disk, over SFTP and over HTTP.`}
        actions={<PluginSwitcher screen="verify" />}
      />
      {built.length === 0 ? (
        <EmptyState title="Nothing released yet">
          Release a version first (Releases → New version); then check here what sites will get.
        </EmptyState>
      ) : (
        <section className="card" aria-label="Run the checklist">
          <form
            className="row row--end"
            onSubmit={(e) => {
              e.preventDefault()
              void runVerify(slug, selected === '' ? undefined : selected)
            }}
          >
            <label className="field">
              <span className="field__label">Version to check</span>
              <select value={selected} onChange={(e) => setChoice(e.target.value)}>
                {live !== null && <option value="">Latest live ({live.version})</option>}
                {built.map((v) => (
                  <option key={v.version} value={v.version}>
                    {v.version} — {STATUS_LABELS[v.status]}
                    {v.revoked_at !== null ? ', revoked' : ''}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" className="button button--primary" disabled={running}>
              {running ? 'Checking…' : 'Run checklist'}
            </button>
          </form>
          {details.plugin.server === null && (
            <p className="notice notice--warn">
              This plugin has no update server: the server and HTTP checks will fail until one is set (Releases → Publishing).
            </p>
          )}
        </section>
      )}
      {run !== undefined && (
        <section className="card" aria-label="Verification result">
          <div className="card__head">
            <h2 className="card__title">
              {run.report !== null
                ? `${run.report.slug} ${run.report.version}`
                : run.version !== null
                  ? `${slug} ${run.version}`
                  : `${slug}, latest live version`}
              {run.origin !== 'verify' && <span className="muted small"> — after the {run.origin}</span>}
            </h2>
            {run.report !== null && <ReportActions report={run.report} />}
          </div>
          {run.state === 'skipped' ? (
            <p className="muted">The checklist did not run: nothing was published.</p>
          ) : (
            <>
              <ChecklistSummary checks={run.checks} running={running} />
              <Checklist checks={run.checks} running={running} />
            </>
          )}
          {run.report?.notes?.map((note) => (
            <p key={note} className="notice notice--warn" role="note">
              {note}
            </p>
          ))}
          <ErrorNotice error={run.error} title="The checklist could not run" />
        </section>
      )}
    </>
  )
}
