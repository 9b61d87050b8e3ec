import { accessSync, constants, statSync } from 'node:fs'
import { basename, delimiter, isAbsolute, join } from 'node:path'

/**
 * The one line a test fails with when a tool is missing: what is missing and the Debian package that brings it.
 *
 * `.ci/run` installs these packages with --no-install-recommends; so does this line, so that following it gives
 * the same machine as CI.
 */
export function missingToolMessage(name: string, debianPackage: string): string {
  return `${name} is not installed: apt-get install --no-install-recommends ${debianPackage}`
}

/**
 * Finds an executable or throws the one-line "not installed" error naming its Debian package.
 *
 * `command` is an absolute path (`/usr/sbin/sshd`, looked at as it is) or a bare name (`nginx`, looked up in
 * $PATH as spawn() does it). Returns the absolute path found. Called where a test starts a server, a browser
 * or a tool, before anything else, so a missing package never shows up later as "exited before it answered".
 */
export function requireTool(command: string, debianPackage: string, env: NodeJS.ProcessEnv = process.env): string {
  const candidates = isAbsolute(command)
    ? [command]
    : (env.PATH ?? '')
        .split(delimiter)
        .filter((dir) => dir !== '')
        .map((dir) => join(dir, command))
  const found = candidates.find(isExecutableFile)
  if (found === undefined) throw new Error(missingToolMessage(basename(command), debianPackage))
  return found
}

/**
 * Checks that a file a Debian package installs is there (for what is not a command, such as WordPress's tree),
 * or throws the same one-line error, naming it `name`.
 */
export function requireInstalledFile(path: string, name: string, debianPackage: string): string {
  try {
    accessSync(path, constants.R_OK)
  } catch {
    throw new Error(missingToolMessage(name, debianPackage))
  }
  return path
}

/** Whether `path` is a file this process may execute (X_OK alone would also accept a directory of that name). */
function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return statSync(path).isFile()
  } catch {
    return false
  }
}
