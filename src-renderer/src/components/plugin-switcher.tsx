import { useApp } from '../store/app-store'
import type { Screen } from '../store/navigation-slice'

/** Chooses which plugin a plugin screen shows, staying on the same screen. */
export function PluginSwitcher({ screen }: { readonly screen: Screen }) {
  const slug = useApp((s) => s.slug)
  const navigate = useApp((s) => s.navigate)
  const plugins = useApp((s) => s.plugins)
  if (plugins.length < 2) return null
  return (
    <label className="field field--inline">
      <span className="field__label">Plugin</span>
      <select value={slug ?? ''} onChange={(e) => navigate(screen, e.target.value)}>
        <PluginOptions />
      </select>
    </label>
  )
}

/** One `<option>` per plugin, by slug, for the plugin pickers. */
export function PluginOptions() {
  const plugins = useApp((s) => s.plugins)
  return (
    <>
      {plugins.map((p) => (
        <option key={p.plugin.slug} value={p.plugin.slug}>
          {p.plugin.name}
        </option>
      ))}
    </>
  )
}
