import type { ServerProfile } from '../../../src-preload/api'
import { targetSummary } from '../../../src-shared/server-targets'

/** The `<option>`s of a server picker: each server by name and where its files go. */
export function ServerOptions({ servers }: { readonly servers: readonly ServerProfile[] }) {
  return (
    <>
      {servers.map((s) => (
        <option key={s.name} value={s.name}>
          {s.name} — {targetSummary(s)}
        </option>
      ))}
    </>
  )
}
