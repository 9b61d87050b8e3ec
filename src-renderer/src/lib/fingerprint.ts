/** Host-key fingerprints as OpenSSH prints them. */

const FINGERPRINT = /SHA256:[A-Za-z0-9+/]{43}=?/

/**
 * The `SHA256:…` fingerprint named in an error's message or hint. The API reports an unknown host key
 * as an error (kind `host-key-unknown`) rather than a field, so the screen reads it from the text.
 */
export function fingerprintIn(...texts: readonly string[]): string | null {
  for (const text of texts) {
    const match = FINGERPRINT.exec(text)
    if (match !== null) return match[0]
  }
  return null
}
