import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile, readdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WprmError } from '../../src-main/core/errors.js'
import { acquireLock } from '../../src-main/core/fs/file-lock.js'
import { makeTempDir } from '../fixtures/plugin-folder.js'

let temp: { dir: string; cleanup: () => Promise<void> }
let lock: string
beforeEach(async () => {
  temp = await makeTempDir()
  lock = path.join(temp.dir, 'x.lock')
})
afterEach(async () => temp.cleanup())

/** A pid that runs nowhere: above Linux's default pid_max. */
const DEAD_PID = 2 ** 22 + 12345

describe('acquireLock: a lock that can always be cleared', () => {
  it.each([
    ['empty', ''],
    ['not JSON', '{"pid": 12'],
    ['JSON naming no owner', '[]']
  ])('takes over a lock file that is %s once it has stayed so for the grace time, however short the wait', async (_, text) => {
    await writeFile(lock, text)
    const started = Date.now()
    const release = await acquireLock(lock, { purpose: 'next', waitMs: 0, graceMs: 300 })
    expect(Date.now() - started).toBeGreaterThanOrEqual(300)
    expect(JSON.parse(await readFile(lock, 'utf8'))).toMatchObject({ pid: process.pid, purpose: 'next' })
    await release()
    expect(existsSync(lock)).toBe(false)
  })

  it('never shows a lock file without its note, and leaves no temporary file', async () => {
    // Another process reads the lock in a tight loop while this one takes and releases it: with a lock
    // file created first and written after, it catches the file empty.
    const reader = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('fs'); const bad = new Set(); let seen = 0;
         process.stdin.on('data', () => { process.stdout.write(JSON.stringify({ seen, bad: [...bad] })); process.exit(0) });
         (function loop() { for (let i = 0; i < 2000; i++) { let t; try { t = fs.readFileSync(process.argv[1], 'utf8') } catch { continue }
           seen++; try { JSON.parse(t) } catch { bad.add(t) } } setImmediate(loop) })()`,
        lock
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] }
    )
    let output = ''
    reader.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const ended = new Promise((resolve) => reader.on('close', resolve))
    await new Promise((resolve) => setTimeout(resolve, 200))
    for (let i = 0; i < 300; i++) await (await acquireLock(lock, { purpose: `round ${i}`, waitMs: 1000, pollMs: 1 }))()
    reader.stdin.write('done\n')
    await ended
    const { seen, bad } = JSON.parse(output) as { seen: number; bad: string[] }
    expect(seen).toBeGreaterThan(0)
    expect(bad).toEqual([])
    expect(await readdir(temp.dir)).toEqual([])
  })

  it('lets one holder in at a time when many break the same dead lock at once', async () => {
    await writeFile(lock, JSON.stringify({ pid: DEAD_PID, host: os.hostname(), since: '', purpose: 'dead' }))
    let holders = 0
    let most = 0
    await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const release = await acquireLock(lock, { purpose: `w${i}`, waitMs: 10_000, pollMs: 1 })
        most = Math.max(most, ++holders)
        await new Promise((resolve) => setTimeout(resolve, 5))
        holders--
        await release()
      })
    )
    expect(most).toBe(1)
    expect(await readdir(temp.dir)).toEqual([])
  })

  it('names the owner it read and the command that clears the lock', async () => {
    const release = await acquireLock(lock, { purpose: 'first', waitMs: 0 })
    const error = (await acquireLock(lock, { purpose: 'second', waitMs: 50, subject: 'hello' }).catch((e: unknown) => e)) as WprmError
    expect(error).toBeInstanceOf(WprmError)
    expect(error.kind).toBe('database-locked')
    expect(error.message).toMatch(
      new RegExp(`^hello is being changed by wprm \\(pid ${process.pid} on .*, "first", since \\d{4}-.*\\)\\.$`)
    )
    expect(error.hint).toContain(`rm ${lock}`)
    await release()
  })

  it('quotes a lock path with spaces in the command it gives', async () => {
    const spaced = path.join(temp.dir, 'WP Release Manager.lock')
    const release = await acquireLock(spaced, { purpose: 'first', waitMs: 0 })
    const error = (await acquireLock(spaced, { purpose: 'second', waitMs: 0 }).catch((e: unknown) => e)) as WprmError
    expect(error.hint).toContain(`rm '${spaced}'`)
    await release()
  })
})
