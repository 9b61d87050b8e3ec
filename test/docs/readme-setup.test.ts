/**
 * The README's set-up is what a newcomer runs: the same Debian packages, installed the same way, as `.ci/run`;
 * the Node version of package.json; and the EBADENGINE warnings `npm install` prints, listed by name.
 */
import { readFile } from 'node:fs/promises'
import semver from 'semver'
import { describe, expect, it } from 'vitest'

const root = new URL('../../', import.meta.url)
const read = (file: string): Promise<string> => readFile(new URL(file, root), 'utf8')

/** The README section between two headings (the first starting with `heading`, up to the next `## `). */
function section(readme: string, heading: string): string {
  const start = readme.indexOf(`\n## ${heading}`)
  expect(start, `README has a "## ${heading}" section`).toBeGreaterThanOrEqual(0)
  const end = readme.indexOf('\n## ', start + 1)
  return readme.slice(start, end === -1 ? undefined : end)
}

/** The oldest version each alternative of an engines range admits: [20.19.0, 22.13.0, 24.0.0] for "^20.19.0 || ^22.13.0 || >=24". */
function lineMinimums(range: string): semver.SemVer[] {
  return new semver.Range(range).set.map((comparators) => semver.minVersion(comparators.map((c) => c.value).join(' '))!)
}

interface LockedPackage {
  name?: string
  version?: string
  engines?: Record<string, string> | string[]
}

describe('README set-up', () => {
  it('installs exactly the Debian packages of .ci/run, with --no-install-recommends as .ci/run does', async () => {
    const ci = await read('.ci/run')
    const ciPackages = /^packages=\(([^)]*)\)/m.exec(ci)?.[1]?.trim().split(/\s+/)
    expect(ci).toContain('apt-get install -y -qq --no-install-recommends "${missing[@]}"')
    const tests = section(await read('README.md'), 'Tests')
    const lines = tests.split('\n').filter((line) => line.startsWith('apt-get install -y'))
    expect(lines).toHaveLength(1)
    const words = lines[0]!.split(/\s+/)
    expect(words.slice(0, 4)).toEqual(['apt-get', 'install', '-y', '--no-install-recommends'])
    expect(words.slice(4)).toEqual(ciPackages)
  })

  it('says the Node version package.json requires, and the commands to run', async () => {
    const pkg = JSON.parse(await read('package.json')) as { engines: { node: string }; bin: Record<string, string> }
    // "^20.19.0 || ^22.13.0 || >=24" reads "Node 20.19+, 22.13+ or 24+".
    const lines = lineMinimums(pkg.engines.node).map((v) => `${v.major}${v.minor === 0 && v.patch === 0 ? '' : `.${v.minor}`}+`)
    const setup = section(await read('README.md'), 'Set-up')
    expect(setup).toContain(`Node ${lines.length === 1 ? lines[0] : `${lines.slice(0, -1).join(', ')} or ${lines.at(-1)}`}`)
    for (const command of ['npm install ', 'npm start ', 'npx wprm ', 'npm install -g . ', 'npm link']) expect(setup).toContain(command)
    expect(Object.keys(pkg.bin)).toEqual(['wprm'])
  })

  it('lists by name every package npm warns about (EBADENGINE) on the oldest Node that package.json allows', async () => {
    const pkg = JSON.parse(await read('package.json')) as { engines: { node: string } }
    // Counted over the whole lock file, optional packages of other platforms too: at worst a name too many.
    const oldest = semver.minVersion(pkg.engines.node)!.version
    const lock = JSON.parse(await read('package-lock.json')) as { packages: Record<string, LockedPackage> }
    /** Names of the locked packages whose engines.node does not admit `node`: what npm install warns about there. */
    const warnedOn = (node: string): string[] =>
      Object.entries(lock.packages).flatMap(([where, locked]) => {
        const wanted = Array.isArray(locked.engines) ? undefined : locked.engines?.node
        if (where === '' || wanted === undefined || semver.satisfies(node, wanted)) return []
        return [locked.name ?? where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length)]
      })
    const warned = new Set(warnedOn(oldest))
    // "on Node 22.13+ or 24+ there are none": the oldest version of every later range that engines allows.
    const laterLines = lineMinimums(pkg.engines.node).slice(1).map((v) => v.version)
    expect(laterLines.length).toBeGreaterThan(0)
    for (const node of laterLines) expect(warnedOn(node), `npm warnings on Node ${node}`).toEqual([])

    const setup = section(await read('README.md'), 'Set-up')
    const bullet = setup.slice(setup.indexOf('EBADENGINE'), setup.indexOf('checks this list'))
    // The sub-bullets name the packages before their colon: "  - `electron`, `@electron/get`: …".
    const listed = bullet
      .split('\n')
      .filter((line) => line.startsWith('  - '))
      .flatMap((line) => [...line.slice(0, line.indexOf(':')).matchAll(/`([^`]+)`/g)].map((m) => m[1]!))
    expect(listed.sort()).toEqual([...warned].sort())
  })
})
