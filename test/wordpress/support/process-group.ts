import { readdirSync, readFileSync } from 'node:fs'
import { delay, signal } from './signals.js'

/** Waits for the rest of a process group to go after SIGTERM, and SIGKILLs it if it does not. */
export async function stopGroupRemains(pgid: number, graceMs: number): Promise<void> {
  signal(-pgid, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (groupExists(pgid)) {
    if (Date.now() > deadline) {
      signal(-pgid, 'SIGKILL')
      return
    }
    await delay(50)
  }
}

/**
 * Whether a live (non-zombie) process is left in the group. Read from /proc because signal 0 also hits zombies,
 * and orphaned php workers stay zombies until PID 1 gets round to reaping them (about 2 s on this VM).
 */
function groupExists(pgid: number): boolean {
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return false
  }
  return entries.some((entry) => {
    if (!/^\d+$/.test(entry)) return false
    try {
      // Fields after "(comm)": state, ppid, pgrp, ...; comm may itself contain ") ", hence lastIndexOf.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      return Number(pgrp) === pgid && state !== 'Z'
    } catch {
      return false
    }
  })
}
