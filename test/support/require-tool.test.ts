import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { requireInstalledFile, requireTool } from './require-tool.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'wprm-require-tool-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** The error requireTool throws, or undefined when it found the tool. */
function failure(run: () => unknown): Error | undefined {
  try {
    run()
    return undefined
  } catch (error) {
    return error as Error
  }
}

describe('requireTool', () => {
  it('fails with exactly one line naming the Debian package when an absolute path is missing', () => {
    const error = failure(() => requireTool(path.join(dir, 'usr/sbin/sshd'), 'openssh-server'))
    expect(error?.message).toBe('sshd is not installed: apt-get install --no-install-recommends openssh-server')
  })

  it('looks a bare name up in PATH, as spawn does, and returns where it found it', async () => {
    const bin = path.join(dir, 'bin')
    await mkdir(bin)
    await writeFile(path.join(bin, 'nginx'), '#!/bin/sh\n', { mode: 0o755 })
    expect(requireTool('nginx', 'nginx', { PATH: `${path.join(dir, 'nowhere')}:${bin}` })).toBe(path.join(bin, 'nginx'))
    expect(failure(() => requireTool('nginx', 'nginx', { PATH: path.join(dir, 'nowhere') }))?.message).toBe(
      'nginx is not installed: apt-get install --no-install-recommends nginx'
    )
    expect(failure(() => requireTool('mariadbd', 'mariadb-server', {}))?.message).toBe(
      'mariadbd is not installed: apt-get install --no-install-recommends mariadb-server'
    )
  })

  it('does not count a file it may not run, or a folder of that name, as installed', async () => {
    const bin = path.join(dir, 'bin')
    await mkdir(path.join(bin, 'chromium'), { recursive: true })
    await writeFile(path.join(bin, 'unzip'), 'not a program')
    await chmod(path.join(bin, 'unzip'), 0o644)
    expect(failure(() => requireTool('chromium', 'chromium', { PATH: bin }))?.message).toBe(
      'chromium is not installed: apt-get install --no-install-recommends chromium'
    )
    expect(failure(() => requireTool(path.join(bin, 'unzip'), 'unzip'))?.message).toBe(
      'unzip is not installed: apt-get install --no-install-recommends unzip'
    )
  })
})

describe('requireInstalledFile', () => {
  it('fails with the same one line when a file of a package is missing', async () => {
    expect(failure(() => requireInstalledFile(path.join(dir, 'wordpress/wp-load.php'), 'WordPress', 'wordpress'))?.message).toBe(
      'WordPress is not installed: apt-get install --no-install-recommends wordpress'
    )
    await writeFile(path.join(dir, 'wp-load.php'), '<?php')
    expect(requireInstalledFile(path.join(dir, 'wp-load.php'), 'WordPress', 'wordpress')).toBe(path.join(dir, 'wp-load.php'))
  })
})
