/**
 * One line of a web server's access log in the combined format, which nginx and Apache share:
 *
 *     203.0.113.7 - - [10/Oct/2025:13:55:36 +0200] "GET /plugins/x/info.json?site=… HTTP/1.1" 200 512 "-" "WordPress/6.4"
 *
 * Parsed by hand, field by field, because a pull reads millions of them: no regular expression, and
 * only the fields that statistics need (time, method, target, status). The address, user, referrer and
 * user agent are never read.
 */

/** The parts of a request line that statistics use. */
export interface LogRequest {
  /** When it was logged, in ms since 1970 (UTC). */
  readonly ms: number
  readonly method: string
  /** The request target as logged: path and query, still percent-encoded. */
  readonly target: string
  readonly status: number
}

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11
}

/** `[dd/Mon/yyyy:HH:MM:SS +hhmm]` is always 26 characters between the brackets. */
const TIME_LENGTH = 26
const CH_0 = 48
const CH_SPACE = 32
const CH_QUOTE = 34
const CH_CLOSE = 93

function digits(text: string, from: number, count: number): number {
  let value = 0
  for (let i = from; i < from + count; i++) {
    const d = text.charCodeAt(i) - CH_0
    if (d < 0 || d > 9) return NaN
    value = value * 10 + d
  }
  return value
}

/**
 * Turns log times into UTC milliseconds. Lines come in time order, so the minute of the previous line
 * is kept and most lines only parse their seconds.
 */
export class LogClock {
  private minute = ''
  private offset = ''
  private minuteMs = NaN

  /** The time at `at` (just after `[`) in ms, or NaN when it is not a combined-format time. */
  ms(line: string, at: number): number {
    // Compared in place: no string is made for a line of the same minute as the one before.
    if (!line.startsWith(this.minute, at) || !line.startsWith(this.offset, at + 20) || this.minute === '') {
      this.minute = line.slice(at, at + 17)
      this.offset = line.slice(at + 20, at + TIME_LENGTH)
      this.minuteMs = parseMinute(line, at)
    }
    return this.minuteMs + digits(line, at + 18, 2) * 1000
  }
}

function parseMinute(line: string, at: number): number {
  const day = digits(line, at, 2)
  const month = MONTHS[line.slice(at + 3, at + 6)]
  const year = digits(line, at + 7, 4)
  const hour = digits(line, at + 12, 2)
  const minute = digits(line, at + 15, 2)
  const sign = line[at + 21]
  const offset = digits(line, at + 22, 2) * 60 + digits(line, at + 24, 2)
  if (month === undefined || (sign !== '+' && sign !== '-') || line[at + 2] !== '/' || line[at + 11] !== ':') return NaN
  return Date.UTC(year, month, day, hour, minute) - (sign === '+' ? offset : -offset) * 60_000
}

/** Parses one line (without its newline); null when it is not a combined-format line. */
export function parseCombinedLine(line: string, clock: LogClock): LogRequest | null {
  const open = line.indexOf(' [')
  if (open < 0) return null
  const at = open + 2
  if (line.charCodeAt(at + TIME_LENGTH) !== CH_CLOSE || line.charCodeAt(at + TIME_LENGTH + 1) !== CH_SPACE) return null
  if (line.charCodeAt(at + TIME_LENGTH + 2) !== CH_QUOTE) return null
  const ms = clock.ms(line, at)
  if (Number.isNaN(ms)) return null
  const request = at + TIME_LENGTH + 3
  const methodEnd = line.indexOf(' ', request)
  if (methodEnd < 0) return null
  const targetEnd = line.indexOf(' ', methodEnd + 1)
  const quote = line.indexOf('" ', request)
  // A request line that is not "METHOD target PROTOCOL" (a probe, a TLS handshake on the HTTP port).
  if (targetEnd < 0 || quote < 0 || targetEnd > quote || methodEnd > quote) return null
  const status = digits(line, quote + 2, 3)
  if (Number.isNaN(status) || line.charCodeAt(quote + 5) !== CH_SPACE) return null
  return { ms, method: line.slice(request, methodEnd), target: line.slice(methodEnd + 1, targetEnd), status }
}
