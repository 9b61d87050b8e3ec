import { mkdir, open, readFile, rename, rmdir, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApi } from '../../src-main/api.js'
import { ERRNO_MEANINGS, errnoToApiError } from '../../src-main/api/errno-error.js'
import { handleApiCall } from '../../src-main/api/handle-call.js'
import { toApiError, toResult } from '../../src-main/api/to-result.js'
import { WprmError } from '../../src-main/core/errors.js'
import { makeTempDir } from '../fixtures/plugin-folder.js'

let temp: { dir: string; cleanup: () => Promise<void> }
beforeEach(async () => {
  temp = await makeTempDir('wprm-to-result-')
})
afterEach(async () => temp.cleanup())

/** The error a real file-system call threw. */
async function thrownBy(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call()
  } catch (error) {
    return error
  }
  throw new Error('the call did not fail')
}

describe('errnoToApiError', () => {
  it('explains real file-system failures as io, naming the path, with the hint that fits', async () => {
    const file = path.join(temp.dir, 'a-file')
    await writeFile(file, 'x')
    const folder = path.join(temp.dir, 'full')
    await mkdir(folder)
    await writeFile(path.join(folder, 'inside'), 'x')
    const loop = path.join(temp.dir, 'loop')
    await symlink(loop, loop)
    const cases: readonly (readonly [string, () => Promise<unknown>, string, string])[] = [
      [
        'ENOTDIR',
        () => mkdir(path.join(file, 'dist')),
        `Could not create the folder ${path.join(file, 'dist')}: a part of the path is a file, not a folder (ENOTDIR).`,
        `Move the file ${file} out of the way`
      ],
      [
        'ENOENT',
        () => readFile(path.join(temp.dir, 'gone', 'x')),
        `Could not open ${path.join(temp.dir, 'gone', 'x')}: it does not exist`,
        `Check the path ${path.join(temp.dir, 'gone', 'x')}`
      ],
      ['EISDIR', () => readFile(folder), `: it is a folder, not a file (EISDIR).`, 'Move the folder'],
      [
        'EEXIST',
        () => mkdir(folder),
        `Could not create the folder ${folder}: it already exists (EEXIST).`,
        `Move ${folder} out of the way`
      ],
      [
        'EEXIST',
        () => mkdir(file, { recursive: true }),
        `Could not create the folder ${file}: a file is there, not a folder (EEXIST).`,
        `Move the file ${file} out of the way, or choose another folder.`
      ],
      [
        'ENOTEMPTY',
        () => rmdir(folder),
        `Could not remove the folder ${folder}: the folder is not empty (ENOTEMPTY).`,
        `Empty or move ${folder}`
      ],
      [
        'ENAMETOOLONG',
        () => writeFile(path.join(temp.dir, 'n'.repeat(300)), 'x'),
        ': the name is too long for the file system (ENAMETOOLONG).',
        'Choose a shorter folder path.'
      ],
      [
        'ELOOP',
        () => readFile(loop),
        `Could not open ${loop}: the path goes round in a loop of symbolic links (ELOOP).`,
        `Fix the links on the way to ${loop}.`
      ]
    ]
    for (const [code, call, message, hint] of cases) {
      const error = await thrownBy(call)
      expect((error as NodeJS.ErrnoException).code).toBe(code)
      const explained = errnoToApiError(error)
      expect(explained?.kind, code).toBe('io')
      expect(explained!.message, code).toContain(message)
      expect(explained!.hint, code).toContain(hint)
    }
  })

  it('names both paths of a rename, and the destination in the hint when it is what stands in the way', async () => {
    const from = path.join(temp.dir, 'from')
    const to = path.join(temp.dir, 'to')
    await writeFile(from, 'x')
    await mkdir(to)
    await writeFile(path.join(to, 'inside'), 'x')
    const explained = errnoToApiError(await thrownBy(() => rename(from, to)))
    expect(explained).toEqual({
      kind: 'io',
      message: `Could not rename ${from} to ${to}: it is a folder, not a file (EISDIR).`,
      hint: `Move the folder ${to} out of the way, or choose another path.`
    })
  })

  it("leaves a misused file handle (EBADF) to the bug path: it is not the user's to fix", async () => {
    const file = path.join(temp.dir, 'opened-for-reading')
    await writeFile(file, 'x')
    const handle = await open(file, 'r')
    try {
      const error = await thrownBy(() => handle.write('x'))
      expect((error as NodeJS.ErrnoException).code).toBe('EBADF')
      expect(errnoToApiError(error)).toBeNull()
    } finally {
      await handle.close()
    }
  })

  it('explains a failure without a path (a write to an open file on a full disk) without inventing one', () => {
    // The shape Node gives a failed write(2) on a file handle: no path. A real one is in test/cli/errors-cli.test.ts.
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' })
    expect(errnoToApiError(full)).toEqual({
      kind: 'io',
      message: 'Could not write a file: no space is left on the disk (ENOSPC).',
      hint: 'Free space on the disk, then run the same command again.'
    })
  })

  it('has a reason and a hint for every code in its table, with and without a path', () => {
    for (const [code, meaning] of Object.entries(ERRNO_MEANINGS)) {
      expect(meaning.reason, code).toMatch(/^[a-z]/)
      for (const where of ['/data/wprm.json', null]) expect(meaning.hint(where), code).toMatch(/^[A-Z].*\.$/)
    }
    // The common fixes, word for word.
    expect(ERRNO_MEANINGS.ENOSPC!.hint('/data/wprm.json')).toBe(
      'Free space on the disk of /data/wprm.json, then run the same command again.'
    )
    expect(ERRNO_MEANINGS.EROFS!.hint('/data')).toContain('choose a writable --data-dir')
    expect(ERRNO_MEANINGS.EACCES!.hint('/data')).toContain('Give your user access to /data')
  })

  it('leaves anything that is not a system error it knows to the bug path', () => {
    expect(errnoToApiError(new TypeError('x is undefined'))).toBeNull()
    expect(errnoToApiError({ code: 'ENOSPC', errno: -28, syscall: 'write' })).toBeNull()
    expect(
      errnoToApiError(Object.assign(new Error('EINVAL: invalid argument'), { code: 'EINVAL', errno: -22, syscall: 'open', path: '/x' }))
    ).toBeNull()
    expect(errnoToApiError(Object.assign(new Error('ECONNRESET'), { code: 'ECONNRESET' }))).toBeNull()
    expect(errnoToApiError(null)).toBeNull()
  })
})

describe('toApiError and toResult', () => {
  it('carries a WprmError as it is, an errno failure as io, and rethrows a bug', async () => {
    const refused = new WprmError('usage', 'No.', 'Do this.', { fingerprint: 'SHA256:x' })
    expect(toApiError(refused)).toEqual({ kind: 'usage', message: 'No.', hint: 'Do this.', fingerprint: 'SHA256:x' })
    expect(await toResult(() => Promise.reject(refused))).toEqual({ ok: false, error: refused.toApiError() })
    expect(await toResult(() => Promise.resolve(3))).toEqual({ ok: true, value: 3 })
    const failed = await toResult(() => readFile(path.join(temp.dir, 'none')))
    expect(failed.ok === false && failed.error.kind).toBe('io')
    const bug = new TypeError('cannot read properties of undefined')
    await expect(toResult(() => Promise.reject(bug))).rejects.toBe(bug)
  })
})

describe('handleApiCall', () => {
  it('answers a refused payload and an I/O failure as { ok: false }, as IPC and the browser bridge do', async () => {
    const file = path.join(temp.dir, 'a-file')
    await writeFile(file, 'x')
    const api = createApi({ dataDir: path.join(file, 'data') })
    expect(await handleApiCall(api, 'listPlugins', { extra: 1 })).toMatchObject({
      ok: false,
      error: { kind: 'usage', message: 'listPlugins takes no input.' }
    })
    expect(await handleApiCall(api, 'listPlugins', undefined)).toMatchObject({
      ok: false,
      error: { kind: 'io', message: expect.stringContaining(path.join(file, 'data')) }
    })
    const fine = createApi({ dataDir: path.join(temp.dir, 'data') })
    expect(await handleApiCall(fine, 'listPlugins', undefined)).toEqual({ ok: true, value: [] })
  })
})
