// Small line charts in inline SVG, from the cache statistics sampled every few seconds: the hit ratio and the
// queries by RCODE of each interval (differences of the server's running totals).

const svgNs = 'http://www.w3.org/2000/svg';
const width = 300;
const height = 80;

/** The last `capacity` samples of /cache/stats: hits, misses and queries by RCODE (running totals). */
export class History {
  constructor(capacity = 120) {
    this.capacity = capacity;
    this.samples = [];
  }

  add(stats) {
    const last = this.samples.at(-1);
    // A restarted resolver starts its totals again: drop what came before.
    if (last && stats.hits + stats.misses < last.hits + last.misses) {
      this.samples = [];
    }

    this.samples.push({ hits: stats.hits, misses: stats.misses, queries: { ...stats.queries } });
    if (this.samples.length > this.capacity) {
      this.samples.shift();
    }
  }

  /** Per interval: the hit ratio (null when nothing was asked) and the queries per RCODE. */
  intervals() {
    const result = [];
    for (let i = 1; i < this.samples.length; i++) {
      const [a, b] = [this.samples[i - 1], this.samples[i]];
      const hits = b.hits - a.hits;
      const lookups = hits + (b.misses - a.misses);
      const queries = {};
      for (const [rcode, count] of Object.entries(b.queries)) {
        queries[rcode] = count - (a.queries[rcode] ?? 0);
      }

      result.push({ ratio: lookups > 0 ? hits / lookups : null, queries });
    }

    return result;
  }
}

function svg(tag, attributes = {}) {
  const node = document.createElementNS(svgNs, tag);
  for (const [key, value] of Object.entries(attributes)) {
    node.setAttribute(key, String(value));
  }

  return node;
}

/** Draws each series (arrays of numbers or nulls, one per interval) as a line scaled to `max`, into `container`. */
function draw(container, series, max, label) {
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, preserveAspectRatio: 'none' });
  chart.append(svg('line', { x1: 0, y1: height - 0.5, x2: width, y2: height - 0.5, class: 'axis' }));
  for (const { values, className } of series) {
    const step = values.length > 1 ? width / (values.length - 1) : width;
    const points = values
      .map((v, i) => (v === null ? null : `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`))
      .filter((p) => p !== null);
    if (points.length > 0) {
      chart.append(svg('polyline', { points: points.join(' '), class: `line ${className}` }));
    }
  }

  const top = svg('text', { x: 2, y: 10, class: 'scale' });
  top.textContent = label;
  chart.append(top);
  container.replaceChildren(chart);
}

export function drawHitRatio(container, intervals) {
  const last = intervals.findLast((i) => i.ratio !== null);
  const label = last ? `${(last.ratio * 100).toFixed(1)} %` : 'no lookups yet';
  draw(container, [{ values: intervals.map((i) => i.ratio), className: 'hits' }], 1, label);
}

/** Lines for every RCODE seen in the window, and a legend naming each with its latest count. */
export function drawRcodes(container, legend, intervals) {
  const rcodes = [...new Set(intervals.flatMap((i) => Object.keys(i.queries)))].sort();
  const max = Math.max(1, ...intervals.flatMap((i) => Object.values(i.queries)));
  const series = rcodes.map((rcode) => ({ values: intervals.map((i) => i.queries[rcode] ?? 0), className: rcodeClass(rcode) }));
  draw(container, series, max, `max ${max}`);
  legend.replaceChildren(...rcodes.map((rcode) => {
    const item = document.createElement('span');
    item.className = `key ${rcodeClass(rcode)}`;
    item.textContent = `${rcode} ${intervals.at(-1)?.queries[rcode] ?? 0}`;
    return item;
  }));
}

const known = new Set(['NOERROR', 'NXDOMAIN', 'SERVFAIL', 'REFUSED', 'FORMERR']);
const rcodeClass = (rcode) => `rc-${known.has(rcode) ? rcode.toLowerCase() : 'other'}`;
