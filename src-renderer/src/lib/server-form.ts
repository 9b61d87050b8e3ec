import type { AddServerInput, ServerAuth, TargetKind } from '../../../src-preload/api'

/** The add-server form's fields as typed, for every kind at once (switching the kind keeps what was typed). */
export interface ServerForm {
  readonly kind: TargetKind
  readonly name: string
  readonly publicUrl: string
  // sftp
  readonly host: string
  readonly port: string
  readonly user: string
  readonly authKind: ServerAuth['kind']
  readonly keyPath: string
  readonly remoteRoot: string
  // s3
  readonly endpoint: string
  readonly region: string
  readonly bucket: string
  readonly keyPrefix: string
  /** `auto`: path-style for an own endpoint, host-style for Amazon S3 (the core's default). */
  readonly pathStyle: 'auto' | 'on' | 'off'
  readonly accessKeyEnv: string
  readonly secretKeyEnv: string
  readonly maxAge: string
  // local
  readonly root: string
}

/** A blank form: an SFTP server on port 22 with a key file. */
export const EMPTY_SERVER_FORM: ServerForm = {
  kind: 'sftp',
  name: '',
  publicUrl: '',
  host: '',
  port: '22',
  user: '',
  authKind: 'key',
  keyPath: '',
  remoteRoot: '',
  endpoint: '',
  region: '',
  bucket: '',
  keyPrefix: '',
  pathStyle: 'auto',
  accessKeyEnv: '',
  secretKeyEnv: '',
  maxAge: '',
  root: ''
}

/** A field left empty is left out, so that the core's default applies (its rules live there, not here). */
const given = (text: string): string | undefined => (text.trim() === '' ? undefined : text.trim())

/** The addServer input of the form's kind, with only that kind's fields. */
export function serverInput(form: ServerForm): AddServerInput {
  const name = form.name.trim()
  const publicUrl = form.publicUrl.trim()
  switch (form.kind) {
    case 's3':
      return {
        kind: 's3',
        name,
        publicUrl,
        bucket: form.bucket.trim(),
        endpoint: given(form.endpoint),
        region: given(form.region),
        keyPrefix: given(form.keyPrefix),
        pathStyle: form.pathStyle === 'auto' ? undefined : form.pathStyle === 'on',
        accessKeyEnv: given(form.accessKeyEnv),
        secretKeyEnv: given(form.secretKeyEnv),
        mutableMaxAge: given(form.maxAge)
      }
    case 'local':
      return { kind: 'local', name, publicUrl, root: form.root.trim() }
    case 'sftp': {
      const auth: ServerAuth =
        form.authKind === 'key'
          ? { kind: 'key', key_path: form.keyPath.trim(), passphrase_env: null }
          : form.authKind === 'agent'
            ? { kind: 'agent' }
            : { kind: 'password', password_env: null }
      return {
        name,
        host: form.host.trim(),
        port: Number(form.port),
        user: form.user.trim(),
        auth,
        remoteRoot: form.remoteRoot.trim(),
        publicUrl
      }
    }
  }
}
