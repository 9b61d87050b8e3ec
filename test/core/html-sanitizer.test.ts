import { describe, expect, it } from 'vitest'
import { sanitizeHtml } from '../../src-main/core/source/html-sanitizer.js'
import { plainText, requirementVersion, safeHttpUrl } from '../../src-main/core/source/safe-text.js'
import { HOSTILE_HTML, TAG, problems } from '../fixtures/hostile-html.js'

describe('sanitizeHtml', () => {
  it('is checked by a checker that flags the raw hostile input (all but entity-encoded evasions and mere structure)', () => {
    expect(HOSTILE_HTML.filter((html) => problems(html).length === 0)).toEqual([
      '<img src="jav&#x09;ascript:alert(1)">',
      '<img src="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">',
      '<a href="java\nscript:alert(1)">click</a>',
      '<a href="https://ok.example/" title="x&quot; onmouseover=&quot;alert(1)">t</a>',
      '<p>unclosed <strong>bold <em>both',
      '</p></div></ul>stray closing tags'
    ])
  })

  it.each(HOSTILE_HTML)('leaves no tag, handler or script URL of %j', (hostile) => {
    const out = sanitizeHtml(hostile)
    expect(problems(out)).toEqual([])
    // Balanced: every kept element is closed.
    const open: string[] = []
    for (const [tag, name] of out.matchAll(TAG)) {
      if (tag.endsWith('/>')) continue
      if (tag.startsWith('</')) expect(open.pop()).toBe(name)
      else open.push(name!)
    }
    expect(open).toEqual([])
  })

  it('keeps what the plugin-information screen shows, with safe attributes only', () => {
    expect(sanitizeHtml('<h4>1.2.0</h4>\n<ul><li>Fixed <code>a &lt; b</code></li></ul>')).toBe(
      '<h4>1.2.0</h4>\n<ul><li>Fixed <code>a &lt; b</code></li></ul>'
    )
    expect(sanitizeHtml('<a href="https://ok.example/?a=1&b=2" onclick="x" title="T">ok</a>')).toBe(
      '<a href="https://ok.example/?a=1&amp;b=2" title="T">ok</a>'
    )
    expect(sanitizeHtml('<img src=x onerror=alert(document.domain)>')).toBe('')
    expect(sanitizeHtml('<img src="https://ok.example/a.png" alt="A" onload=x>')).toBe('<img src="https://ok.example/a.png" alt="A" />')
    expect(sanitizeHtml('<a href="javascript:alert(1)">click</a>')).toBe('<a>click</a>')
    expect(sanitizeHtml('<a href="#faq" target="_blank">faq</a> <a href="mailto:a@example.com">mail</a>')).toBe(
      '<a href="#faq">faq</a> <a href="mailto:a@example.com">mail</a>'
    )
    expect(sanitizeHtml('Tom & Jerry &amp; <b>bold</b> 3 < 4 > 2')).toBe('Tom &amp; Jerry &amp; bold 3 &lt; 4 &gt; 2')
    expect(sanitizeHtml('<script>alert(1)</script>after <style>x</style>text')).toBe('after text')
    expect(sanitizeHtml('<p>unclosed <strong>bold')).toBe('<p>unclosed <strong>bold</strong></p>')
  })
})

describe('plain-text fields', () => {
  it('strips tags and handlers and escapes what is left, without double-encoding', () => {
    expect(plainText('Shop <img src=x onerror=alert(document.domain)> Tools')).toBe('Shop Tools')
    expect(plainText('<script>alert(1)</script>Name')).toBe('Name')
    expect(plainText('Tom & Jerry &amp; "Friends" <b>Ltd</b>')).toBe('Tom &amp; Jerry &amp; &quot;Friends&quot; Ltd')
    expect(plainText("Bob's <plugin")).toBe('Bob&#039;s')
    expect(plainText('a\u0000b\tc\n\nd')).toBe('a b c d')
    for (const hostile of HOSTILE_HTML) expect(plainText(hostile)).not.toMatch(/[<>]/)
  })

  it('keeps only http(s) URLs', () => {
    expect(safeHttpUrl(' https://example.com/plugin ')).toBe('https://example.com/plugin')
    expect(safeHttpUrl('javascript:alert(1)')).toBeNull()
    expect(safeHttpUrl('https://example.com/"onmouseover=alert(1)')).toBeNull()
    expect(safeHttpUrl('ftp://example.com/')).toBeNull()
    expect(safeHttpUrl(null)).toBeNull()
  })

  it('reads requirements as wordpress.org does, and refuses prose', () => {
    expect(requirementVersion('6.0')).toBe('6.0')
    expect(requirementVersion('WordPress 6.2 or higher')).toBe('6.2')
    expect(requirementVersion('6.4-RC1')).toBe('6.4')
    expect(requirementVersion('7.4+')).toBe('7.4')
    expect(requirementVersion('8')).toBe('8')
    expect(requirementVersion('<script>alert(1)</script>')).toBeNull()
    expect(requirementVersion('latest')).toBeNull()
  })
})
