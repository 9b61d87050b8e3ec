import { useEffect } from 'react'
import type { ReactNode } from 'react'
import { useApp } from './store/app-store'
import type { Screen } from './store/navigation-slice'
import { ActivityScreen } from './screens/activity-screen'
import { EmergencyScreen } from './screens/emergency-screen'
import { PluginsScreen } from './screens/plugins-screen'
import { ReleasesScreen } from './screens/releases-screen'
import { RollbackScreen } from './screens/rollback-screen'
import { ServersScreen } from './screens/servers-screen'
import { StatsScreen } from './screens/stats-screen'
import { VerifyScreen } from './screens/verify-screen'

const SCREENS: Readonly<Record<Screen, () => ReactNode>> = {
  plugins: PluginsScreen,
  releases: ReleasesScreen,
  verify: VerifyScreen,
  rollback: RollbackScreen,
  emergency: EmergencyScreen,
  stats: StatsScreen,
  servers: ServersScreen,
  activity: ActivityScreen
}

function NavItem({ screen, label, icon }: { readonly screen: Screen; readonly label: string; readonly icon: string }) {
  const current = useApp((s) => s.screen)
  const navigate = useApp((s) => s.navigate)
  return (
    <li>
      <button type="button" className="nav__item" aria-current={current === screen ? 'page' : undefined} onClick={() => navigate(screen)}>
        <span className="nav__icon" aria-hidden="true">
          {icon}
        </span>
        {label}
      </button>
    </li>
  )
}

/** The plugin the plugin screens work on, named in the navigation so the context is never in doubt. */
function CurrentPluginName() {
  const name = useApp((s) => s.plugins.find((p) => p.plugin.slug === s.slug)?.plugin.name ?? null)
  return <span className="nav__context">{name ?? 'Plugin'}</span>
}

/** The window: left navigation, and the open screen. */
export function App() {
  const screen = useApp((s) => s.screen)
  const connectEvents = useApp((s) => s.connectEvents)
  const loadPlugins = useApp((s) => s.loadPlugins)
  useEffect(() => connectEvents(), [connectEvents])
  useEffect(() => {
    void loadPlugins()
  }, [loadPlugins])
  // Moving to another screen puts the keyboard at its top, as a page change would.
  useEffect(() => {
    document.getElementById('content')?.focus()
  }, [screen])
  const Current = SCREENS[screen]
  return (
    <div className="app">
      <aside className="sidebar">
        <div className="brand">
          <span className="brand__mark" aria-hidden="true">
            W
          </span>
          <span className="brand__name">Release Manager</span>
        </div>
        <nav aria-label="Main">
          <ul className="nav">
            <NavItem screen="plugins" label="Plugins" icon="▦" />
          </ul>
          <p className="nav__group">
            <CurrentPluginName />
          </p>
          <ul className="nav">
            <NavItem screen="releases" label="Releases" icon="⇪" />
            <NavItem screen="verify" label="Verify" icon="✓" />
            <NavItem screen="rollback" label="Rollback" icon="↺" />
            <NavItem screen="emergency" label="Emergency update" icon="!" />
            <NavItem screen="stats" label="Stats" icon="▥" />
          </ul>
          <p className="nav__group">Setup</p>
          <ul className="nav">
            <NavItem screen="servers" label="Servers" icon="⛁" />
            <NavItem screen="activity" label="Activity" icon="≡" />
          </ul>
        </nav>
      </aside>
      <main className="content" id="content" tabIndex={-1}>
        <div className="content__inner">
          <Current />
        </div>
      </main>
    </div>
  )
}
