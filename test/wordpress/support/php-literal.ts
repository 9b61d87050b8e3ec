/** A PHP single-quoted string literal for `value`; only backslash and quote need escaping there. */
export function phpString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}
