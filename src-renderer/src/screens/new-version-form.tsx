import { useEffect, useRef, useState } from 'react'
import type { FormEvent } from 'react'
import type { NextVersions, PluginDetails, VersionStatus } from '../../../src-preload/api'
import { ErrorNotice } from '../components/error-notice'
import { FilePreviewPanel } from '../components/file-preview-panel'
import { channelOf, newVersionProblem, versionCodeOrNull } from '../../../src-shared/versions'
import { useApp } from '../store/app-store'
import { IDLE } from '../store/types'

const SUBMIT_LABELS: Readonly<Record<Exclude<VersionStatus, 'deprecated'>, string>> = {
  draft: 'Save draft',
  released: 'Release',
  update_ready: 'Release as update ready'
}

/** Where a filled-in requirement comes from: the previous version, or the plugin header for the first. */
function inherited(value: string | null | undefined, from: string | null, header: string | null | undefined): string {
  if (value !== null && value !== undefined) return `${value} (from ${from})`
  if (header !== null && header !== undefined) return `${header} (from the plugin header)`
  return 'none'
}

/**
 * A new version with three fields: version, changelog, status. Everything else is filled or computed,
 * and the folded section shows what.
 */
export function NewVersionForm({
  details,
  next,
  onClose
}: {
  readonly details: PluginDetails
  readonly next: NextVersions | undefined
  readonly onClose: () => void
}) {
  const slug = details.plugin.slug
  const op = useApp((s) => s.newVersionOps[slug] ?? IDLE)
  const addVersion = useApp((s) => s.addVersion)
  const [version, setVersion] = useState(next?.patch ?? '')
  const [touched, setTouched] = useState(false)
  const [changelog, setChangelog] = useState('')
  const [status, setStatus] = useState<Exclude<VersionStatus, 'deprecated'>>('draft')
  // Flagged files the user lets into this version (the CLI's --allow); recorded on the version.
  const [allow, setAllow] = useState<readonly string[]>([])
  // A stepping stone (the CLI's --required): sites below it are offered it before anything newer.
  const [required, setRequired] = useState(false)
  const versionRef = useRef<HTMLInputElement>(null)

  // The suggestion arrives after the form opens; it fills the field unless the user typed already.
  useEffect(() => {
    if (!touched && next !== undefined) setVersion(next.patch)
  }, [next, touched])
  useEffect(() => versionRef.current?.focus(), [])

  const previous = details.versions[0] ?? null
  const code = versionCodeOrNull(version)
  // The rule addVersion applies, said while typing; an untouched or empty field waits for the user.
  const problem =
    touched && version.trim() !== ''
      ? newVersionProblem(
          version,
          details.versions.map((v) => v.version)
        )
      : null
  // The first version has one suggestion (1.0.0); later ones the next patch, minor and major.
  const suggestions: readonly (readonly [string, string])[] =
    next === undefined
      ? []
      : next.latest === null
        ? [[next.patch, 'first version']]
        : [
            [next.patch, 'patch'],
            [next.minor, 'minor'],
            [next.major, 'major']
          ]

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    const ok = await addVersion({
      slug,
      version: version.trim(),
      changelog,
      status,
      ...(allow.length > 0 ? { allow } : {}),
      ...(required ? { required } : {})
    })
    if (ok) onClose()
  }
  return (
    <form className="card new-version" onSubmit={submit} aria-label="New version">
      <div className="card__head">
        <h2 className="card__title">New version</h2>
        <button type="button" className="button button--ghost" onClick={onClose}>
          Close
        </button>
      </div>
      <div className="new-version__fields">
        <div className="field">
          <label className="field__label" htmlFor={`version-${slug}`}>
            Version
          </label>
          <input
            id={`version-${slug}`}
            ref={versionRef}
            type="text"
            required
            className="mono"
            value={version}
            onChange={(e) => {
              setTouched(true)
              setVersion(e.target.value)
            }}
            spellCheck={false}
            autoComplete="off"
            aria-invalid={problem !== null}
            aria-describedby={problem !== null ? `version-problem-${slug}` : undefined}
          />
          {problem !== null && (
            <p id={`version-problem-${slug}`} className="field__problem">
              {problem}
            </p>
          )}
          {suggestions.length > 0 && (
            <div className="chips" role="group" aria-label="Suggested versions">
              {suggestions.map(([value, kind]) => (
                <button
                  key={value}
                  type="button"
                  className={`chip ${value === version ? 'chip--on' : ''}`}
                  aria-pressed={value === version}
                  onClick={() => {
                    setTouched(true)
                    setVersion(value)
                  }}
                >
                  {value} <span className="chip__kind">{kind}</span>
                </button>
              ))}
            </div>
          )}
        </div>
        <label className="field">
          <span className="field__label">Status</span>
          <select value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
            <option value="draft">Draft — not offered to sites</option>
            <option value="released">Released — built and offered to sites</option>
            <option value="update_ready">Update ready — sites are told to check now</option>
          </select>
        </label>
        <label className="field new-version__changelog">
          <span className="field__label">Changelog</span>
          <textarea
            rows={3}
            value={changelog}
            onChange={(e) => setChangelog(e.target.value)}
            placeholder="What changed in this version, for site owners (left empty: readme.txt's changelog entry for it)"
          />
        </label>
      </div>
      <FilePreviewPanel slug={slug} version={version.trim()} allow={allow} onAllowChange={setAllow} />
      <details className="filled">
        <summary>Filled for you</summary>
        <dl className="facts">
          <dt>Version code</dt>
          <dd className="mono">
            {code === null ? '— (enter MAJOR.MINOR.PATCH, parts below 100, or a pre-release such as 1.4.0-beta.1)' : code}
          </dd>
          <dt>Minimum PHP</dt>
          <dd>{inherited(previous?.min_php_version, previous?.version ?? null, details.source?.requires_php)}</dd>
          <dt>Minimum WordPress</dt>
          <dd>{inherited(previous?.min_platform_version, previous?.version ?? null, details.source?.requires_wp)}</dd>
          <dt>Minimum API</dt>
          <dd>{previous?.min_api_version ? `${previous.min_api_version} (from ${previous.version})` : 'none'}</dd>
          <dt>Channel</dt>
          <dd>
            {code === null
              ? '—'
              : channelOf(version.trim()) === 'beta'
                ? 'Beta: a pre-release, offered only to sites that opted in to beta updates'
                : 'Stable: offered to every site'}
          </dd>
          <dt>Stepping stone</dt>
          <dd>
            <label>
              <input type="checkbox" checked={required} onChange={(e) => setRequired(e.target.checked)} /> Sites below it get this version
              first, whatever is newer (for a migration that must run)
            </label>
          </dd>
          <dt>Force update</dt>
          <dd>Off (use Emergency update for a forced security release)</dd>
          <dt>ZIP</dt>
          <dd className="mono small">
            {details.plugin.dist_dir}/{slug}-v{version.trim() || '…'}.zip
          </dd>
          <dt>On release</dt>
          <dd>
            File path, size, SHA-256, MD5 and release date are recorded when it is built; Version header, constant and Stable tag are set
            inside the ZIP.
          </dd>
        </dl>
      </details>
      <div className="row">
        <button type="submit" className="button button--primary" disabled={op.busy}>
          {op.busy ? 'Working…' : SUBMIT_LABELS[status]}
        </button>
        <span className="muted small">
          {status === 'draft'
            ? 'Nothing is built or published yet.'
            : details.plugin.server === null
              ? 'Builds the ZIP; no server is set, so nothing is published.'
              : `Builds the ZIP and publishes it to ${details.plugin.server}.`}
        </span>
      </div>
      <ErrorNotice error={op.error} title="The version was not added" />
    </form>
  )
}
