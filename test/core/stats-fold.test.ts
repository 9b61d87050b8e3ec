import { describe, expect, it } from 'vitest'
import { LogClock, parseCombinedLine } from '../../src-main/core/stats/access-log-line.js'
import { LineSplitter } from '../../src-main/core/stats/line-splitter.js'
import { StatsFold, parseReport } from '../../src-main/core/stats/stats-fold.js'

const SITE = 'c'.repeat(64)

describe('an access-log line in the combined format', () => {
  it('gives time (offset applied), method, target and status, for nginx and Apache lines', () => {
    const nginx =
      '203.0.113.7 - - [10/Oct/2025:23:55:36 -0200] "GET /p/x/info.json?site=1 HTTP/1.1" 304 0 "-" "WordPress/6.4; https://a.example"'
    expect(parseCombinedLine(nginx, new LogClock())).toEqual({
      ms: Date.UTC(2025, 9, 11, 1, 55, 36),
      method: 'GET',
      target: '/p/x/info.json?site=1',
      status: 304
    })
    const apache = '2001:db8::1 - bob [01/Feb/2026:00:00:01 +0530] "HEAD / HTTP/1.0" 200 - "-" "curl/8 \\"q\\""'
    expect(parseCombinedLine(apache, new LogClock())).toMatchObject({ ms: Date.UTC(2026, 0, 31, 18, 30, 1), method: 'HEAD', status: 200 })
  })

  it('is null for what is not such a line', () => {
    const clock = new LogClock()
    for (const line of [
      '',
      'garbage',
      '1.2.3.4 - - [10/Foo/2025:13:55:36 +0000] "GET / HTTP/1.1" 200 1 "-" "-"',
      '1.2.3.4 - - [10/Oct/2025:13:55:36 +0000] "\\x16\\x03\\x01" 400 150 "-" "-"',
      '1.2.3.4 - - [10/Oct/2025:13:55:36 +0000] "GET / HTTP/1.1" 2x0 1 "-" "-"',
      '1.2.3.4 - - [10/Oct/2025:13:55 +0000] "GET / HTTP/1.1" 200 1 "-" "-"'
    ])
      expect(parseCombinedLine(line, clock), line).toBeNull()
  })
})

describe('the install report in a manifest request', () => {
  it('is read, normalized and bounded; without a site there is none; a bad site or version is malformed', () => {
    expect(parseReport(`site=${SITE}&installed=1.2.0&wp=6.4.5&php=8.2.27&locale=de_DE&multisite=1&channel=stable`)).toEqual({
      site: SITE,
      id: SITE.slice(0, 16),
      record: ['1.2.0', '6.4', '8.2', 'de_DE', 1],
      tail: 'installed=1.2.0&wp=6.4.5&php=8.2.27&locale=de_DE&multisite=1&channel=stable'
    })
    expect(parseReport(`site=${SITE}&installed=1.2.0&locale=%3Cscript%3E&wp=banana`)).toMatchObject({
      record: ['1.2.0', 'other', 'other', 'other', 0]
    })
    expect(parseReport('installed=1.2.0')).toBeNull()
    expect(parseReport('')).toBeNull()
    expect(parseReport(`site=${SITE.slice(1)}&installed=1.2.0`)).toBe('malformed')
    expect(parseReport(`site=${SITE}&installed=%3Cb%3E`)).toBe('malformed')
  })
})

describe('lines cut from a byte stream', () => {
  it('hands out whole lines across chunks, counts their bytes, and keeps a line still being written', () => {
    const lines: string[] = []
    const splitter = new LineSplitter()
    splitter.push(Buffer.from('one\r\ntw'), (l) => lines.push(l))
    splitter.push(Buffer.from('o\n\nthr'), (l) => lines.push(l))
    expect(lines).toEqual(['one', 'two'])
    expect(splitter.consumed).toBe(10)
    expect(splitter.rest()).toBe('thr')
  })
})

describe('the fold', () => {
  it('ignores times far ahead of the clock or before 2000 as malformed, and a time gap of months costs a week of snapshots', () => {
    const fold = new StatsFold({ newestDay: null, plugins: {} }, ['x'], '/', new Date('2026-01-10T00:00:00Z'))
    const line = (date: string) => `1.2.3.4 - - [${date} +0000] "GET /x/info.json?site=${SITE}&installed=1.0.0 HTTP/1.1" 200 1 "-" "-"`
    fold.line(line('01/Jan/1999:00:00:00'))
    fold.line(line('01/Jan/2030:00:00:00'))
    fold.line(line('01/Jan/2025:00:00:00'))
    fold.line(line('09/Jan/2026:00:00:00'))
    expect(fold.lines).toEqual({ read: 4, malformed: 2, other: 0 })
    const days = Object.keys(fold.finish().plugins.x!.days)
    expect(days).toEqual(['2025-01-01', '2025-01-02', '2025-01-03', '2025-01-04', '2025-01-05', '2025-01-06', '2025-01-07', '2026-01-09'])
  })
})
