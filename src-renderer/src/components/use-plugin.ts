import { useEffect } from 'react'
import type { PluginDetails } from '../../../src-preload/api'
import { useApp } from '../store/app-store'
import type { Op } from '../store/types'
import { IDLE } from '../store/types'

/** What a plugin screen needs first: which plugin, and its details once loaded. */
export interface PluginFrame {
  readonly slug: string | null
  readonly details: PluginDetails | undefined
  readonly op: Op
  /** False until the plugins list answered (so "no plugins" is not shown too early). */
  readonly ready: boolean
}

/**
 * Loads the selected plugin for a plugin screen. Opened with no plugin selected, the screen shows the
 * first one: the common case is a team with one or two plugins.
 */
export function usePlugin(): PluginFrame {
  const slug = useApp((s) => s.slug)
  const screen = useApp((s) => s.screen)
  const pluginsLoaded = useApp((s) => s.pluginsLoaded)
  const firstSlug = useApp((s) => s.plugins[0]?.plugin.slug ?? null)
  const details = useApp((s) => (slug === null ? undefined : s.details[slug]))
  const op = useApp((s) => (slug === null ? IDLE : (s.detailsOps[slug] ?? IDLE)))
  const loadPlugins = useApp((s) => s.loadPlugins)
  const loadPlugin = useApp((s) => s.loadPlugin)
  const navigate = useApp((s) => s.navigate)

  useEffect(() => {
    if (!pluginsLoaded) void loadPlugins()
  }, [pluginsLoaded, loadPlugins])
  useEffect(() => {
    if (slug === null && firstSlug !== null) navigate(screen, firstSlug)
  }, [slug, firstSlug, screen, navigate])
  useEffect(() => {
    if (slug !== null) void loadPlugin(slug)
  }, [slug, loadPlugin])

  return { slug, details, op, ready: pluginsLoaded }
}
