import { escapeHtmlText, sanitizeHtml } from './html-sanitizer.js'

/**
 * wordpress.org's Markdown dialect for readme.txt, to HTML: Markdown (as PHP Markdown Extra reads it:
 * paragraphs, `*`/`-`/`+` and `1.` lists, `#` headings, `>` quotes, fenced and indented code, `code`,
 * **strong**, *em*, [links](url), <autolinks>, inline HTML) plus the readme's own forms: a `= Title =`
 * line is an `<h4>` (so changelog entries `= 1.2.0 =` are headings), and a backtick span over several
 * lines is a code block. Differences from wordpress.org, all in the direction of plainer output: a list
 * may follow a paragraph line without a blank line; a one-line backtick span at the start of a line
 * stays inline code; `---` rules and tables are dropped (the "View details" screen allows neither).
 *
 * The output is not yet safe: `readmeHtml` runs it through the sanitizer.
 */

const BLOCK_HTML = /^<\/?(p|div|ul|ol|li|h[1-6]|blockquote|pre|table|dl|dt|dd|iframe|script|style|noscript|form|hr|br|img|svg|figure)\b/i

interface Line {
  readonly text: string
  readonly indent: number
}

function indentOf(text: string): number {
  let width = 0
  for (const c of text) {
    if (c === ' ') width++
    else if (c === '\t') width += 4 - (width % 4)
    else break
  }
  return width
}

/** Removes up to `width` columns of leading white space. */
function outdent(text: string, width: number): string {
  let i = 0
  let removed = 0
  while (i < text.length && removed < width && (text[i] === ' ' || text[i] === '\t')) {
    removed += text[i] === '\t' ? 4 - (removed % 4) : 1
    i++
  }
  return text.slice(i)
}

const LIST_ITEM = /^(\s*)([*+-]|\d+[.)])\s+(.*)$/
const ATX_HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/
const README_HEADING = /^\s*=\s+(.+?)\s+=\s*$/
const FENCE = /^\s{0,3}(```+|~~~+)\s*([\w-]*)\s*$/
const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/
const QUOTE = /^\s{0,3}>\s?(.*)$/

/**
 * Inline Markdown to HTML: text is escaped, inline HTML is passed on (for the sanitizer to judge). A link
 * address may hold one level of parentheses, as Markdown allows.
 */
export function inlineHtml(text: string): string {
  const held: string[] = []
  const hold = (html: string): string => `\uE000${held.push(html) - 1}\uE000`
  let out = text
    // Code spans first: nothing inside them is Markdown or HTML.
    .replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, (_all, _ticks: string, code: string) => hold(`<code>${escapeHtmlText(code.trim())}</code>`))
    .replace(/\\([\\`*_{}[\]()#+\-.!<>])/g, (_all, c: string) => hold(escapeHtmlText(c)))
    .replace(/<((?:https?|mailto):[^\s<>]+)>/gi, (_all, url: string) => hold(`<a href="${escapeHtmlText(url)}">${escapeHtmlText(url)}</a>`))
    .replace(/<\/?[a-zA-Z][^<>]*>/g, (tag) => hold(tag))
  out = escapeHtmlText(out)
  out = out
    .replace(/!\[([^\]]*)\]\(\s*((?:[^\s()]|\([^\s()]*\))+?)(?:\s+&quot;([^"]*?)&quot;)?\s*\)/g, (_all, alt: string, url: string) =>
      hold(`<img src="${url}" alt="${alt}" />`)
    )
    .replace(
      /\[([^\]]+)\]\(\s*((?:[^\s()]|\([^\s()]*\))+?)(?:\s+&quot;(.*?)&quot;)?\s*\)/g,
      (_all, label: string, url: string, title?: string) =>
        hold(`<a href="${url}"${title === undefined ? '' : ` title="${title}"`}>${label}</a>`)
    )
    .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, '<strong>$2</strong>')
    .replace(/(^|[^\w*])\*(?=[^\s*])([^*]*?[^\s*])\*(?![\w*])/g, '$1<em>$2</em>')
    .replace(/(^|[^\w])_(?=\S)([^_]*?\S)_(?!\w)/g, '$1<em>$2</em>')
    .replace(/ {2,}\n/g, '<br />\n')
  // Held pieces may hold others (a link's label with code in it): restore until none is left.
  while (/\uE000\d+\uE000/.test(out)) out = out.replace(/\uE000(\d+)\uE000/g, (_all, i: string) => held[Number(i)]!)
  return out
}

/** Block-level Markdown over lines; returns HTML. */
function blocks(lines: readonly string[]): string {
  const out: string[] = []
  let i = 0
  const at = (k: number): Line | null => (k < lines.length ? { text: lines[k]!, indent: indentOf(lines[k]!) } : null)
  const blank = (k: number): boolean => (lines[k] ?? '').trim() === ''
  const startsBlock = (text: string): boolean =>
    ATX_HEADING.test(text) ||
    README_HEADING.test(text) ||
    FENCE.test(text) ||
    LIST_ITEM.test(text) ||
    QUOTE.test(text) ||
    BLOCK_HTML.test(text.trim())

  while (i < lines.length) {
    const line = at(i)!
    const text = line.text
    if (text.trim() === '') {
      i++
      continue
    }
    const fence = FENCE.exec(text)
    if (fence !== null) {
      const body: string[] = []
      i++
      while (i < lines.length && !new RegExp(`^\\s{0,3}${fence[1]![0]}{${fence[1]!.length},}\\s*$`).test(lines[i]!)) body.push(lines[i++]!)
      i++
      out.push(`<pre><code>${escapeHtmlText(body.join('\n'))}</code></pre>`)
      continue
    }
    if (line.indent >= 4) {
      const body: string[] = []
      while (i < lines.length && (blank(i) || indentOf(lines[i]!) >= 4)) body.push(outdent(lines[i++]!, 4))
      while (body.length > 0 && body.at(-1)!.trim() === '') body.pop()
      out.push(`<pre><code>${escapeHtmlText(body.join('\n'))}</code></pre>`)
      continue
    }
    const readmeHeading = README_HEADING.exec(text)
    if (readmeHeading !== null) {
      out.push(`<h4>${inlineHtml(readmeHeading[1]!)}</h4>`)
      i++
      continue
    }
    const heading = ATX_HEADING.exec(text)
    if (heading !== null) {
      out.push(`<h${heading[1]!.length}>${inlineHtml(heading[2]!)}</h${heading[1]!.length}>`)
      i++
      continue
    }
    if (RULE.test(text)) {
      i++
      continue
    }
    if (QUOTE.test(text)) {
      const body: string[] = []
      while (i < lines.length && !blank(i) && (QUOTE.test(lines[i]!) || body.length > 0)) {
        body.push(QUOTE.exec(lines[i]!)?.[1] ?? lines[i]!)
        i++
      }
      out.push(`<blockquote>${blocks(body)}</blockquote>`)
      continue
    }
    const item = LIST_ITEM.exec(text)
    if (item !== null) {
      const consumed = list(lines, i)
      out.push(consumed.html)
      i = consumed.next
      continue
    }
    if (BLOCK_HTML.test(text.trim())) {
      const body: string[] = []
      while (i < lines.length && !blank(i)) body.push(lines[i++]!)
      out.push(body.join('\n'))
      continue
    }
    const paragraph: string[] = [text.trim()]
    i++
    while (i < lines.length && !blank(i) && !startsBlock(lines[i]!) && indentOf(lines[i]!) < 4)
      paragraph.push(lines[i++]!.replace(/^\s+/, ''))
    out.push(`<p>${inlineHtml(paragraph.join('\n'))}</p>`)
  }
  return out.join('\n')
}

/** A list starting at line `start`: its items (with nested blocks), and the line after it. */
function list(lines: readonly string[], start: number): { html: string; next: number } {
  const first = LIST_ITEM.exec(lines[start]!)!
  const base = indentOf(first[1]!)
  const ordered = /\d/.test(first[2]!)
  const items: string[][] = []
  let loose = false
  let i = start
  while (i < lines.length) {
    const text = lines[i]!
    const item = LIST_ITEM.exec(text)
    if (item !== null && indentOf(item[1]!) <= base + 1 && /\d/.test(item[2]!) === ordered) {
      items.push([item[3]!])
      i++
      continue
    }
    if (item !== null && indentOf(item[1]!) <= base + 1) break // a list of the other kind starts
    if (text.trim() === '') {
      // A blank line continues the list only when indented content or another item follows.
      const next = lines[i + 1]
      if (next === undefined || next.trim() === '') break
      const nextItem = LIST_ITEM.exec(next)
      if ((nextItem !== null && indentOf(nextItem[1]!) <= base + 1) || indentOf(next) > base + 1) {
        loose = loose || (nextItem !== null && indentOf(nextItem[1]!) <= base + 1)
        items.at(-1)!.push('')
        i++
        continue
      }
      break
    }
    if (indentOf(text) > base || !(ATX_HEADING.test(text) || README_HEADING.test(text) || FENCE.test(text))) {
      // Indented content, or a lazy continuation of the item's paragraph.
      items.at(-1)!.push(outdent(text, base + 2))
      i++
      continue
    }
    break
  }
  const tag = ordered ? 'ol' : 'ul'
  const rendered = items.map((body) => {
    const html = blocks(body)
    // A tight item is its paragraph's text, as Markdown renders "* item" lists.
    const tight = !loose && /^<p>((?:(?!<\/p>)[\s\S])*)<\/p>(\n<(ul|ol)>[\s\S]*)?$/.exec(html)
    return `<li>${tight ? `${tight[1]}${tight[2] ?? ''}` : html}</li>`
  })
  return { html: `<${tag}>\n${rendered.join('\n')}\n</${tag}>`, next: i }
}

/** Markdown (wordpress.org's readme dialect) to HTML, not yet sanitized. */
export function markdownToHtml(markdown: string): string {
  const text = markdown
    .replace(/\r\n?/g, '\n')
    // bbPress-style code: a backtick span starting a line and running over several lines is a code block.
    .replace(
      /(^|\n)([ \t]*)`([^`]*\n[^`]*)`/g,
      (_all, start: string, _indent: string, code: string) => `${start}\`\`\`\n${code.replace(/^\n|\n$/g, '')}\n\`\`\`\n`
    )
  return blocks(text.split('\n'))
}

/** Readme Markdown as the HTML a "View details" section may carry: converted, then sanitized. */
export function readmeHtml(markdown: string): string {
  return sanitizeHtml(markdownToHtml(markdown)).trim()
}
