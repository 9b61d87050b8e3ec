import type { Result, WprmApi } from '../../src-preload/api.js'
import { validateInput } from '../ipc-input.js'
import { toResult } from './to-result.js'

/**
 * One call from outside main (the window over IPC, the browser tests' bridge): the payload is
 * validated as `unknown`, then the API answers. A refused payload or an expected failure comes back as
 * `{ ok: false }`; a bug still throws (IPC keeps nothing of an Error but its message).
 */
export async function handleApiCall(api: WprmApi, method: keyof WprmApi, payload: unknown): Promise<Result<unknown>> {
  const settled = await toResult(() => (api[method] as (...args: unknown[]) => Promise<Result<unknown>>)(...validateInput(method, payload)))
  return settled.ok ? settled.value : settled
}
