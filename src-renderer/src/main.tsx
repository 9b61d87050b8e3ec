import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { PluginsScreen } from './screens/plugins-screen'

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <PluginsScreen />
  </StrictMode>
)
