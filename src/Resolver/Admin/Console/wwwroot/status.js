// The status line, and running an operator's action: say what happened, refresh, or end the session on a 401.

import { Unauthorized } from './api.js';

/** Set by console.js: refresh every panel; end the session with a reason. */
export const hooks = { refresh: async () => {}, signOut: (_reason) => {} };

export function notify(text, isError = false) {
  const line = document.getElementById('message');
  line.textContent = text;
  line.className = isError ? 'error' : 'ok';
}

/** Handles a failed call: a refused token ends the session; anything else is shown. */
export function failed(error) {
  if (error instanceof Unauthorized) {
    hooks.signOut(`Signed out: the resolver refused the token (${error.message}). Sign in again.`);
  } else {
    notify(error.message, true);
  }
}

/** Runs an action, shows `describe(result)`, then refreshes the panels. */
export async function act(work, describe) {
  try {
    const result = await work();
    notify(describe(result));
    await hooks.refresh();
    return result;
  } catch (error) {
    failed(error);
    return null;
  }
}
