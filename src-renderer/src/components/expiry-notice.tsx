import type { PluginRecord } from '../../../src-preload/api'
import { EXPIRY_WARNING_DAYS, expiryState } from '../../../src-shared/signing'

/**
 * The warning for a live signed manifest that expires within 7 days (or has): sites refuse it from then on.
 * Judged by the shared rule, with the expiry the last publish recorded.
 */
export function ExpiryNotice({ plugin, now = new Date() }: { readonly plugin: PluginRecord; readonly now?: Date }) {
  const expiry = plugin.signing_key === null ? null : expiryState(plugin.manifest_expires, now)
  if (expiry === null || expiry.state === 'ok') return null
  const when = new Date(plugin.manifest_expires!).toLocaleString()
  return (
    <p className="notice notice--error" role="alert">
      {expiry.state === 'expired'
        ? `The live manifest expired on ${when}: sites refuse it and are offered no update.`
        : `The live manifest expires on ${when}, within ${EXPIRY_WARNING_DAYS} days: sites refuse it from then on.`}{' '}
      Publish it again to re-sign it (<code>wprm publish {plugin.slug} --refresh</code>).
    </p>
  )
}
