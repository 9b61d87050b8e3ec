import { useEffect } from 'react'
import { usePluginsStore } from '../stores/plugins-store'

/** The plugins list: each plugin with its latest live version. */
export function PluginsScreen() {
  const plugins = usePluginsStore((s) => s.plugins)
  const error = usePluginsStore((s) => s.error)
  const loadPlugins = usePluginsStore((s) => s.loadPlugins)
  useEffect(() => {
    void loadPlugins()
  }, [loadPlugins])
  return (
    <main>
      <h1>Plugins</h1>
      {error && (
        <p role="alert">
          {error.message} {error.hint}
        </p>
      )}
      {plugins.length === 0 && !error ? (
        <p>No plugins yet. Add one from the command line: wprm plugin add &lt;source-folder&gt;</p>
      ) : (
        <table aria-label="Plugins">
          <thead>
            <tr>
              <th>Plugin</th>
              <th>Live version</th>
              <th>Versions</th>
            </tr>
          </thead>
          <tbody>
            {plugins.map((p) => (
              <tr key={p.plugin.slug}>
                <td>{p.plugin.name}</td>
                <td>{p.latest_live?.version ?? '—'}</td>
                <td>{p.version_count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  )
}
