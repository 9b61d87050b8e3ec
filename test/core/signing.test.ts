import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createAesCipher, SecretVault } from '../../src-main/core/remote/secret-vault.js'
import { staleSignature } from '../../src-main/core/remote/signed-publish.js'
import { decryptKeyFile, encryptKeyFile, readKeyFile, writeKeyFile } from '../../src-main/core/signing/key-file.js'
import { KEY_PASSPHRASE_VAR, fileKeySource, keyVariable } from '../../src-main/core/signing/key-source.js'
import { generateSigningKey, keyIdOf, privateKeyBytes, signBytes, verifyBytes } from '../../src-main/core/signing/keys.js'
import type { SigningKeyPair } from '../../src-main/core/signing/keys.js'
import { checkSignature, signEnvelope } from '../../src-main/core/signing/sign-manifest.js'
import type { SigningKeyRecord } from '../../src-shared/model.js'
import {
  envelopeText,
  expiryOf,
  expiryState,
  isKeyId,
  isPublicKeyText,
  isSignatureFileName,
  signedMessage,
  splitEnvelope
} from '../../src-shared/signing.js'

const dirs: string[] = []
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'wprm-signing-'))
  dirs.push(dir)
  return dir
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

/** Every form a leaked private key could take in a text: PKCS#8 DER and its 32-byte seed, in base64 and hex. */
function privateForms(pair: SigningKeyPair): string[] {
  const der = privateKeyBytes(pair.privateKey)
  const seed = der.subarray(der.length - 32)
  return [der.toString('base64'), der.toString('hex'), seed.toString('base64'), seed.toString('hex'), 'PRIVATE KEY']
}

const record = (pair: SigningKeyPair, file: string | null): SigningKeyRecord => ({
  name: 'release',
  key_id: pair.keyId,
  public_key: pair.publicKey,
  storage: file === null ? 'env' : 'file',
  file,
  created_at: '2026-12-01T00:00:00.000Z'
})

describe('keys and signatures', () => {
  it('makes Ed25519 keys whose id and public key have the shared formats, and signs and verifies exact bytes', () => {
    const pair = generateSigningKey()
    expect(isPublicKeyText(pair.publicKey)).toBe(true)
    expect(Buffer.from(pair.publicKey, 'base64')).toHaveLength(32)
    expect(isKeyId(pair.keyId)).toBe(true)
    expect(pair.keyId).toBe(createHash('sha256').update(Buffer.from(pair.publicKey, 'base64')).digest('hex').slice(0, 16))
    expect(keyIdOf(pair.publicKey)).toBe(pair.keyId)
    const bytes = Buffer.from('{"version":"1.2.0"}\n')
    const sig = signBytes(pair.privateKey, bytes)
    expect(verifyBytes(pair.publicKey, bytes, sig)).toBe(true)
    expect(verifyBytes(pair.publicKey, Buffer.from('{"version":"1.2.1"}\n'), sig)).toBe(false)
    expect(verifyBytes(generateSigningKey().publicKey, bytes, sig)).toBe(false)
    expect(verifyBytes(pair.publicKey, bytes, 'not base64 at all')).toBe(false)
  })

  it('signs a JSON text inside it, as its last member, over the exact bytes without that member, and judges it', () => {
    const [a, b] = [generateSigningKey(), generateSigningKey()]
    const message = `${JSON.stringify({ format: 'wprm-manifest/1', version: '1.2.0' }, null, 2)}\n`
    const text = signEnvelope(message, [a, b]).toString('utf8')
    // Still one JSON object (plugin-update-checker reads it), the member last and compact, the newline kept.
    expect(JSON.parse(text)).toMatchObject({ version: '1.2.0', signatures: [{ keyid: a.keyId }, { keyid: b.keyId }] })
    expect(text).toMatch(/\n,"signatures":\[\{"keyid":"[0-9a-f]{16}","sig":"[^"]+"\},\{"keyid":"[0-9a-f]{16}","sig":"[^"]+"\}\]\}\n$/)
    expect(splitEnvelope(text)?.message).toBe(message)
    expect(signedMessage(text)).toBe(message)
    expect(signedMessage(message)).toBe(message)
    expect(verifyBytes(a.publicKey, Buffer.from(message), splitEnvelope(text)!.signatures[0]!.sig)).toBe(true)
    expect(checkSignature(text, [b.publicKey])).toEqual({ ok: true, keyIds: [b.keyId], message })
    // The message changed after signing; the same signatures on another message; a stranger's key; no member.
    expect(checkSignature(text.replace('1.2.0', '1.2.1'), [a.publicKey])).toEqual({
      ok: false,
      problem: `its signature by key ${a.keyId} is invalid`
    })
    const other = envelopeText(message.replace('1.2.0', '9.9.9'), splitEnvelope(text)!.signatures)
    expect(checkSignature(other, [a.publicKey])).toMatchObject({ ok: false, problem: expect.stringContaining('is invalid') })
    expect(checkSignature(text, [generateSigningKey().publicKey])).toMatchObject({
      ok: false,
      problem: expect.stringContaining('unknown key')
    })
    expect(checkSignature(message, [a.publicKey])).toEqual({ ok: false, problem: 'it carries no signature' })
  })

  it('finds the signatures member only as the very end of the file: anything after it, or a changed entry, is no signature', () => {
    const pair = generateSigningKey()
    const message = '{\n  "version": "1.2.0"\n}'
    const text = signEnvelope(message, [pair]).toString('utf8')
    expect(text.endsWith(']}')).toBe(true)
    expect(splitEnvelope(text)?.message).toBe(message)
    // A duplicate key after the signature would win in a JSON parser: such a file has no signature at all.
    expect(splitEnvelope(`${text.slice(0, -1)},"version":"6.6.6"}`)).toBeNull()
    expect(splitEnvelope(`${text}\n\n`)).toBeNull()
    expect(splitEnvelope(`${text} `)).toBeNull()
    expect(splitEnvelope(text.replace('"sig":"', '"sig": "'))).toBeNull()
    expect(splitEnvelope(text.replace(/"keyid":"[0-9a-f]/, '"keyid":"X'))).toBeNull()
    expect(() => envelopeText('[1]', [])).toThrow()
    expect(() => envelopeText('{}', [])).toThrow()
  })

  it('sweeps the detached signature files of earlier versions, and nothing else', () => {
    expect(staleSignature('info.json.0123456789abcdef.sig')).toBe(true)
    expect(staleSignature('ledger.json.0123456789abcdef.sig')).toBe(true)
    expect(isSignatureFileName('info.json', 'info.json.sig')).toBe(false)
    expect(staleSignature('info.json')).toBe(false)
    expect(staleSignature('hello-v1.0.0.zip')).toBe(false)
  })

  it('dates an expiry in whole seconds, and tells expired, soon (within 7 days) and fine apart', () => {
    const now = new Date('2026-12-01T10:00:00.500Z')
    expect(expiryOf(now, 30)).toBe('2026-12-31T10:00:00Z')
    expect(expiryState('2026-12-31T10:00:00Z', now)).toMatchObject({ state: 'ok' })
    expect(expiryState('2026-12-05T10:00:00Z', now)).toMatchObject({ state: 'soon' })
    expect(expiryState('2026-11-30T10:00:00Z', now)).toMatchObject({ state: 'expired' })
    expect(expiryState('next month', now)).toBeNull()
    expect(expiryState(undefined, now)).toBeNull()
  })
})

describe('key files and key sources', () => {
  it('keeps the private key only encrypted (scrypt + AES-256-GCM), 0600, and opens it with the passphrase alone', async () => {
    const dir = await tempDir()
    const pair = generateSigningKey()
    const file = path.join(dir, 'release.key.json')
    await writeKeyFile(file, encryptKeyFile(pair, 'release', 'a long passphrase'))
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    const text = await readFile(file, 'utf8')
    for (const form of privateForms(pair)) expect(text).not.toContain(form)
    expect(JSON.parse(text)).toMatchObject({
      format: 'wprm-signing-key/1',
      key_id: pair.keyId,
      public_key: pair.publicKey,
      kdf: { name: 'scrypt' }
    })
    const opened = await readKeyFile(file, 'a long passphrase', KEY_PASSPHRASE_VAR)
    expect(opened.publicKey).toBe(pair.publicKey)
    await expect(readKeyFile(file, 'wrong passphrase', KEY_PASSPHRASE_VAR)).rejects.toMatchObject({
      kind: 'signing-key',
      message: expect.stringContaining('does not open the signing key release')
    })
    await expect(readKeyFile(file, undefined, KEY_PASSPHRASE_VAR)).rejects.toMatchObject({
      kind: 'signing-key',
      hint: expect.stringContaining(KEY_PASSPHRASE_VAR)
    })
    expect(() => encryptKeyFile(pair, 'release', 'short')).toThrow(/shorter than 8/)
    const damaged = JSON.parse(text) as { public_key: string }
    damaged.public_key = generateSigningKey().publicKey
    expect(() => decryptKeyFile(JSON.stringify(damaged), 'a long passphrase', 'x', KEY_PASSPHRASE_VAR)).toThrow(/damaged/)
  })

  it('reads a key from its environment variable first (CI: a key file or a PEM), and refuses another key than the record', async () => {
    const dir = await tempDir()
    const pair = generateSigningKey()
    expect(keyVariable('release-2026')).toBe('WPRM_SIGNING_KEY_RELEASE_2026')
    const pem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string
    const fromPem = fileKeySource(dir, { [keyVariable('release')]: pem })
    expect((await fromPem.open(record(pair, null))).keyId).toBe(pair.keyId)
    const fromFile = fileKeySource(dir, {
      [keyVariable('release')]: encryptKeyFile(pair, 'release', 'passphrase!'),
      [KEY_PASSPHRASE_VAR]: 'passphrase!'
    })
    expect((await fromFile.open(record(pair, null))).keyId).toBe(pair.keyId)
    await expect(fromPem.open(record(generateSigningKey(), null))).rejects.toMatchObject({
      kind: 'signing-key',
      message: expect.stringContaining('is another key')
    })
    await expect(fileKeySource(dir, {}).open(record(pair, null))).rejects.toMatchObject({
      kind: 'signing-key',
      hint: expect.stringContaining(keyVariable('release'))
    })
    await expect(fileKeySource(dir, { [keyVariable('release')]: 'garbage' }).open(record(pair, null))).rejects.toMatchObject({
      kind: 'signing-key'
    })
  })

  it('refuses to keep a new key without a passphrase, and keeps it in the vault (safeStorage) where the OS has a secret store', async () => {
    const dir = await tempDir()
    const pair = generateSigningKey()
    await expect(fileKeySource(dir, {}).keep('release', pair)).rejects.toMatchObject({
      kind: 'signing-key',
      message: expect.stringContaining(KEY_PASSPHRASE_VAR)
    })
    const vault = new SecretVault(dir, createAesCipher())
    const source = vault.keySource(fileKeySource(dir, {}))
    expect(await source.keep('release', pair)).toEqual({ storage: 'vault', file: null })
    expect((await source.open(record(pair, null))).publicKey).toBe(pair.publicKey)
    const stored = await readFile(path.join(dir, 'secrets.json'), 'utf8')
    for (const form of privateForms(pair)) expect(stored).not.toContain(form)
  })
})
