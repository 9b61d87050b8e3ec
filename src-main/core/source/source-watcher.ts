import type { FSWatcher } from 'node:fs'
import { watch } from 'node:fs'
import { stat } from 'node:fs/promises'

interface Watched {
  dir: string
  /** The folder itself was renamed (an event without a file name): its watch must be made anew. */
  rootMoved: boolean
  watcher: FSWatcher | null
  debounce: NodeJS.Timeout | null
  poll: NodeJS.Timeout | null
}

/**
 * Watches plugin source folders and calls back once per burst of changes (debounced). It costs nothing
 * while nothing changes (inotify/FSEvents); a folder that is removed or renamed is reported, then looked
 * for every few seconds until it is back.
 */
export class SourceWatcher {
  private readonly watched = new Map<string, Watched>()

  constructor(
    private readonly onChange: (slug: string) => void,
    private readonly debounceMs = 300,
    private readonly pollMs = 3000
  ) {}

  /** Starts (or restarts) watching a plugin's folder. */
  watch(slug: string, dir: string): void {
    this.unwatch(slug)
    const entry: Watched = { dir, rootMoved: false, watcher: null, debounce: null, poll: null }
    this.watched.set(slug, entry)
    this.attach(slug, entry)
  }

  unwatch(slug: string): void {
    const entry = this.watched.get(slug)
    if (entry === undefined) return
    this.detach(entry)
    this.watched.delete(slug)
  }

  close(): void {
    for (const slug of [...this.watched.keys()]) this.unwatch(slug)
  }

  private attach(slug: string, entry: Watched): void {
    try {
      entry.watcher = watch(entry.dir, { recursive: true, persistent: false }, (_event, file) => this.changed(slug, entry, file))
      entry.watcher.on('error', () => this.lost(slug, entry))
    } catch {
      this.lost(slug, entry)
    }
  }

  private detach(entry: Watched): void {
    entry.watcher?.close()
    entry.watcher = null
    if (entry.debounce) clearTimeout(entry.debounce)
    if (entry.poll) clearInterval(entry.poll)
    entry.debounce = null
    entry.poll = null
  }

  private changed(slug: string, entry: Watched, file: string | null): void {
    if (file === null || file === '') entry.rootMoved = true
    if (entry.debounce) clearTimeout(entry.debounce)
    entry.debounce = setTimeout(() => {
      entry.debounce = null
      // Once the folder is lost, only the poll may bring it back (a late event must not say "ok" early).
      if (entry.poll !== null || this.watched.get(slug) !== entry) return
      // A rename or removal of the folder itself ends inotify's events for it: check it is still there.
      void stat(entry.dir).then(
        (info) => {
          if (!info.isDirectory()) return this.lost(slug, entry)
          if (entry.rootMoved) {
            // Moved away and back (or replaced): the old watch no longer sees the folder's files.
            entry.rootMoved = false
            entry.watcher?.close()
            this.attach(slug, entry)
          }
          this.onChange(slug)
        },
        () => this.lost(slug, entry)
      )
    }, this.debounceMs)
  }

  private lost(slug: string, entry: Watched): void {
    if (this.watched.get(slug) !== entry || entry.poll !== null) return
    entry.watcher?.close()
    entry.watcher = null
    if (entry.debounce) clearTimeout(entry.debounce)
    entry.debounce = null
    this.onChange(slug)
    entry.poll = setInterval(() => {
      void stat(entry.dir).then(
        (info) => {
          if (!info.isDirectory() || this.watched.get(slug) !== entry) return
          clearInterval(entry.poll!)
          entry.poll = null
          entry.rootMoved = false
          this.attach(slug, entry)
          this.onChange(slug)
        },
        () => undefined
      )
    }, this.pollMs)
    entry.poll.unref()
  }
}
