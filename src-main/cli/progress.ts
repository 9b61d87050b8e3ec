import type { ProgressEvent } from '../../src-preload/api.js'

/** Where the progress line is drawn: the terminal's stderr, or nowhere. */
export interface ProgressOutput {
  readonly isTTY?: boolean
  write(text: string): unknown
}

/**
 * Shows job progress as one line redrawn in place, on a terminal only: a log file or a pipe gets no
 * progress noise (CI reads the final result).
 */
export class ProgressLine {
  private shown = false

  constructor(private readonly out: ProgressOutput) {}

  update(event: ProgressEvent): void {
    if (this.out.isTTY !== true) return
    const share = event.total > 0 ? ` ${String(Math.floor((event.done / event.total) * 100)).padStart(3)}%` : ''
    this.out.write(`\r\x1b[K[${event.phase}]${share} ${event.label}`)
    this.shown = true
  }

  /** Ends the line so the next output starts on its own. */
  finish(): void {
    if (!this.shown) return
    this.out.write('\r\x1b[K')
    this.shown = false
  }
}
