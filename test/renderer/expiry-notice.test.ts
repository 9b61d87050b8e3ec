import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { ExpiryNotice } from '../../src-renderer/src/components/expiry-notice'
import type { PluginRecord } from '../../src-preload/api'
import { plugin } from './records'

const now = new Date('2026-12-01T12:00:00Z')
const render = (fields: Partial<PluginRecord>): string =>
  renderToStaticMarkup(createElement(ExpiryNotice, { plugin: { ...plugin(), ...fields }, now }))

describe('the expiry warning', () => {
  it('warns for a signed live manifest expiring within 7 days or expired, and says how to re-sign it', () => {
    expect(render({ signing_key: 'release', manifest_expires: '2026-12-05T12:00:00Z' })).toContain('within 7 days')
    expect(render({ signing_key: 'release', manifest_expires: '2026-11-30T12:00:00Z' })).toContain('expired on')
    expect(render({ signing_key: 'release', manifest_expires: '2026-11-30T12:00:00Z' })).toContain('wprm publish hello --refresh')
    expect(render({ signing_key: 'release', manifest_expires: '2026-12-20T12:00:00Z' })).toBe('')
    expect(render({ signing_key: null, manifest_expires: '2026-11-30T12:00:00Z' })).toBe('')
    expect(render({ signing_key: 'release', manifest_expires: null })).toBe('')
  })
})
