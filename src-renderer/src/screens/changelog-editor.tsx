import { useState } from 'react'
import type { FormEvent } from 'react'
import type { PluginDetails, PluginVersionRecord } from '../../../src-preload/api'
import { ErrorNotice } from '../components/error-notice'
import { MAX_CHANGELOG_LENGTH } from '../../../src-shared/input-rules'
import { changelogEditPublishes } from '../../../src-shared/undo-rules'
import { useApp } from '../store/app-store'
import { IDLE } from '../store/types'

/** The id of a version's "Edit changelog" button, where the keyboard goes back when the editor closes. */
export function changelogButtonId(slug: string, version: string): string {
  return `edit-changelog-${slug}-${version}`
}

function focusRowButton(slug: string, version: string): void {
  document.getElementById(changelogButtonId(slug, version))?.focus()
}

/** The editor of one version's changelog; says beforehand when saving publishes. */
function Editor({ details, record }: { readonly details: PluginDetails; readonly record: PluginVersionRecord }) {
  const { plugin } = details
  const [text, setText] = useState(record.changelog)
  const op = useApp((s) => s.changelogOps[plugin.slug] ?? IDLE)
  const save = useApp((s) => s.saveChangelog)
  const close = useApp((s) => s.closeChangelogEditor)
  const publishes = changelogEditPublishes(plugin, record, details.versions)
  const cancel = (): void => {
    close()
    focusRowButton(plugin.slug, record.version)
  }
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    if (await save(plugin.slug, record.version, text)) focusRowButton(plugin.slug, record.version)
  }
  return (
    <form
      className="changelog-editor"
      onSubmit={submit}
      aria-label={`Changelog of ${record.version}`}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && !op.busy) cancel()
      }}
    >
      <label className="field">
        <span className="field__label">Changelog of {record.version}</span>
        <textarea rows={4} value={text} onChange={(e) => setText(e.target.value)} maxLength={MAX_CHANGELOG_LENGTH} autoFocus />
      </label>
      {publishes ? (
        <p className="notice notice--warn" role="note">
          {record.version} is in the manifest sites read: saving publishes the manifest on {plugin.server} at once, and sites show the new
          changelog at their next update check.
        </p>
      ) : (
        <p className="muted small">
          {record.status === 'draft' ? 'A draft: the change stays here until it is released.' : 'Nothing is published: saved here only.'}
        </p>
      )}
      <div className="row">
        <button type="submit" className="button button--primary" disabled={op.busy || text.trim() === record.changelog}>
          {op.busy ? (publishes ? 'Publishing…' : 'Saving…') : publishes ? 'Save and publish' : 'Save changelog'}
        </button>
        <button type="button" className="button" onClick={cancel} disabled={op.busy}>
          Cancel
        </button>
      </div>
      <ErrorNotice error={op.error} title="The changelog was not saved" />
    </form>
  )
}

/**
 * Inline, in the versions table's card: the open changelog editor of this plugin, or what the last save
 * did (published in which manifest, or saved here).
 */
export function ChangelogEditor({ details }: { readonly details: PluginDetails }) {
  const slug = details.plugin.slug
  const target = useApp((s) => (s.changelogEditor?.slug === slug ? s.changelogEditor.version : null))
  const saved = useApp((s) => s.changelogSaved[slug])
  const record = target === null ? undefined : details.versions.find((v) => v.version === target)
  if (record !== undefined) {
    return (
      <div className="card__inset">
        <Editor key={`${slug}@${record.version}`} details={details} record={record} />
      </div>
    )
  }
  if (saved === undefined) return null
  return (
    <div className="card__inset">
      <p className="small" role="status">
        {saved.publish === null
          ? `Changelog of ${saved.version} saved.`
          : `Changelog of ${saved.version} published: manifest #${saved.publish.manifest_version} is live on ${saved.publish.server}.`}
      </p>
    </div>
  )
}
