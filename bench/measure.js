// Running and measuring child processes: our worker and the native tools.

import { spawn } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'worker.js')
export const GNU_TIME = '/usr/bin/time'

/** Runs a command to completion; resolves with its output, rejects (with stderr) on failure. */
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    const out = []
    const err = []
    child.stdout.on('data', (chunk) => out.push(chunk))
    child.stderr.on('data', (chunk) => err.push(chunk))
    options.onSpawn?.(child)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString('utf8')
      const stderr = Buffer.concat(err).toString('utf8')
      if (code === 0) resolve({ stdout, stderr })
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? code}): ${stderr.trim()}`))
    })
  })
}

/** One build or hash of ours in a fresh Node process; see worker.js. */
export async function runWorker(task) {
  const { stdout } = await run(process.execPath, [WORKER, JSON.stringify(task)])
  return JSON.parse(stdout.trim().split('\n').pop())
}

/** Highest VmHWM seen while polling; only the last poll interval before exit can be missed. */
async function pollPeakRss(pid, done) {
  let peak = 0
  while (!done.value) {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
      if (match) peak = Math.max(peak, Number(match[1]))
    } catch {
      break // the process is gone
    }
    await sleep(5)
  }
  return peak
}

/**
 * Runs a native tool and measures its wall time (here, around the spawn) and peak RSS in KiB
 * (GNU time's %M, the same ru_maxrss our worker reports; /proc polling when GNU time is missing).
 */
export async function runNative(command, args, { cwd, scratch }) {
  if (existsSync(GNU_TIME)) {
    const timeFile = path.join(scratch, `time-${process.pid}.txt`)
    const start = performance.now()
    // -o keeps GNU time's numbers apart from the tool's own stderr.
    const result = await run(GNU_TIME, ['-f', '%e %M', '-o', timeFile, command, ...args], { cwd })
    const seconds = (performance.now() - start) / 1000
    const [, maxRss] = readFileSync(timeFile, 'utf8').trim().split(/\s+/)
    rmSync(timeFile, { force: true })
    return { seconds, maxRssKiB: Number(maxRss), stdout: result.stdout }
  }
  const done = { value: false }
  let peak = Promise.resolve(0)
  const start = performance.now()
  const result = await run(command, args, { cwd, onSpawn: (child) => (peak = pollPeakRss(child.pid, done)) }).finally(
    () => (done.value = true)
  )
  const seconds = (performance.now() - start) / 1000
  return { seconds, maxRssKiB: await peak, stdout: result.stdout }
}

/** The names in a ZIP, as unzip lists them. */
export async function zipNames(zipPath) {
  const { stdout } = await run('unzip', ['-Z1', zipPath])
  return stdout.split('\n').filter((line) => line !== '')
}
