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
