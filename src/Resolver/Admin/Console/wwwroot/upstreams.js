// Upstreams: state, smoothed RTT, failures, last error; drain and undrain (Admin).

import { call } from './api.js';
import { actionButton, el, fillRows, td } from './dom.js';
import { act } from './status.js';

export async function showUpstreams() {
  const upstreams = await call('GET', 'upstreams');
  const table = document.getElementById('upstreams');
  fillRows(table, upstreams.map((u) => {
    const state = u.state === 'up' && u.demotedUntil ? 'demoted' : u.state;
    const drained = u.state === 'drained';
    return el('tr', { data: { upstream: u.name } },
      td(u.name),
      el('td', {}, el('span', { className: `state state-${state}` }, state)),
      td(u.smoothedRttMs.toFixed(1), 'num'),
      td(u.queries),
      td(u.failures),
      td(u.lastError ?? '-', 'error-text'),
      el('td', {}, actionButton(drained ? 'Undrain' : 'Drain', () => drain(u.name, !drained))));
  }), 'No upstreams are configured.');
}

const drain = (name, draining) => act(
  () => call('POST', 'upstreams/drain', { name, drain: draining }),
  (view) => `${view.name} is ${view.state}.`);
