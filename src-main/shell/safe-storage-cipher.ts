import { safeStorage } from 'electron'
import type { SecretCipher } from '../core/remote/secret-vault.js'

/**
 * Secrets encrypted by the OS (Keychain, DPAPI, libsecret/kwallet) through Electron's safeStorage.
 * On Linux without a keyring safeStorage falls back to `basic_text`: the vault then asks before storing.
 */
export function safeStorageCipher(): SecretCipher {
  const available = safeStorage.isEncryptionAvailable()
  const linuxBackend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : null
  return {
    backend: !available ? 'unavailable' : linuxBackend === 'basic_text' || linuxBackend === 'unknown' ? 'basic_text' : 'os',
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (data) => safeStorage.decryptString(data)
  }
}
