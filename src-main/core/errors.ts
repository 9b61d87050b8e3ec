export { WprmError } from '../../src-shared/errors.js'

/** True for Node's system errors with the given code (ENOENT, EEXIST, …). */
export function isErrnoCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === code
}
