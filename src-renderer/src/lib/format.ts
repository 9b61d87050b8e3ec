/** Formatting of the screens: dates, checksums, paths. Sizes come from src-shared/format.ts. */

/** An ISO timestamp as a short local date and time; an em dash when absent. */
export function formatDateTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—'
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return date.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
}

/**
 * An ISO timestamp for a table cell: "Nov 23, 14:05" this year, "Nov 23, 2024" before. The full time
 * goes in the cell's title.
 */
export function formatCompact(iso: string | null | undefined, now: Date = new Date()): string {
  if (iso === null || iso === undefined) return '—'
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  if (date.getFullYear() !== now.getFullYear())
    return date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' })
  return date.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false })
}

/** An ISO timestamp as a short local date (tables with little room); an em dash when absent. */
export function formatDate(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—'
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' })
}

/** The first 12 hex digits of a checksum: enough to compare by eye, short enough for a table. */
export function shortChecksum(checksum: string | null | undefined): string {
  return checksum === null || checksum === undefined ? '—' : checksum.slice(0, 12)
}

/**
 * A long path cut to its last folders ("…/src/my-plugin"): the end of a source path is what tells
 * plugins apart. The full path stays in the element's title.
 */
export function shortPath(fullPath: string, keep = 3): string {
  const parts = fullPath.split(/[/\\]/).filter((p) => p !== '')
  if (parts.length <= keep) return fullPath
  return `…/${parts.slice(-keep).join('/')}`
}
