import { escapeHtmlText } from './html-sanitizer.js'

/**
 * Plain-text fields that reach wp-admin (a plugin's name, author, upgrade notice), made safe the way
 * wordpress.org's readme parser makes them (`strip_tags`, then `esc_html`): WordPress 6.1 prints the
 * "View details" name unfiltered (`<h2>{$api->name}</h2>`), so a tag in a header must never get there.
 */

/**
 * Text without tags (script and style elements with their content), control characters or runs of white
 * space, with `& < > " '` as entities. Existing entities are kept, so the result reads the same through
 * `esc_html` (which does not double-encode) and printed raw.
 */
export function plainText(text: string): string {
  const stripped = text
    .replace(/<(script|style)\b[^>]*>[\s\S]*?(?:<\/\1\s*>|$)/gi, ' ')
    .replace(/<!--[\s\S]*?(?:-->|$)/g, ' ')
    .replace(/<\/?[a-zA-Z!?][^>]*(?:>|$)/g, ' ')
    .replace(/\p{Cc}/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  return escapeHtmlText(stripped).replace(/'/g, '&#039;')
}

/** A plain-text field, or null when nothing readable is left. */
export function plainTextOrNull(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null
  const safe = plainText(text)
  return safe === '' ? null : safe
}

/** An http(s) URL as given, or null for anything else (a `javascript:` URL, quotes, white space). */
export function safeHttpUrl(url: string | null | undefined): string | null {
  if (url === null || url === undefined) return null
  const trimmed = url.trim()
  if (trimmed.length > 2048 || /[\s"'<>`\p{Cc}]/u.test(trimmed)) return null
  try {
    const parsed = new URL(trimmed)
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '' ? trimmed : null
  } catch {
    return null
  }
}

/**
 * A requirement (`Requires at least`, `Tested up to`, `Requires PHP`) as a version WordPress compares,
 * read the way wordpress.org reads readme headers ("WordPress 6.2 or higher" is 6.2, "6.4-RC1" is 6.4);
 * null when it is not one. Our updater refuses a manifest whose requirement is not a version, so a
 * header written as prose must not reach it.
 */
export function requirementVersion(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null
  const cleaned = value
    .replace(/wordpress|\bwp\b|or higher|and above|\+/gi, '')
    .trim()
    .split('-')[0]!
    .trim()
  return /^\d+(\.\d+){0,2}$/.test(cleaned) ? cleaned : null
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * A text read byte for byte (latin1, as sources are read so that a version rewrite changes nothing else)
 * as the UTF-8 it almost always is; kept as it is when its bytes are not UTF-8 or it holds a character
 * above U+00FF (it was never read that way).
 */
export function utf8FromLatin1(text: string): string {
  if (!/[\u0080-\u00ff]/.test(text) || /[\u0100-\uffff]/.test(text)) return text
  try {
    return strictUtf8.decode(Buffer.from(text, 'latin1'))
  } catch {
    return text
  }
}
