// The cache census and the charts of the last minutes.

import { call } from './api.js';
import { bytes, el } from './dom.js';
import { History, drawHitRatio, drawRcodes } from './charts.js';

const history = new History();

export async function showCache() {
  const stats = await call('GET', 'cache/stats');
  history.add(stats);
  const census = [
    ['Entries', stats.entries],
    ['Positive', stats.positive],
    ['Negative', stats.negative],
    ['Stale', stats.stale],
    ['SERVFAIL', stats.servFail],
    ['Memory', `${bytes(stats.bytes)} of ${bytes(stats.maxBytes)}`],
    ['Hit ratio', `${(stats.hitRatio * 100).toFixed(1)} %`],
    ['Negative hits', stats.negativeHits],
  ];
  document.getElementById('census').replaceChildren(...census.flatMap(([key, value]) => [el('dt', {}, key), el('dd', { data: { census: key } }, value)]));
  const intervals = history.intervals();
  drawHitRatio(document.getElementById('chart-hits'), intervals);
  drawRcodes(document.getElementById('chart-rcodes'), document.getElementById('legend-rcodes'), intervals);
}

export const resetHistory = () => { history.samples = []; };
