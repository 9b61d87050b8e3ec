/**
 * An allow-list HTML sanitizer for what reaches wp-admin's "View details" screen (the manifest's
 * `sections`). It keeps the tags WordPress 6.1's plugin-information screen keeps
 * (`install_plugin_information()`'s `$plugins_allowedtags`), without `class` and `target`, which could
 * restyle wp-admin or open windows; every other tag goes (its text stays), script-like elements go with
 * their content, attributes outside the list go (every `on…` handler among them), and a link or image
 * whose URL is not http(s) (or, for a link, `mailto:` or `#…`) loses it. The output is balanced.
 *
 * The PHP updater filters the same HTML again with `wp_kses` and the same list, so a manifest written
 * by anything else is held to the same rules before WordPress sees it.
 */

/** Tag → the attributes it may keep. */
export const ALLOWED_TAGS: Readonly<Record<string, readonly string[]>> = {
  a: ['href', 'title'],
  abbr: ['title'],
  acronym: ['title'],
  blockquote: ['cite'],
  br: [],
  code: [],
  div: [],
  em: [],
  h1: [],
  h2: [],
  h3: [],
  h4: [],
  h5: [],
  h6: [],
  img: ['src', 'alt'],
  li: [],
  ol: [],
  p: [],
  pre: [],
  span: [],
  strong: [],
  ul: []
}

/** Elements that are dropped with everything inside them: their content is code or widgets, not text. */
const DROPPED_WITH_CONTENT = new Set([
  'script',
  'style',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'noscript',
  'noembed',
  'noframes',
  'template',
  'textarea',
  'select',
  'title',
  'xmp',
  'plaintext',
  'svg',
  'math',
  'head'
])

const VOID_TAGS = new Set(['br', 'img'])
const URL_ATTRIBUTES = new Set(['href', 'src', 'cite'])

const ENTITY = /^&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});/

/** `&`, `<`, `>` and `"` as entities; an `&` that already starts an entity is kept (no double encoding). */
export function escapeHtmlText(text: string): string {
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '&') out += ENTITY.test(text.slice(i, i + 40)) ? '&' : '&amp;'
    else if (c === '<') out += '&lt;'
    else if (c === '>') out += '&gt;'
    else if (c === '"') out += '&quot;'
    else out += c
  }
  return out
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  colon: ':',
  tab: '\t',
  newline: '\n'
}

/** Decodes the entities a URL could hide its scheme behind (`jav&#x61;script:`). */
function decodeEntities(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);?/g, (all, body: string) => {
    if (body.startsWith('#')) {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10)
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ''
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? all
  })
}

/** True for a URL sites may follow from wp-admin: http(s), and for links also `mailto:` and `#fragment`. */
export function isSafeUrl(url: string, attribute: string): boolean {
  // Browsers ignore control characters and white space inside a scheme ("java\tscript:").
  const cleaned = decodeEntities(url).replace(/[\p{Cc}\s]/gu, '')
  if (attribute === 'href' && cleaned.startsWith('#')) return true
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(cleaned)?.[1]?.toLowerCase()
  if (scheme === 'http' || scheme === 'https') return /^https?:\/\/[^/?#\s]/i.test(cleaned)
  return scheme === 'mailto' && attribute === 'href'
}

interface Attribute {
  readonly name: string
  readonly value: string
}

/** A start tag at `at`: its name, attributes and where it ends; null when `<` does not start one. */
function readStartTag(html: string, at: number): { name: string; attributes: Attribute[]; end: number } | null {
  const head = /^<([a-zA-Z][a-zA-Z0-9-]*)/.exec(html.slice(at, at + 64))
  if (head === null) return null
  let i = at + head[0].length
  const attributes: Attribute[] = []
  const rest = /[\s/]*(?:(>)|([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?)/y
  for (;;) {
    rest.lastIndex = i
    const match = rest.exec(html)
    if (match === null) return null // unterminated: not a tag, so it is text
    i = rest.lastIndex
    if (match[1] !== undefined) return { name: head[1]!.toLowerCase(), attributes, end: i }
    attributes.push({ name: match[2]!.toLowerCase(), value: match[3] ?? match[4] ?? match[5] ?? '' })
  }
}

function keptAttributes(tag: string, attributes: readonly Attribute[]): string {
  const allowed = ALLOWED_TAGS[tag] ?? []
  const seen = new Set<string>()
  let out = ''
  for (const { name, value } of attributes) {
    if (!allowed.includes(name) || seen.has(name)) continue
    seen.add(name)
    if (URL_ATTRIBUTES.has(name) && !isSafeUrl(value, name)) continue
    out += ` ${name}="${escapeHtmlText(decodeEntities(value))}"`
  }
  return out
}

/** Sanitizes HTML to the allow-list above; the result is balanced and safe to print in wp-admin. */
export function sanitizeHtml(html: string): string {
  let out = ''
  const open: string[] = []
  let i = 0
  while (i < html.length) {
    const lt = html.indexOf('<', i)
    if (lt === -1) {
      out += escapeHtmlText(html.slice(i))
      break
    }
    out += escapeHtmlText(html.slice(i, lt))
    i = lt
    if (html.startsWith('<!--', i)) {
      const close = html.indexOf('-->', i + 4)
      i = close === -1 ? html.length : close + 3
      continue
    }
    if (html[i + 1] === '!' || html[i + 1] === '?') {
      const close = html.indexOf('>', i)
      i = close === -1 ? html.length : close + 1
      continue
    }
    const end = /^<\/([a-zA-Z][a-zA-Z0-9-]*)[^>]*>/.exec(html.slice(i, i + 128))
    if (end !== null) {
      i += end[0].length
      const name = end[1]!.toLowerCase()
      const at = open.lastIndexOf(name)
      if (at !== -1) while (open.length > at) out += `</${open.pop()!}>`
      continue
    }
    const tag = readStartTag(html, i)
    if (tag === null) {
      out += '&lt;'
      i += 1
      continue
    }
    i = tag.end
    if (DROPPED_WITH_CONTENT.has(tag.name)) {
      const close = new RegExp(`</${tag.name}[\\s/>]`, 'i').exec(html.slice(i))
      i = close === null ? html.length : html.indexOf('>', i + close.index) + 1 || html.length
      continue
    }
    if (!(tag.name in ALLOWED_TAGS)) continue
    const attributes = keptAttributes(tag.name, tag.attributes)
    if (tag.name === 'img' && !attributes.includes(' src="')) continue
    if (VOID_TAGS.has(tag.name)) {
      out += `<${tag.name}${attributes} />`
      continue
    }
    out += `<${tag.name}${attributes}>`
    open.push(tag.name)
  }
  while (open.length > 0) out += `</${open.pop()!}>`
  return out
}
