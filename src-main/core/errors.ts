export { WprmError } from '../../src-shared/errors.js'

/** True for Node's system errors with the given code (ENOENT, EEXIST, …). */
export function isErrnoCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === code
}

/**
 * The same system error, about `filePath`: a write or fsync on an open file (a full disk while writing a
 * ZIP) names no path, and a temporary file's name means nothing to the user, who must be told which
 * file it was. Anything that is not a system error is returned as it is.
 */
export function errnoWithPath(error: unknown, filePath: string): unknown {
  const e = error as NodeJS.ErrnoException
  if (!(error instanceof Error) || typeof e.code !== 'string' || typeof e.syscall !== 'string') return error
  return Object.assign(new Error(`${e.code}: ${e.syscall} ${filePath}`, { cause: error }), {
    code: e.code,
    errno: e.errno,
    syscall: e.syscall,
    path: filePath
  })
}
