import { useEffect, useState } from 'react'
import type { FormEvent } from 'react'
import type { SecretKind, ServerAuth, ServerProfile, TargetKind } from '../../../src-preload/api'
import { TARGET_KINDS } from '../../../src-preload/api'
import { Checklist } from '../components/checklist'
import { ConfirmPanel } from '../components/confirm-panel'
import { EmptyState } from '../components/empty-state'
import { ErrorNotice } from '../components/error-notice'
import { PageHeader } from '../components/page-header'
import { Tag } from '../components/status-badge'
import { useApp } from '../store/app-store'
import { IDLE } from '../store/types'
import { isSecretStored, targetAuth, targetSecrets, targetSummary } from '../../../src-shared/server-targets'
import type { ServerForm } from '../lib/server-form'
import { EMPTY_SERVER_FORM, serverInput } from '../lib/server-form'

type AuthKind = ServerAuth['kind']

const AUTH_TEXT: Readonly<Record<AuthKind, string>> = {
  key: 'Key file',
  'key-env': 'Key in an environment variable',
  agent: 'SSH agent',
  password: 'Password'
}

const KIND_TEXT: Readonly<Record<TargetKind, string>> = {
  sftp: 'A server over SFTP',
  s3: 'An S3-compatible bucket (behind a CDN)',
  local: 'A folder on this computer'
}

const KIND_HELP: Readonly<Record<TargetKind, string>> = {
  sftp: 'Any server you reach over SFTP whose folder a web server serves. Passwords and passphrases are kept in the OS secret store, never in the profile.',
  s3: 'Amazon S3, Cloudflare R2, DigitalOcean Spaces, Backblaze B2, MinIO or Ceph. The key pair is stored below once the bucket is added (in the OS secret store), or read from the environment variables you name; never in the profile.',
  local:
    'wprm runs on the update server itself: a folder that its web server serves at the public URL. It must exist and be writable by you.'
}

/** One text field of the add form. */
function TextField(props: {
  readonly label: string
  readonly value: string
  readonly onChange: (value: string) => void
  readonly placeholder?: string
  readonly required?: boolean
  readonly wide?: boolean
  readonly help?: string
}) {
  return (
    <label className={props.wide === true ? 'field field--wide' : 'field'}>
      <span className="field__label">{props.label}</span>
      <input
        type="text"
        required={props.required ?? false}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        placeholder={props.placeholder}
        autoComplete="off"
        spellCheck={false}
      />
      {props.help !== undefined && <span className="muted small">{props.help}</span>}
    </label>
  )
}

/** A new server profile of any kind; an SFTP server's first contact shows the host key to accept. */
function AddServerForm() {
  const op = useApp((s) => s.addServerOp)
  const prompt = useApp((s) => s.hostKeyPrompt)
  const addServer = useApp((s) => s.addServer)
  const acceptHostKey = useApp((s) => s.acceptHostKey)
  const dismissHostKey = useApp((s) => s.dismissHostKey)
  const canPick = useApp((s) => s.canPickFiles)
  const pickFile = useApp((s) => s.pickFile)
  const [form, setForm] = useState<ServerForm>(EMPTY_SERVER_FORM)
  const field =
    <K extends keyof ServerForm>(key: K) =>
    (value: ServerForm[K]): void =>
      setForm((f) => ({ ...f, [key]: value }))

  const reset = (): void => setForm((f) => ({ ...EMPTY_SERVER_FORM, kind: f.kind }))
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    if (await addServer(serverInput(form))) reset()
  }
  const accept = async (): Promise<void> => {
    if (await acceptHostKey()) reset()
  }
  const browse = async (): Promise<void> => {
    const chosen = await pickFile('Choose your SSH private key')
    if (chosen !== null) field('keyPath')(chosen)
  }
  const { kind } = form
  return (
    <form className="card" onSubmit={submit} aria-label="Add a server">
      <h2 className="card__title">Add a server</h2>
      <p className="card__help">{KIND_HELP[kind]}</p>
      <div className="form-grid">
        <label className="field field--wide">
          <span className="field__label">Kind</span>
          <select value={kind} onChange={(e) => field('kind')(e.target.value as TargetKind)}>
            {TARGET_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_TEXT[k]}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">Name</span>
          <input
            type="text"
            required
            value={form.name}
            onChange={(e) => field('name')(e.target.value)}
            placeholder="production"
            autoComplete="off"
          />
        </label>
        {kind === 'sftp' && (
          <>
            <TextField label="Host" required value={form.host} onChange={field('host')} placeholder="updates.example.com" />
            <label className="field field--narrow">
              <span className="field__label">Port</span>
              <input type="number" required min={1} max={65535} value={form.port} onChange={(e) => field('port')(e.target.value)} />
            </label>
            <TextField label="User" required value={form.user} onChange={field('user')} placeholder="deploy" />
            <label className="field">
              <span className="field__label">Sign in with</span>
              <select value={form.authKind} onChange={(e) => field('authKind')(e.target.value as AuthKind)}>
                <option value="key">Key file</option>
                <option value="agent">SSH agent</option>
                <option value="password">Password</option>
              </select>
            </label>
            {form.authKind === 'key' && (
              <div className="field field--wide">
                <label className="field__label" htmlFor="server-key-path">
                  Private key file
                </label>
                <div className="row row--tight">
                  <input
                    id="server-key-path"
                    type="text"
                    required
                    value={form.keyPath}
                    onChange={(e) => field('keyPath')(e.target.value)}
                    placeholder="/home/me/.ssh/id_ed25519"
                    spellCheck={false}
                    className="grow"
                  />
                  {canPick && (
                    <button type="button" className="button" onClick={() => void browse()}>
                      Browse…
                    </button>
                  )}
                </div>
              </div>
            )}
            <TextField
              label="Remote folder"
              required
              wide
              value={form.remoteRoot}
              onChange={field('remoteRoot')}
              placeholder="/var/www/updates/plugins"
            />
          </>
        )}
        {kind === 's3' && (
          <>
            <TextField label="Bucket" required value={form.bucket} onChange={field('bucket')} placeholder="plugin-updates" />
            <TextField label="Key prefix" value={form.keyPrefix} onChange={field('keyPrefix')} placeholder="plugins/ (empty: the top)" />
            <TextField
              label="S3 endpoint"
              wide
              value={form.endpoint}
              onChange={field('endpoint')}
              placeholder="https://<account>.r2.cloudflarestorage.com (empty: Amazon S3)"
            />
            <TextField label="Region" value={form.region} onChange={field('region')} placeholder="us-east-1 (R2: auto)" />
            <label className="field">
              <span className="field__label">Bucket in the URL</span>
              <select value={form.pathStyle} onChange={(e) => field('pathStyle')(e.target.value as ServerForm['pathStyle'])}>
                <option value="auto">Path-style for an own endpoint</option>
                <option value="on">Path-style (endpoint/bucket/key)</option>
                <option value="off">Host-style (bucket.endpoint/key)</option>
              </select>
            </label>
            <TextField
              label="Access key variable"
              value={form.accessKeyEnv}
              onChange={field('accessKeyEnv')}
              placeholder="AWS_ACCESS_KEY_ID"
            />
            <TextField
              label="Secret key variable"
              value={form.secretKeyEnv}
              onChange={field('secretKeyEnv')}
              placeholder="AWS_SECRET_ACCESS_KEY"
            />
            <TextField
              label="Max-age of info.json (seconds)"
              value={form.maxAge}
              onChange={field('maxAge')}
              placeholder="60"
              help="How long a CDN may keep the files that change: how soon sites see a release."
            />
          </>
        )}
        {kind === 'local' && (
          <TextField label="Folder" required wide value={form.root} onChange={field('root')} placeholder="/var/www/updates/plugins" />
        )}
        <TextField
          label="Public URL"
          required
          wide
          value={form.publicUrl}
          onChange={field('publicUrl')}
          placeholder={
            kind === 's3' ? 'https://updates.example.com/plugins/ (the CDN, or the bucket)' : 'https://updates.example.com/plugins/'
          }
        />
      </div>
      {prompt === null && (
        <div className="row">
          <button type="submit" className="button button--primary" disabled={op.busy}>
            {op.busy ? (kind === 'sftp' ? 'Connecting…' : 'Adding…') : 'Add server'}
          </button>
        </div>
      )}
      {prompt !== null && (
        <ConfirmPanel
          title="Accept this host key?"
          confirmLabel="Accept this key"
          onConfirm={() => void accept()}
          onCancel={dismissHostKey}
          busy={op.busy}
        >
          <p>{prompt.message}</p>
          <p className="fingerprint mono" aria-label="Host key fingerprint">
            {prompt.fingerprint}
          </p>
          <p className="muted small">
            Confirm it with the server's administrator first (on the server: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub). It is
            pinned: a different key later is refused before any password or key is sent.
          </p>
        </ConfirmPanel>
      )}
      <ErrorNotice error={op.error} title="The server was not added" />
    </form>
  )
}

/** How the secret fields name each kind: the label, and the word on its buttons. */
const SECRET_TEXT: Readonly<Record<SecretKind, { readonly label: string; readonly word: string }>> = {
  password: { label: 'Password', word: 'password' },
  passphrase: { label: 'Key passphrase', word: 'passphrase' },
  's3-access-key-id': { label: 'S3 access key id', word: 'access key id' },
  's3-secret-access-key': { label: 'S3 secret access key', word: 'secret key' }
}

/** Stores or forgets one secret of a server; the window only learns whether one is stored. */
function SecretField({ server, kind, fallback }: { readonly server: string; readonly kind: SecretKind; readonly fallback?: string }) {
  const status = useApp((s) => s.secretStatus[server])
  const op = useApp((s) => s.secretOps[server] ?? IDLE)
  const consent = useApp((s) => (s.secretConsent?.server === server && s.secretConsent.kind === kind ? s.secretConsent : null))
  const storeSecret = useApp((s) => s.storeSecret)
  const deleteSecret = useApp((s) => s.deleteSecret)
  const dismiss = useApp((s) => s.dismissSecretConsent)
  // The secret stays in this field's state only: it is sent once and never kept in the store.
  const [value, setValue] = useState('')
  const { label, word } = SECRET_TEXT[kind]
  const stored = status === undefined ? false : isSecretStored(status, kind)

  const store = async (allowWeakStorage: boolean): Promise<void> => {
    if (await storeSecret({ server, kind, value, ...(allowWeakStorage ? { allowWeakStorage } : {}) })) setValue('')
  }
  return (
    <div className="secret">
      <form
        className="row row--end"
        onSubmit={(e) => {
          e.preventDefault()
          void store(false)
        }}
      >
        <label className="field field--grow">
          <span className="field__label">
            {label} for {server}
          </span>
          <input
            type="password"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            autoComplete="new-password"
            placeholder={
              stored
                ? 'Stored — type to replace'
                : kind === 'passphrase'
                  ? 'Not stored (needed only for an encrypted key)'
                  : fallback !== undefined
                    ? `Not stored (else read from $${fallback})`
                    : 'Not stored'
            }
          />
        </label>
        <button type="submit" className="button" disabled={value === '' || op.busy}>
          Store {word}
        </button>
        {stored && (
          <button type="button" className="button button--ghost" onClick={() => void deleteSecret(server, kind)} disabled={op.busy}>
            Forget {word}
          </button>
        )}
      </form>
      <p className="small" role="status">
        {stored ? <Tag tone="ok">{label} stored</Tag> : <Tag>No {word} stored</Tag>}
        {status !== undefined && status.backend !== 'os' && <span className="muted"> · no OS secret store on this computer</span>}
      </p>
      {consent !== null && (
        <ConfirmPanel
          title="Store it without an OS secret store?"
          confirmLabel="Store anyway"
          tone="danger"
          onConfirm={() => void store(true)}
          onCancel={dismiss}
          busy={op.busy}
        >
          <p>{consent.message}</p>
          <p className="muted small">{consent.hint}</p>
        </ConfirmPanel>
      )}
      <ErrorNotice error={op.error} title={`The ${word} was not changed`} />
    </div>
  )
}

/** Moves a server's public URL (the next publish writes download URLs under it), and sets a bucket's max-age: nothing to log in to again. */
function TargetSettings({ server }: { readonly server: ServerProfile }) {
  const op = useApp((s) => s.updateServerOps[server.name] ?? IDLE)
  const updateServer = useApp((s) => s.updateServer)
  const [publicUrl, setPublicUrl] = useState(server.public_url)
  const [maxAge, setMaxAge] = useState(server.kind === 's3' ? String(server.mutable_max_age) : '')
  const [saved, setSaved] = useState(false)
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    setSaved(false)
    const ok = await updateServer({ name: server.name, publicUrl, ...(server.kind === 's3' ? { mutableMaxAge: maxAge } : {}) })
    setSaved(ok)
  }
  return (
    <form className="row row--end" onSubmit={submit} aria-label={`Settings of ${server.name}`}>
      <label className="field field--grow">
        <span className="field__label">Public URL of {server.name}</span>
        <input type="text" required value={publicUrl} onChange={(e) => setPublicUrl(e.target.value)} spellCheck={false} />
      </label>
      {server.kind === 's3' && (
        <label className="field field--narrow">
          <span className="field__label">Max-age (s)</span>
          <input type="text" required value={maxAge} onChange={(e) => setMaxAge(e.target.value)} inputMode="numeric" />
        </label>
      )}
      <button type="submit" className="button" disabled={op.busy}>
        Save settings
      </button>
      {saved && !op.busy && (
        <span role="status" className="small">
          <Tag tone="ok">Saved</Tag> the next publish uses it
        </span>
      )}
      <ErrorNotice error={op.error} title="The settings were not changed" />
    </form>
  )
}

function ServerCard({ server }: { readonly server: ServerProfile }) {
  const test = useApp((s) => s.serverTests[server.name])
  const removeOp = useApp((s) => s.removeServerOps[server.name] ?? IDLE)
  const testServer = useApp((s) => s.testServer)
  const removeServer = useApp((s) => s.removeServer)
  const [confirmRemove, setConfirmRemove] = useState(false)
  const busy = test?.op.busy ?? false
  return (
    <section className="card server" aria-label={`Server ${server.name}`}>
      <div className="card__head">
        <div>
          <h2 className="card__title">{server.name}</h2>
          <p className="muted mono small">{targetSummary(server)}</p>
        </div>
        <div className="row row--tight">
          {test?.result && <Tag tone={test.result.ok ? 'ok' : 'bad'}>{test.result.ok ? 'Connection works' : 'Connection failed'}</Tag>}
          <button type="button" className="button" onClick={() => void testServer(server.name)} disabled={busy}>
            {busy ? 'Testing…' : 'Test connection'}
          </button>
          <button type="button" className="button button--ghost" onClick={() => setConfirmRemove(true)} disabled={removeOp.busy}>
            Remove
          </button>
        </div>
      </div>
      {server.kind === 'sftp' ? (
        <dl className="facts">
          <dt>Remote folder</dt>
          <dd className="mono small">{server.remote_root}</dd>
          <dt>Public URL</dt>
          <dd className="mono small">{server.public_url}</dd>
          <dt>Sign in</dt>
          <dd>
            {AUTH_TEXT[server.auth.kind]}
            {server.auth.kind === 'key' && <span className="mono small"> {server.auth.key_path}</span>}
            {server.auth.kind === 'key-env' && <span className="mono small"> ${server.auth.key_env}</span>}
          </dd>
          <dt>Host key</dt>
          <dd className="mono small" title="Pinned on first contact">
            {server.host_key_fingerprint}
          </dd>
        </dl>
      ) : server.kind === 's3' ? (
        <dl className="facts">
          <dt>Bucket</dt>
          <dd className="mono small">
            {server.bucket}
            {server.key_prefix !== '' && ` (keys under ${server.key_prefix})`}
          </dd>
          <dt>S3 endpoint</dt>
          <dd className="mono small">{server.endpoint ?? `Amazon S3, ${server.region}`}</dd>
          <dt>Public URL</dt>
          <dd className="mono small">{server.public_url}</dd>
          <dt>Addressing</dt>
          <dd>{server.path_style ? 'Path-style (endpoint/bucket/key)' : 'Host-style (bucket.endpoint/key)'}</dd>
          <dt>Keys</dt>
          <dd>
            Stored below, else from <span className="mono small">{targetAuth(server)}</span>
          </dd>
          <dt>info.json max-age</dt>
          <dd>{server.mutable_max_age} s (versioned ZIPs: a year, immutable)</dd>
        </dl>
      ) : (
        <dl className="facts">
          <dt>Folder</dt>
          <dd className="mono small">{server.root}</dd>
          <dt>Public URL</dt>
          <dd className="mono small">{server.public_url}</dd>
          <dt>Sign in</dt>
          <dd>Nothing to sign in to: files are written on this computer</dd>
        </dl>
      )}
      {confirmRemove && (
        <ConfirmPanel
          title={`Remove ${server.name}?`}
          confirmLabel={`Remove ${server.name}`}
          tone="danger"
          onConfirm={() => {
            setConfirmRemove(false)
            void removeServer(server.name)
          }}
          onCancel={() => setConfirmRemove(false)}
        >
          <p>The profile is deleted here; nothing on the server changes. A plugin that uses it must be moved first.</p>
        </ConfirmPanel>
      )}
      <ErrorNotice error={removeOp.error} title="The server was not removed" />
      <ErrorNotice error={test?.op.error} title="The test could not run" />
      {test?.result && <Checklist checks={test.result.checks} running={false} label={`Connection test of ${server.name}`} />}
      <TargetSettings server={server} />
      {targetSecrets(server).map((kind) => (
        <SecretField
          key={kind}
          server={server.name}
          kind={kind}
          fallback={server.kind === 's3' ? (kind === 's3-access-key-id' ? server.access_key_env : server.secret_key_env) : undefined}
        />
      ))}
    </section>
  )
}

/** Servers: the update server profiles, connection tests, host keys and secrets. */
export function ServersScreen() {
  const servers = useApp((s) => s.servers)
  const loaded = useApp((s) => s.serversLoaded)
  const op = useApp((s) => s.serversOp)
  const loadServers = useApp((s) => s.loadServers)
  useEffect(() => {
    void loadServers()
  }, [loadServers])
  return (
    <>
      <PageHeader
        title="Servers"
        subtitle="Where releases are published (over SFTP, to an S3-compatible bucket, or to a folder here), and the public URL sites download from."
      />
      <ErrorNotice error={op.error} title="The servers could not be read" />
      {loaded && servers.length === 0 && !op.error && (
        <EmptyState title="No update server yet">
          Add the server your sites get updates from. Until then, releases are built and checksummed locally only.
        </EmptyState>
      )}
      {servers.map((server) => (
        <ServerCard key={server.name} server={server} />
      ))}
      <AddServerForm />
    </>
  )
}
