// The audit trail (GET /api/v1/audit): recent flushes, drains and watch changes. Its answer also names the
// calling token and its role, which is how the console knows whether to offer actions.

import { call } from './api.js';
import { el, fillRows, td, time } from './dom.js';

/** Shows the trail; returns the caller ({ name, role }). */
export async function showAudit() {
  const audit = await call('GET', 'audit');
  fillRows(document.getElementById('audit'), audit.entries.map((e) =>
    el('tr', {}, td(time(e.time)), td(`${e.caller} (${e.address})`), td(e.action), td(e.target), td(e.detail))),
  'Nothing flushed, drained or watched since start.');
  return audit.caller;
}
