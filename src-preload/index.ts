import { contextBridge, ipcRenderer } from 'electron'
import type { ApiEvents, DesktopApi, WprmApi } from './api.js'

/** The API channel of a method; main registers the same names (src-main/ipc.ts). */
const channel = (method: keyof WprmApi): string => `wprm:${method}`

// One method per channel, spelled out: the window gets exactly the contract, never a generic ipcRenderer.
const api = {
  listPlugins: () => ipcRenderer.invoke(channel('listPlugins')),
  addPlugin: (input) => ipcRenderer.invoke(channel('addPlugin'), input),
  getPlugin: (input) => ipcRenderer.invoke(channel('getPlugin'), input),
  addVersion: (input) => ipcRenderer.invoke(channel('addVersion'), input),
  changeStatus: (input) => ipcRenderer.invoke(channel('changeStatus'), input),
  getVersion: (input) => ipcRenderer.invoke(channel('getVersion'), input),
  suggestNextVersions: (input) => ipcRenderer.invoke(channel('suggestNextVersions'), input),
  bumpSource: (input) => ipcRenderer.invoke(channel('bumpSource'), input),
  pruneZips: (input) => ipcRenderer.invoke(channel('pruneZips'), input),
  listActivity: (input) => ipcRenderer.invoke(channel('listActivity'), input),
  restoreDatabaseBackup: () => ipcRenderer.invoke(channel('restoreDatabaseBackup')),
  setPlugin: (input) => ipcRenderer.invoke(channel('setPlugin'), input),
  listServers: () => ipcRenderer.invoke(channel('listServers')),
  addServer: (input) => ipcRenderer.invoke(channel('addServer'), input),
  setServer: (input) => ipcRenderer.invoke(channel('setServer'), input),
  removeServer: (input) => ipcRenderer.invoke(channel('removeServer'), input),
  testServer: (input) => ipcRenderer.invoke(channel('testServer'), input),
  publish: (input) => ipcRenderer.invoke(channel('publish'), input),
  verify: (input) => ipcRenderer.invoke(channel('verify'), input),
  rollback: (input) => ipcRenderer.invoke(channel('rollback'), input),
  getSourceStatus: (input) => ipcRenderer.invoke(channel('getSourceStatus'), input),
  getSecretStatus: (input) => ipcRenderer.invoke(channel('getSecretStatus'), input),
  storeSecret: (input) => ipcRenderer.invoke(channel('storeSecret'), input),
  deleteSecret: (input) => ipcRenderer.invoke(channel('deleteSecret'), input),
  installUpdater: (input) => ipcRenderer.invoke(channel('installUpdater'), input),
  pull: (input) => ipcRenderer.invoke(channel('pull'), input),
  importPlugin: (input) => ipcRenderer.invoke(channel('importPlugin'), input),
  removeVersion: (input) => ipcRenderer.invoke(channel('removeVersion'), input),
  editVersion: (input) => ipcRenderer.invoke(channel('editVersion'), input),
  setRollout: (input) => ipcRenderer.invoke(channel('setRollout'), input),
  removePlugin: (input) => ipcRenderer.invoke(channel('removePlugin'), input),
  pullStats: (input) => ipcRenderer.invoke(channel('pullStats'), input),
  getStats: (input) => ipcRenderer.invoke(channel('getStats'), input),
  previewFiles: (input) => ipcRenderer.invoke(channel('previewFiles'), input),
  generateSigningKey: (input) => ipcRenderer.invoke(channel('generateSigningKey'), input),
  importSigningKey: (input) => ipcRenderer.invoke(channel('importSigningKey'), input),
  listSigningKeys: () => ipcRenderer.invoke(channel('listSigningKeys')),
  rotateSigningKey: (input) => ipcRenderer.invoke(channel('rotateSigningKey'), input)
} satisfies WprmApi

/** Subscribes to an event from main; returns the unsubscribe function (for useEffect clean-up). */
function on<K extends keyof ApiEvents>(name: K, listener: (payload: ApiEvents[K]) => void): () => void {
  const handler = (_event: unknown, payload: ApiEvents[K]): void => listener(payload)
  ipcRenderer.on(`wprm:event:${name}`, handler)
  return () => ipcRenderer.removeListener(`wprm:event:${name}`, handler)
}

const desktop = {
  pickFolder: (input) => ipcRenderer.invoke('wprm:desktop:pickFolder', input),
  pickFile: (input) => ipcRenderer.invoke('wprm:desktop:pickFile', input)
} satisfies DesktopApi

contextBridge.exposeInMainWorld('api', { ...api, on })
contextBridge.exposeInMainWorld('desktop', desktop)
