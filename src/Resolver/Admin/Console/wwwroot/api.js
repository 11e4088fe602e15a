// Calls to the admin API (/api/v1, same origin), with the token from this tab's session storage as a bearer header.
// The token never goes into a URL or a cookie.

const tokenKey = 'resolver.console.token';

export const session = {
  get token() { return sessionStorage.getItem(tokenKey); },
  signIn(token) { sessionStorage.setItem(tokenKey, token); },
  signOut() { sessionStorage.removeItem(tokenKey); },
};

/** The API refused the token (401): the session is over. */
export class Unauthorized extends Error {}

/** Any other failed call: the status and the server's problem detail. */
export class ApiError extends Error {
  constructor(status, detail) {
    super(`${status}: ${detail}`);
    this.status = status;
  }
}

/** Sends METHOD /api/v1/PATH with an optional JSON body; returns the parsed JSON answer. */
export async function call(method, path, body) {
  const headers = { Accept: 'application/json', Authorization: `Bearer ${session.token ?? ''}` };
  const init = { method, headers, cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }

  const response = await fetch(`/api/v1/${path}`, init);
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }

  if (response.status === 401) {
    throw new Unauthorized(data?.detail ?? 'The token was refused.');
  }

  if (!response.ok) {
    throw new ApiError(response.status, data?.detail ?? data?.title ?? (text || response.statusText));
  }

  return data;
}

/** The path segment or query for a domain name: the root and names with '/' go in the query string, as the CLI does. */
export const cachePath = (name) => `cache?name=${encodeURIComponent(name)}`;
export const watchPath = (name) => `watch/${encodeURIComponent(name)}`;
