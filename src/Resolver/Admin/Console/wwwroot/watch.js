// Watched names and holds: list, add, remove, accept.

import { call, watchPath } from './api.js';
import { actionButton, el, fillRows, td, time } from './dom.js';
import { act } from './status.js';

export function setUpWatch() {
  document.getElementById('watch-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const name = document.getElementById('watch-name').value.trim();
    const hold = document.getElementById('watch-hold').value.trim();
    const request = { subtree: document.getElementById('watch-subtree').checked, hold: hold || null };
    act(() => call('PUT', watchPath(name), request), (rule) => `Watching ${rule.name} (hold ${rule.hold}).`);
  });
}

export async function showWatch() {
  const watch = await call('GET', 'watch');
  fillRows(document.getElementById('watched'), watch.names.map((rule) => el('tr', {},
    td(rule.name), td(rule.subtree ? 'yes' : 'no'), td(rule.hold), td(rule.probeInterval ?? '-'),
    el('td', {}, actionButton('Remove', () => act(() => call('DELETE', watchPath(rule.name)), (r) => `No longer watching ${r.name}.`))))),
  'No names are watched.');
  fillRows(document.getElementById('holds'), watch.holds.map((hold) => el('tr', {},
    td(hold.name), td(hold.type), td(time(hold.since)), td(time(hold.until)), td(`${hold.upstream}: ${hold.answer}`),
    el('td', {}, actionButton('Accept', () => act(
      () => call('POST', `${watchPath(hold.name)}/accept`),
      (r) => `Accepted: ${r.accepted.map((h) => `${h.name} ${h.type} ${h.answer}`).join(', ')} is served now.`))))),
  'No holds.');
}
