// Look up a name: what the cache holds for it (covering NXDOMAINs and holds included), and flush it: exact,
// subtree or negative only, here or on the whole fleet, with each peer's result.

import { cachePath, call } from './api.js';
import { el, role, time } from './dom.js';
import { act, failed } from './status.js';

let current = null;

export function setUpLookup() {
  document.getElementById('lookup-form').addEventListener('submit', (event) => {
    event.preventDefault();
    document.getElementById('flush-result').replaceChildren();
    lookUp(document.getElementById('lookup-name').value.trim());
  });
  document.getElementById('flush-form').addEventListener('submit', (event) => {
    event.preventDefault();
    flush();
  });
}

async function lookUp(name) {
  if (!name) {
    return;
  }

  try {
    show(await call('GET', cachePath(name)));
  } catch (error) {
    failed(error);
  }
}

function show(view) {
  current = view.name;
  const result = document.getElementById('lookup-result');
  document.getElementById('flush-name').textContent = view.name;
  document.getElementById('flush-form').hidden = false;
  document.getElementById('flush-button').disabled = !role.admin;
  if (view.entries.length === 0) {
    result.replaceChildren(el('p', { className: 'muted', id: 'lookup-empty' }, `Nothing cached for ${view.name}`));
    return;
  }

  const header = el('tr', {}, ...['Type', 'Kind', 'RCODE', 'TTL left', 'Stale', 'Upstream', 'Hits'].map((h) => el('th', {}, h)));
  const rows = view.entries.flatMap((entry) => [
    el('tr', { className: entry.negative ? 'negative' : '', data: { type: entry.type, rcode: entry.rcode } },
      el('td', {}, entry.type), el('td', {}, entry.kind), el('td', {}, entry.rcode),
      el('td', { className: 'num' }, `${entry.ttlLeft}/${entry.originalTtl}`),
      el('td', {}, entry.stale ? 'yes' : 'no'), el('td', {}, entry.upstream ?? '-'), el('td', { className: 'num' }, entry.hits)),
    el('tr', { className: 'detail' }, el('td', { colSpan: 7 }, details(entry))),
  ]);
  result.replaceChildren(el('table', { id: 'entries' }, el('thead', {}, header), el('tbody', {}, rows)));
}

function details(entry) {
  const notes = [];
  if (entry.coveredBy) {
    notes.push(el('p', { className: 'note' }, `Covered by the NXDOMAIN of ${entry.coveredBy} (flushing this name removes it).`));
  }

  if (entry.hold) {
    const h = entry.hold;
    notes.push(el('p', { className: 'note held' },
      `HELD since ${time(h.since)}: ${h.upstream} answered ${h.answer}; the last good answer is served until ${time(h.until)}.`));
  }

  const records = [...entry.answer, ...entry.authority.map((r) => `${r}  ; authority`)];
  return [...notes, el('pre', {}, records.map((r) => r.replaceAll('\t', ' ')).join('\n'))];
}

async function flush() {
  const subtree = document.querySelector('input[name="flush-scope"]:checked').value === 'subtree';
  const request = {
    name: current,
    subtree,
    negativeOnly: document.getElementById('flush-negative').checked,
    fleet: document.getElementById('flush-fleet').checked,
  };
  const response = await act(() => call('POST', 'cache/flush', request), (r) => `Flushed ${current}: removed ${r.removed}.`);
  if (response) {
    document.getElementById('flush-result').replaceChildren(flushReport(response, request.fleet));
    await lookUp(current);
  }
}

/** "Removed N": each entry, then each peer's count or failure. */
function flushReport(response, fleet) {
  const entries = (list) => el('ul', {}, list.map((e) => el('li', {}, `${e.name} ${e.type} ${e.kind}`)));
  const items = [el('p', { id: 'flush-removed' }, `Removed ${response.removed} here${response.truncated ? ' (first 100 listed)' : ''}.`), entries(response.entries)];
  if (fleet && response.peers.length === 0) {
    items.push(el('p', { className: 'muted' }, 'No peers are configured (Admin:Peers).'));
  }

  for (const peer of response.peers) {
    items.push(el('p', { className: peer.error ? 'error' : '', data: { peer: peer.name } },
      peer.error ? `Peer ${peer.name} (${peer.url}): FAILED: ${peer.error}` : `Peer ${peer.name} (${peer.url}): removed ${peer.removed}`));
    if (peer.entries) {
      items.push(entries(peer.entries));
    }
  }

  return el('div', { className: 'report' }, items);
}

export const resetLookup = () => {
  current = null;
  document.getElementById('lookup-result').replaceChildren();
  document.getElementById('flush-result').replaceChildren();
  document.getElementById('flush-form').hidden = true;
};
