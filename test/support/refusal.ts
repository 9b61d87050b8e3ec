import { WprmError } from '../../src-main/core/errors.js'

/** The refusal (a WprmError) an async action ends in; any other outcome fails the test. */
export async function refusal(action: () => Promise<unknown>): Promise<WprmError> {
  try {
    await action()
  } catch (error) {
    if (error instanceof WprmError) return error
    throw error
  }
  throw new Error('expected a refusal')
}
