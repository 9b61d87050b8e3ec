// Runs one API call of the built CLI's core in a process of its own, and kills that process (SIGKILL,
// nothing runs after it) just before or just after the SFTP rename whose target ends with the given
// name: a process that dies at the exact step of a publish. Built code (`npm run build:cli`), because a
// child process has no TypeScript loader. Usage: node kill-at-rename.mjs '<json>'.
import { createApi } from '../../out/cli/src-main/api.js'
import { SftpSession } from '../../out/cli/src-main/core/remote/sftp-session.js'

const { dataDir, method, input, target, when } = JSON.parse(process.argv[2])
const rename = SftpSession.prototype.rename
SftpSession.prototype.rename = async function (from, to) {
  const hit = to.endsWith(target)
  if (hit && when === 'before') process.kill(process.pid, 'SIGKILL')
  await rename.call(this, from, to)
  if (hit && when === 'after') process.kill(process.pid, 'SIGKILL')
}
const api = createApi({ dataDir })
process.stdout.write(`${JSON.stringify(await api[method](input))}\n`)
await api.close()
