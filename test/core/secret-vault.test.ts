import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApi } from '../../src-main/api.js'
import { createAesCipher, SecretVault } from '../../src-main/core/remote/secret-vault.js'
import { environmentSecrets } from '../../src-main/core/remote/secrets.js'
import type { S3Server } from '../../src-shared/model.js'
import { normalizeS3Target } from '../../src-shared/input-rules.js'
import { makeTempDir } from '../fixtures/plugin-folder.js'
import { refusal } from '../support/refusal.js'

let temp: { dir: string; cleanup: () => Promise<void> }
beforeAll(async () => {
  temp = await makeTempDir('wprm-vault-')
})
afterAll(() => temp?.cleanup())

const server: S3Server = {
  ...normalizeS3Target({
    bucket: 'plugin-updates',
    publicUrl: 'https://cdn.example.com/',
    accessKeyEnv: 'CDN_KEY_ID',
    secretKeyEnv: 'CDN_SECRET'
  }),
  name: 'cdn',
  access_logs: [],
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z'
}

describe("the secret vault's S3 key pairs", () => {
  it('takes each half from the vault, else from the variable the profile names, and says where to put a missing one', async () => {
    const dir = path.join(temp.dir, 'halves')
    await mkdir(dir)
    const vault = new SecretVault(dir, createAesCipher())
    const env = { CDN_SECRET: 'secret-from-env' }
    const provider = vault.provider(environmentSecrets(env), env)

    const none = await refusal(() => provider.s3Credentials!(server))
    expect(none.kind).toBe('auth-failed')
    expect(none.message).toBe(
      'No S3 access key id for server cdn: none is stored in this app and the environment variable CDN_KEY_ID is not set.'
    )
    expect(none.hint).toContain('Store the access key id on the Servers screen')

    await vault.store('cdn', 's3-access-key-id', 'AKIAVAULT', false)
    expect(await provider.s3Credentials!(server)).toEqual({ accessKeyId: 'AKIAVAULT', secretAccessKey: 'secret-from-env' })
    await vault.store('cdn', 's3-secret-access-key', 'wJalrVAULTSECRET', false)
    expect(await provider.s3Credentials!(server)).toEqual({ accessKeyId: 'AKIAVAULT', secretAccessKey: 'wJalrVAULTSECRET' })
    expect(await vault.status('cdn')).toMatchObject({ s3_access_key_id: true, s3_secret_access_key: true, password: false })
    // Encrypted at rest: the file never holds a key in plain text.
    const file = await readFile(path.join(dir, 'secrets.json'), 'utf8')
    expect(file).toContain('cdn/s3-secret-access-key')
    expect(file).not.toContain('wJalrVAULTSECRET')
    expect(file).not.toContain('AKIAVAULT')

    await vault.delete('cdn', 's3-secret-access-key')
    expect(await provider.s3Credentials!(server)).toEqual({ accessKeyId: 'AKIAVAULT', secretAccessKey: 'secret-from-env' })
  })

  it('is reached through the API by known servers only, and refuses an empty key', async () => {
    const dataDir = path.join(temp.dir, 'api')
    const api = createApi({ dataDir, cipher: createAesCipher(), env: {} })
    const added = await api.addServer({ kind: 's3', name: 'cdn', bucket: 'plugin-updates', publicUrl: 'https://cdn.example.com/' })
    expect(added.ok).toBe(true)
    const stored = await api.storeSecret({ server: 'cdn', kind: 's3-access-key-id', value: 'AKIAAPI' })
    expect(stored).toMatchObject({ ok: true, value: { s3_access_key_id: true, s3_secret_access_key: false } })
    expect(await api.storeSecret({ server: 'cdn', kind: 's3-secret-access-key', value: '  ' })).toMatchObject({
      ok: false,
      error: { kind: 'usage', message: 'The secret is empty.' }
    })
    expect(await api.getSecretStatus({ server: 'nope' })).toMatchObject({ ok: false, error: { kind: 'not-found' } })
    // The profile holds the variables' names, never the key.
    expect(await readFile(path.join(dataDir, 'wprm.json'), 'utf8')).not.toContain('AKIAAPI')
    await api.close()
  })
})
