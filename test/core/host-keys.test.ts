import { createHmac, randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { assertFingerprint, fingerprintOf, knownHostFingerprints } from '../../src-main/core/remote/host-keys.js'
import { makeTempDir } from '../fixtures/plugin-folder.js'

let temp: { dir: string; cleanup: () => Promise<void> }
beforeEach(async () => {
  temp = await makeTempDir()
})
afterEach(async () => temp.cleanup())

// A real ed25519 public key blob and its fingerprint as `ssh-keygen -lf` prints it.
const KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl'
const FINGERPRINT = fingerprintOf(Buffer.from(KEY, 'base64'))

describe('host keys', () => {
  it('prints fingerprints as OpenSSH does', () => {
    expect(FINGERPRINT).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/)
    expect(assertFingerprint(FINGERPRINT)).toBe(FINGERPRINT)
    expect(() => assertFingerprint('MD5:aa:bb')).toThrow(/not a host key fingerprint/)
  })

  it('finds a host in known_hosts: plain, with a port, hashed, and not revoked', async () => {
    const salt = randomBytes(20)
    const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('[hashed.example]:2222').digest('base64')}`
    const file = path.join(temp.dir, 'known_hosts')
    await writeFile(
      file,
      [
        '# comment',
        `plain.example,192.0.2.1 ssh-ed25519 ${KEY}`,
        `[ported.example]:2222 ssh-ed25519 ${KEY}`,
        `${hashed} ssh-ed25519 ${KEY}`,
        `@revoked revoked.example ssh-ed25519 ${KEY}`,
        ''
      ].join('\n')
    )
    expect(await knownHostFingerprints('plain.example', 22, file)).toEqual([FINGERPRINT])
    expect(await knownHostFingerprints('192.0.2.1', 22, file)).toEqual([FINGERPRINT])
    expect(await knownHostFingerprints('ported.example', 2222, file)).toEqual([FINGERPRINT])
    expect(await knownHostFingerprints('ported.example', 22, file)).toEqual([])
    expect(await knownHostFingerprints('hashed.example', 2222, file)).toEqual([FINGERPRINT])
    expect(await knownHostFingerprints('revoked.example', 22, file)).toEqual([])
    expect(await knownHostFingerprints('plain.example', 22, path.join(temp.dir, 'missing'))).toEqual([])
  })
})
