// The operator console: sign in with a token (session storage only), then every panel refreshed every 5 s from
// the same /api/v1 routes the CLI calls.

import { Unauthorized, session } from './api.js';
import { role } from './dom.js';
import { showAudit } from './audit.js';
import { resetHistory, showCache } from './cache.js';
import { resetLookup, setUpLookup } from './lookup.js';
import { failed, hooks, notify } from './status.js';
import { showUpstreams } from './upstreams.js';
import { setUpWatch, showWatch } from './watch.js';

const refreshEvery = 5000;
let timer = null;
let refreshing = null;

const byId = (id) => document.getElementById(id);

async function refresh() {
  const results = await Promise.allSettled([showAudit(), showUpstreams(), showCache(), showWatch()]);
  const failure = results.find((r) => r.status === 'rejected');
  if (failure) {
    failed(failure.reason);
    return;
  }

  applyRole(results[0].value);
  byId('refreshed').textContent = `updated ${new Date().toLocaleTimeString()}`;
}

/** Refreshes once at a time: a slow resolver gets no pile of overlapping requests. */
function refreshOnce() {
  refreshing ??= refresh().finally(() => { refreshing = null; });
  return refreshing;
}

function applyRole(caller) {
  role.admin = caller.role === 'Admin';
  byId('whoami').textContent = `${caller.name} (${caller.role}${role.admin ? '' : ': view only'})`;
  document.body.classList.toggle('read-only', !role.admin);
  for (const button of document.querySelectorAll('#app .admin-only')) {
    button.disabled = !role.admin;
    button.title = role.admin ? '' : 'Needs an Admin token';
  }
}

async function start() {
  // The first call proves the token, and names its role, before anything is shown.
  const caller = await showAudit();
  applyRole(caller);
  byId('signin').hidden = true;
  byId('app').hidden = false;
  notify('');
  await refreshOnce();
  timer = setInterval(refreshOnce, refreshEvery);
}

function signOut(reason = '') {
  clearInterval(timer);
  timer = null;
  session.signOut();
  resetHistory();
  resetLookup();
  byId('app').hidden = true;
  byId('signin').hidden = false;
  byId('signin-error').textContent = reason;
  byId('token').value = '';
  byId('token').focus();
}

async function signIn(event) {
  event.preventDefault();
  const token = byId('token').value.trim();
  byId('signin-error').textContent = '';
  session.signIn(token);
  try {
    await start();
  } catch (error) {
    session.signOut();
    byId('signin-error').textContent = error instanceof Unauthorized
      ? `That token was refused: ${error.message}`
      : `Could not reach the admin API: ${error.message}`;
  }
}

hooks.refresh = refreshOnce;
hooks.signOut = signOut;
byId('signin-form').addEventListener('submit', signIn);
byId('signout').addEventListener('click', () => signOut('Signed out.'));
setUpLookup();
setUpWatch();

if (session.token) {
  start().catch((error) => signOut(error instanceof Unauthorized ? `Signed out: ${error.message}` : error.message));
} else {
  signOut();
}
