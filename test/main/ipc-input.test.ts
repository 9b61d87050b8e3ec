import { describe, expect, it } from 'vitest'
import { API_METHODS } from '../../src-preload/api.js'
import { validateInput } from '../../src-main/ipc-input.js'

describe('validateInput (payloads from the window are untrusted)', () => {
  it('passes well-formed payloads through', () => {
    expect(validateInput('changeStatus', { slug: 'x', versions: ['1.0.0'], status: 'released' })).toEqual([
      { slug: 'x', versions: ['1.0.0'], status: 'released' }
    ])
    expect(validateInput('listPlugins', undefined)).toEqual([])
    expect(
      validateInput('addServer', { name: 'p', host: 'h', user: 'u', auth: { kind: 'agent' }, remoteRoot: '/r', publicUrl: 'https://x/' })
    ).toHaveLength(1)
    expect(validateInput('setPlugin', { slug: 'x', server: null })).toHaveLength(1)
  })

  it('takes each server kind with its own fields', () => {
    const s3 = {
      kind: 's3',
      name: 'cdn',
      bucket: 'b',
      publicUrl: 'https://cdn/',
      endpoint: 'http://127.0.0.1:1',
      pathStyle: true,
      mutableMaxAge: '60'
    }
    expect(validateInput('addServer', s3)).toEqual([s3])
    expect(
      validateInput('addServer', { kind: 'local', name: 'here', root: '/srv/u', publicUrl: 'http://x/', accessLogs: ['/var/log/a'] })
    ).toHaveLength(1)
    expect(
      validateInput('addServer', {
        kind: 'sftp',
        name: 'p',
        host: 'h',
        user: 'u',
        auth: { kind: 'agent' },
        remoteRoot: '/r',
        publicUrl: 'https://x/'
      })
    ).toHaveLength(1)
    expect(validateInput('setServer', { name: 'cdn', publicUrl: 'https://cdn2/', mutableMaxAge: '30' })).toHaveLength(1)
    expect(validateInput('storeSecret', { server: 'cdn', kind: 's3-secret-access-key', value: 'k' })).toHaveLength(1)
  })

  it.each([
    // An S3 secret never travels in a profile: the only way in is storeSecret.
    [
      'a secret key in the profile',
      { kind: 's3', name: 'c', bucket: 'b', publicUrl: 'https://c/', secretAccessKey: 'x' },
      /does not take "secretAccessKey"/
    ],
    ['an SFTP field on a bucket', { kind: 's3', name: 'c', bucket: 'b', publicUrl: 'https://c/', host: 'h' }, /does not take "host"/],
    ['no bucket', { kind: 's3', name: 'c', publicUrl: 'https://c/' }, /"bucket" is missing/],
    ['path-style as text', { kind: 's3', name: 'c', bucket: 'b', publicUrl: 'https://c/', pathStyle: 'yes' }, /"pathStyle"/],
    ['max-age as a number', { kind: 's3', name: 'c', bucket: 'b', publicUrl: 'https://c/', mutableMaxAge: 60 }, /"mutableMaxAge"/],
    ['an unknown kind', { kind: 'ftp', name: 'c', root: '/r', publicUrl: 'https://c/' }, /"kind" must be one of sftp, s3, local/],
    ['a kind that is not text', { kind: 3, name: 'c', root: '/r', publicUrl: 'https://c/' }, /"kind" must be one of/],
    ['a local folder without its root', { kind: 'local', name: 'c', publicUrl: 'https://c/' }, /"root" is missing/],
    [
      'a remote root on a local folder',
      { kind: 'local', name: 'c', root: '/r', remoteRoot: '/r', publicUrl: 'https://c/' },
      /does not take "remoteRoot"/
    ]
  ] as const)('refuses addServer with %s', (_name, payload, message) => {
    expect(() => validateInput('addServer', payload)).toThrow(message)
  })

  it('refuses a secret kind it does not know', () => {
    expect(() => validateInput('storeSecret', { server: 'c', kind: 's3-session-token', value: 'x' })).toThrow(/"kind"/)
    expect(() => validateInput('deleteSecret', { server: 'c', kind: 'aws' })).toThrow(/"kind"/)
  })

  it.each([
    ['changeStatus', { slug: 'x', versions: '1.0.0', status: 'released' }, /versions/],
    ['changeStatus', { slug: 'x', versions: ['1.0.0'], status: 'gone' }, /status/],
    // The changelog may be left out (the readme's entry is used), but not be of another type.
    ['addVersion', { slug: 'x', version: '1.0.0', changelog: 7 }, /changelog/],
    ['addVersion', { slug: 'x', version: '1.0.0', allow: ['a', 1] }, /allow/],
    ['getPlugin', { slug: 'x', extra: 1 }, /does not take "extra"/],
    ['getPlugin', null, /needs an object/],
    ['getPlugin', ['x'], /needs an object/],
    ['listPlugins', { sneaky: true }, /takes no input/],
    [
      'addServer',
      { name: 'p', host: 'h', user: 'u', auth: { kind: 'password', password: 'hunter2' }, remoteRoot: '/r', publicUrl: 'https://x/' },
      /auth/
    ],
    ['pruneZips', { slug: 'x', keep: Number.NaN }, /keep/]
  ] as const)('refuses %s with %j', (method, payload, message) => {
    expect(() => validateInput(method, payload)).toThrow(message)
  })

  it('knows every method of the contract', () => {
    for (const method of API_METHODS) expect(() => validateInput(method, {})).not.toThrow(/undefined/)
  })
})
