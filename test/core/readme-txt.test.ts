import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import type { PluginVersionRecord } from '../../src-shared/model.js'
import { manifestTexts } from '../../src-main/core/remote/manifest-texts.js'
import { markdownToHtml, readmeHtml } from '../../src-main/core/source/readme-markdown.js'
import { entryFor, parseReadme } from '../../src-main/core/source/readme-txt.js'
import { hostileReadme } from '../wordpress/support/hostile-plugin.js'
import { HOSTILE_HTML, problems } from '../fixtures/hostile-html.js'

/** A real plugin's readme.txt, as published (test/fixtures/readmes/SOURCES.md says where from). */
const fixture = (name: string): Promise<string> => readFile(new URL(`../fixtures/readmes/${name}.txt`, import.meta.url), 'utf8')

const record = (version: string, changelog: string, extra: Partial<PluginVersionRecord> = {}): PluginVersionRecord =>
  ({ version, status: 'released', changelog, revoked_at: null, force_update: false, ...extra }) as PluginVersionRecord

describe('parseReadme on real readme.txt files', () => {
  it("reads Classic Editor's (CRLF lines): headers, short description, sections, FAQ, screenshots, changelog entries", async () => {
    const readme = parseReadme(await fixture('classic-editor'))
    expect(readme.name).toBe('Classic Editor')
    expect(readme.headers).toMatchObject({
      requires: '4.9',
      tested: '6.5',
      requires_php: '5.2.4',
      stable_tag: '1.6.3',
      license: 'GPLv2 or later',
      license_uri: 'http://www.gnu.org/licenses/gpl-2.0.html'
    })
    expect(readme.headers.contributors).toHaveLength(10)
    // wordpress.org keeps five tags.
    expect(readme.headers.tags).toEqual(['gutenberg', 'disable', 'disable gutenberg', 'editor', 'classic editor'])
    expect(readme.short_description).toMatch(/^Enables the previous "classic" editor/)
    expect(Object.keys(readme.sections)).toEqual(['description', 'faq', 'screenshots', 'changelog'])
    expect(readme.faq.map((e) => e.heading)[0]).toBe('Default settings')
    expect(readme.screenshots).toHaveLength(7)
    expect(readme.changelog.slice(0, 3).map((e) => e.heading)).toEqual(['1.6.3', '1.6.2', '1.6.1'])
    expect(entryFor(readme.changelog, '1.6.2')).toBe('* Fixed bug that was preventing saving of the last used editor.')
  })

  it.each([
    ['akismet', 'Akismet Anti-Spam', ['description', 'installation', 'changelog'], '4.1.1'],
    ['health-check', 'Health Check & Troubleshooting', ['description', 'faq', 'screenshots', 'changelog'], '1.7.0'],
    ['wordpress-importer', 'WordPress Importer', ['description', 'installation', 'faq', 'changelog'], '0.9.5'],
    ['safe-svg', 'Safe SVG', ['description', 'installation', 'faq', 'changelog', 'upgrade_notice'], '2.2.6']
  ])('reads %s: its name, sections and the newest changelog entry', async (name, title, sections, newest) => {
    const readme = parseReadme(await fixture(name))
    expect(readme.name).toBe(title)
    expect(Object.keys(readme.sections)).toEqual(sections)
    expect(entryFor(readme.changelog, newest)).not.toBeNull()
  })

  it('finds entries under headings written with dates, a "v" or Markdown (Safe SVG, Health Check)', async () => {
    const svg = parseReadme(await fixture('safe-svg'))
    expect(svg.changelog[0]!.heading).toBe('2.2.6 - 2024-08-28')
    expect(entryFor(svg.upgrade_notices, '2.2.6')).toMatch(/\S/)
    const health = parseReadme(await fixture('health-check'))
    expect(health.changelog.map((e) => e.heading)).toEqual(['1.7.0 (2023-08-06)', 'v1.6.0 (2023-03-31)'])
    expect(entryFor(health.changelog, '1.6.0')).toMatch(/\S/)
  })

  it('renders wordpress.org Markdown: lists as lists, = x = as h4, code, links; never <br> for list lines', async () => {
    const html = readmeHtml(parseReadme(await fixture('classic-editor')).sections.changelog!)
    expect(html).toMatch(/^<h4>1\.6\.3<\/h4>\n<ul>\n<li>Added some WPCS fixes/)
    expect(html).not.toContain('<br')
    expect(readmeHtml(parseReadme(await fixture('safe-svg')).sections.faq!)).toContain("<pre><code>add_filter( 'svg_allowed_attributes'")
    expect(markdownToHtml('See [the docs](https://example.com/a?b=1&c=2 "Docs") and `a_b`, **bold** and *em*.')).toBe(
      '<p>See <a href="https://example.com/a?b=1&amp;c=2" title="Docs">the docs</a> and <code>a_b</code>, <strong>bold</strong> and <em>em</em>.</p>'
    )
    expect(markdownToHtml('1. One\n2. Two\n   * nested\n\n## Heading\n\n> quoted')).toBe(
      '<ol>\n<li>One</li>\n<li>Two\n<ul>\n<li>nested</li>\n</ul></li>\n</ol>\n<h2>Heading</h2>\n<blockquote><p>quoted</p></blockquote>'
    )
    expect(markdownToHtml('`\nmulti\nline\n`\nafter')).toBe('<pre><code>multi\nline</code></pre>\n<p>after</p>')
    expect(markdownToHtml('[wiki](https://en.wikipedia.org/wiki/Foo_(bar)).')).toBe(
      '<p><a href="https://en.wikipedia.org/wiki/Foo_(bar)">wiki</a>.</p>'
    )
  })
})

describe('readme texts with hostile input', () => {
  it('leaves no tag, handler or script URL in any section or entry', () => {
    const readme = parseReadme(hostileReadme())
    const html = [
      ...Object.values(readme.sections).map(readmeHtml),
      ...readme.faq.map((e) => readmeHtml(e.text)),
      ...HOSTILE_HTML.map(readmeHtml)
    ]
    for (const section of html) expect({ section, problems: problems(section) }).toEqual({ section, problems: [] })
    expect(readme.headers.tested).toBeNull() // "6.1 <b onmouseover=…>": prose, refused as wordpress.org refuses it
  })
})

describe('manifestTexts', () => {
  it('carries every readme section; the changelog is the records, then the readme history older than them', async () => {
    const texts = manifestTexts({
      versions: [record('1.6.3', '* Added some WPCS fixes.'), record('1.6.2', 'Withdrawn fix', { revoked_at: '2026-01-01' })],
      latest: record('1.6.3', '* Added some WPCS fixes.'),
      zip: {
        mainFile: '<?php /* Plugin Name: Classic Editor\n * Author: WordPress Contributors\n */',
        readme: await fixture('classic-editor')
      }
    })
    expect(Object.keys(texts.sections)).toEqual(['description', 'faq', 'screenshots', 'changelog'])
    expect(texts.sections.changelog).toMatch(
      /^<h4>1\.6\.3<\/h4>\n<ul>\n<li>Added some WPCS fixes\.<\/li>\n<\/ul>\n<h4>1\.6\.2 \(withdrawn\)<\/h4>\n<p>Withdrawn fix<\/p>\n<h4>1\.6\.1<\/h4>/
    )
    expect(texts.sections.faq).toMatch(/^<h4>Default settings<\/h4>\n<p>When activated/)
    expect(texts.sections.screenshots).toMatch(/^<ol>\n<li>Admin settings on the Settings -&gt; Writing screen\.<\/li>/)
    expect(texts).toMatchObject({ author: 'WordPress Contributors', tested: '6.5', upgrade_notice: 'Added some WPCS fixes.' })
  })

  it("takes the upgrade notice from the readme's entry for the version, but an emergency's from its changelog", async () => {
    const readme = await fixture('safe-svg')
    const notice = entryFor(parseReadme(readme).upgrade_notices, '2.2.6')!
    const normal = manifestTexts({ versions: [record('2.2.6', 'x')], latest: record('2.2.6', 'x'), zip: { mainFile: null, readme } })
    expect(normal.upgrade_notice).toBe(notice.replace(/[*_`]/g, '').replace(/\s+/g, ' ').trim())
    expect(normal.sections.upgrade_notice).toMatch(/^<h4>2\.2\.6<\/h4>/)
    const forced = record('2.2.6', 'SECURITY: escapes the output.', { force_update: true })
    expect(manifestTexts({ versions: [forced], latest: forced, zip: { mainFile: null, readme } }).upgrade_notice).toBe(
      'SECURITY: escapes the output.'
    )
  })
})
