/**
 * Cuts a byte stream into lines, counting the bytes of the whole lines handed out so that a reader can
 * resume after the last one. Bytes are decoded as latin1, one character per byte, so a character
 * offset is a byte offset; the fields statistics read are ASCII anyway.
 */
export class LineSplitter {
  private carry = ''
  /** Bytes of the complete lines handed out so far, newlines included. */
  consumed = 0
  /** Lines cut short because they ran past MAX_LINE without a newline (a binary file, a flood). */
  overlong = 0

  /** A line longer than this is not a log line: it is counted and dropped. */
  static readonly MAX_LINE = 65_536

  /** Hands out every complete line in `chunk` (with what was left of the previous one). */
  push(chunk: Buffer, onLine: (line: string) => void): void {
    const text = this.carry + chunk.toString('latin1')
    let start = 0
    let newline = text.indexOf('\n')
    while (newline >= 0) {
      const end = newline > start && text.charCodeAt(newline - 1) === 13 ? newline - 1 : newline
      if (end > start) onLine(text.slice(start, end))
      start = newline + 1
      newline = text.indexOf('\n', start)
    }
    this.consumed += start
    this.carry = text.slice(start)
    if (this.carry.length > LineSplitter.MAX_LINE) {
      this.consumed += this.carry.length
      this.carry = ''
      this.overlong++
    }
  }

  /** What follows the last newline: a line still being written, or the last line of a finished file. */
  rest(): string {
    return this.carry
  }
}
