import { createHash, createHmac } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Client } from 'ssh2'
import { WprmError, isErrnoCode } from '../errors.js'

/** The fingerprint of a host key as OpenSSH prints it: `SHA256:` and unpadded base64. */
export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`
}

/** Checks that a fingerprint given by a user has the right form. */
export function assertFingerprint(text: string): string {
  if (!/^SHA256:[A-Za-z0-9+/]{43}$/.test(text)) {
    throw new WprmError(
      'usage',
      `"${text}" is not a host key fingerprint.`,
      'Give it as OpenSSH prints it, e.g. SHA256:abcd… (43 characters after "SHA256:").'
    )
  }
  return text
}

/** How known_hosts names a host: the bare name on port 22, `[host]:port` otherwise. */
function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`
}

function hostMatches(field: string, name: string): boolean {
  return field.split(',').some((entry) => {
    if (entry.startsWith('|1|')) {
      // Hashed entry: |1|base64(salt)|base64(HMAC-SHA1(salt, name)).
      const [, , salt, hash] = entry.split('|')
      if (salt === undefined || hash === undefined) return false
      return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash
    }
    return entry === name
  })
}

/**
 * The fingerprints known_hosts records for a host (none when the file or the host is not there).
 */
export async function knownHostFingerprints(
  host: string,
  port: number,
  file = path.join(os.homedir(), '.ssh', 'known_hosts')
): Promise<string[]> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT')) return []
    throw error
  }
  const name = knownHostsName(host, port)
  const found: string[] = []
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/)
    if (fields.length < 3 || fields[0]!.startsWith('#') || fields[0] === '@revoked') continue
    const [hosts, , key] = fields[0] === '@cert-authority' ? fields.slice(1) : fields
    if (hosts !== undefined && key !== undefined && hostMatches(hosts, name)) found.push(fingerprintOf(Buffer.from(key, 'base64')))
  }
  return found
}

/**
 * Learns a server's host key without logging in: the connection is dropped as soon as the key is
 * seen, before any credential is sent.
 */
export function probeHostKey(host: string, port: number, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = new Client()
    let seen: string | null = null
    const finish = (): void => {
      client.end()
      if (seen !== null) resolve(seen)
      else
        reject(
          new WprmError(
            'connection-failed',
            `Could not reach an SSH server at ${host}:${port}.`,
            'Check the host, the port and that the server is running.'
          )
        )
    }
    client.on('error', finish)
    client.on('close', finish)
    client.connect({
      host,
      port,
      username: 'wprm-host-key-probe',
      readyTimeout: timeoutMs,
      hostVerifier: (key: Buffer) => {
        seen = fingerprintOf(key)
        return false
      }
    })
  })
}
