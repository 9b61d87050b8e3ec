/** Formatting that every face shares, so the CLI and the window say the same thing. */

const BINARY_UNITS = ['KiB', 'MiB', 'GiB', 'TiB'] as const

/**
 * A byte count as people read it (629 B, 2.0 KiB, 14 MiB). The units are 1024-based, so they are
 * labelled KiB/MiB, not KB/MB; `unknown` stands for a size that is not known yet.
 */
export function formatBytes(bytes: number | null | undefined, unknown = '—'): string {
  if (bytes === null || bytes === undefined) return unknown
  if (bytes < 1024) return `${bytes} B`
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < BINARY_UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${BINARY_UNITS[unit]}`
}
