import { statSync } from 'node:fs'
import path from 'node:path'
import type { ApiError } from '../../src-shared/model.js'

/** What one errno code means to the user: the reason after "Could not …", and what to do about it. */
interface ErrnoMeaning {
  readonly reason: string
  /** `where` is the path the call named, or null when Node gave none (a write to an open file). */
  readonly hint: (where: string | null) => string
}

const ACCESS_HINT = (where: string | null): string =>
  `Give your user access to ${where ?? 'that folder'}, or choose another folder (--data-dir for the database, --dist-dir for ZIPs).`

/** The first part of a path that is a file where a folder should be (what ENOTDIR is about), if any. */
function fileOnTheWay(target: string): string | null {
  for (let dir = path.dirname(target); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      if (!statSync(dir).isDirectory()) return dir
    } catch {
      // Missing or unreadable: the file, if there is one, is further up.
    }
  }
  return null
}

/**
 * The file-system failures a user can fix, by Node's errno code. Any other code (EINVAL, EBADF, …)
 * means we called the system wrongly: that is a bug and is not in this table.
 */
export const ERRNO_MEANINGS: Readonly<Record<string, ErrnoMeaning>> = {
  ENOENT: {
    reason: 'it does not exist (or a folder on the way is missing)',
    hint: (where) => `Check the path${where === null ? '' : ` ${where}`}, or create the missing folder.`
  },
  EACCES: { reason: 'permission denied', hint: ACCESS_HINT },
  EPERM: { reason: 'the operation is not permitted', hint: ACCESS_HINT },
  EROFS: {
    reason: 'the file system is read-only',
    hint: () => 'The folder is read-only: choose a writable --data-dir (or --dist-dir for ZIPs), or mount the disk read-write.'
  },
  ENOTDIR: {
    reason: 'a part of the path is a file, not a folder',
    hint: (where) => {
      const file = where === null ? null : fileOnTheWay(where)
      return `Move ${file === null ? 'that file' : `the file ${file}`} out of the way, or choose another folder.`
    }
  },
  EISDIR: {
    reason: 'it is a folder, not a file',
    hint: (where) => `Move the folder${where === null ? '' : ` ${where}`} out of the way, or choose another path.`
  },
  ENOSPC: {
    reason: 'no space is left on the disk',
    hint: (where) => `Free space on the disk${where === null ? '' : ` of ${where}`}, then run the same command again.`
  },
  EDQUOT: {
    reason: 'the disk quota is used up',
    hint: (where) =>
      `Free space within your quota${where === null ? '' : ` on the disk of ${where}`} (or ask for a larger one), then try again.`
  },
  EFBIG: { reason: 'the file is too large for this file system', hint: () => 'Choose a folder on a disk that takes large files.' },
  EEXIST: { reason: 'it already exists', hint: (where) => `Move ${where ?? 'it'} out of the way, then try again.` },
  ENOTEMPTY: { reason: 'the folder is not empty', hint: (where) => `Empty or move ${where ?? 'the folder'}, then try again.` },
  EMFILE: { reason: 'this process has too many files open', hint: () => 'Raise the open-file limit (ulimit -n), then try again.' },
  ENFILE: { reason: 'the system has too many files open', hint: () => 'Close other programs, then try again.' },
  ENAMETOOLONG: { reason: 'the name is too long for the file system', hint: () => 'Choose a shorter folder path.' },
  ELOOP: { reason: 'the path goes round in a loop of symbolic links', hint: (where) => `Fix the links on the way to ${where ?? 'it'}.` },
  EBUSY: { reason: 'it is busy (in use, or a mount point)', hint: (where) => `Close what uses ${where ?? 'it'}, then try again.` },
  ETXTBSY: { reason: 'a running program holds it', hint: (where) => `Close what uses ${where ?? 'it'}, then try again.` },
  EXDEV: { reason: 'it would move a file from one disk to another', hint: () => 'Keep the folders involved on one disk, then try again.' },
  EIO: {
    reason: 'the disk reported an input/output error',
    hint: () => 'Check the disk (its health, a cable, a network share that dropped), then try again.'
  }
}

function isFile(target: string): boolean {
  try {
    return !statSync(target).isDirectory()
  } catch {
    return false
  }
}

/** mkdir's EEXIST when a file is where the folder should be. */
const FILE_IN_THE_WAY: ErrnoMeaning = {
  reason: 'a file is there, not a folder',
  hint: (where) => `Move the file${where === null ? '' : ` ${where}`} out of the way, or choose another folder.`
}

/** What a system call was doing, as the start of "Could not …". */
const SYSCALL_VERBS: Readonly<Record<string, string>> = {
  open: 'open',
  read: 'read',
  write: 'write',
  mkdir: 'create the folder',
  rmdir: 'remove the folder',
  rm: 'remove',
  unlink: 'remove',
  rename: 'rename',
  link: 'link',
  symlink: 'create the link',
  readlink: 'read the link',
  copyfile: 'copy',
  scandir: 'list the folder',
  opendir: 'list the folder',
  stat: 'read',
  lstat: 'read',
  fstat: 'read',
  access: 'reach',
  chmod: 'change the mode of',
  fsync: 'save',
  fdatasync: 'save',
  close: 'save',
  utime: 'touch'
}

/** The codes that mean "something is already where it was going". */
const IN_THE_WAY: ReadonlySet<string> = new Set(['EEXIST', 'ENOTEMPTY', 'EISDIR'])

/** True for one of Node's system errors: a string code, a numeric errno and the system call. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException & { readonly dest?: string } {
  if (!(error instanceof Error)) return false
  const e = error as NodeJS.ErrnoException
  return typeof e.code === 'string' && typeof e.errno === 'number' && typeof e.syscall === 'string'
}

/**
 * A file-system failure the user can fix, as an `io` error naming the path; null for anything else
 * (a code outside ERRNO_MEANINGS, or not a system error at all), which stays a bug.
 */
export function errnoToApiError(error: unknown): ApiError | null {
  if (!isSystemError(error)) return null
  // A recursive mkdir fails with EEXIST only when a file is where the folder should be (a --data-dir
  // that is a file): say so, rather than that "it already exists".
  const meaning =
    error.code === 'EEXIST' && error.syscall === 'mkdir' && typeof error.path === 'string' && isFile(error.path)
      ? FILE_IN_THE_WAY
      : ERRNO_MEANINGS[error.code!]
  if (meaning === undefined) return null
  const verb = SYSCALL_VERBS[error.syscall!] ?? error.syscall!
  const where = typeof error.path === 'string' ? error.path : null
  const object = where === null ? 'a file' : typeof error.dest === 'string' ? `${where} to ${error.dest}` : where
  return {
    kind: 'io',
    message: `Could not ${verb} ${object}: ${meaning.reason} (${error.code}).`,
    // A rename or link that finds something in its way is stopped by its destination, not its source.
    hint: meaning.hint(typeof error.dest === 'string' && IN_THE_WAY.has(error.code!) ? error.dest : where)
  }
}
